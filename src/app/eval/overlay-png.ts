/** Overlay PNGs for eyeballing evaluation results: prediction filled red, ground truth outlined green. */
import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';

export async function writeOverlayPng(
  file: string,
  grey: Uint8Array,
  pred: Uint8Array,
  truth: Uint8Array,
  width: number,
  height: number,
): Promise<void> {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const g = grey[i]!;
      let r = g;
      let gg = g;
      let b = g;
      if (pred[i]) {
        r = Math.round(g * 0.5 + 127);
        gg = Math.round(g * 0.5);
        b = Math.round(g * 0.5);
      }
      const t = truth[i]! > 0;
      const edge =
        t && (x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
          !truth[i - 1] || !truth[i + 1] || !truth[i - width] || !truth[i + width]);
      if (edge) {
        r = 0;
        gg = 255;
        b = 0;
      }
      png.data[i * 4] = r;
      png.data[i * 4 + 1] = gg;
      png.data[i * 4 + 2] = b;
      png.data[i * 4 + 3] = 255;
    }
  }
  await writeFile(file, PNG.sync.write(png));
}
