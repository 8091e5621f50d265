// Snapshot: the canvas as it is on screen (the frame's picture, its overlay and the marks) saved as a PNG,
// made in the browser; the server is not asked.
import type { Ui } from './dom.js';
import type { MessageLog } from './log.js';
import type { ViewerState } from './state.js';

/** The canvas as a PNG. */
export function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
}

/** Hand a blob to the browser as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function attachSnapshot(ui: Pick<Ui, 'snapshot' | 'canvas' | 'body'>, state: ViewerState, log: MessageLog): void {
  let taken = 0;
  ui.snapshot.addEventListener('click', () => {
    const frame = state.displayed;
    if (!frame) return log.reply('no frame on screen yet', true);
    const name = `sam2rad-frame-${frame.header.index}.png`;
    canvasPng(ui.canvas).then(
      (png) => {
        download(png, name);
        ui.body.snapshots = String(++taken);
        log.note(`snapshot ${name} (${ui.canvas.width}x${ui.canvas.height})`);
      },
      (err: Error) => log.reply(`snapshot failed: ${err.message}`, true),
    );
  });
}
