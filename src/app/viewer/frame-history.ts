// The last frames this page received, kept as they came over the wire (a compressed frame is a few tens of
// kilobytes), so that while the display is frozen the user can step back and forth through them (◀ ▶, the
// arrow keys) and prompt on any of them: prompts go to the frame on screen, which the server still has
// if it is among its last ~90. Frozen, the history stops taking frames, so the frames stepped through stay.
import type { Ui } from './dom.js';
import { decodeViewerFrame, type ViewerFrame } from './frames.js';
import type { MessageLog } from './log.js';
import type { ViewerState } from './state.js';

/** Frames kept (3 s at 30 fps; the server keeps ~90 for prompts). */
export const HISTORY_FRAMES = 90;
/** And at most this many bytes of them (raw 1080p frames are 4 MB each). */
const HISTORY_BYTES = 64 * 1024 * 1024;

interface Entry {
  readonly buffer: ArrayBuffer;
  readonly receivedAt: number;
}

export class FrameHistory {
  private readonly entries: Entry[] = [];
  private bytes = 0;
  /** Position of the frame on screen while frozen; null while live. */
  private position: number | null = null;
  private stepping: Promise<void> = Promise.resolve();

  constructor(
    private readonly ui: Pick<Ui, 'stepBack' | 'stepForward' | 'historyPosition' | 'body'>,
    private readonly state: ViewerState,
    private readonly log: MessageLog,
    /** Puts a frame on screen while frozen. */
    private readonly pin: (frame: ViewerFrame) => void,
  ) {
    ui.stepBack.addEventListener('click', () => this.step(-1));
    ui.stepForward.addEventListener('click', () => this.step(1));
    document.addEventListener('keydown', (event) => {
      // Not while typing or moving a slider, a radio choice or a menu; a ticked checkbox (Freeze) is fine.
      const target = event.target;
      const typing = target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && target.type !== 'checkbox');
      if (!state.frozen || typing) return;
      if (event.key === 'ArrowLeft' || event.key === ',') this.step(-1);
      else if (event.key === 'ArrowRight' || event.key === '.') this.step(1);
      else return;
      event.preventDefault();
    });
  }

  get length(): number {
    return this.entries.length;
  }

  /** A frame message as it arrived (ignored while frozen). */
  add(buffer: ArrayBuffer, receivedAt: number): void {
    if (this.position !== null) return;
    this.entries.push({ buffer, receivedAt });
    this.bytes += buffer.byteLength;
    while (this.entries.length > HISTORY_FRAMES || (this.bytes > HISTORY_BYTES && this.entries.length > 1)) {
      this.bytes -= this.entries.shift()!.buffer.byteLength;
    }
    this.ui.body.history = String(this.entries.length);
  }

  /** Frozen: stepping starts from the frame on screen (the newest kept if it is not among them). */
  freeze(): void {
    const index = this.state.displayed?.header.index;
    let at = this.entries.length - 1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (frameIndex(this.entries[i]!.buffer) === index) {
        at = i;
        break;
      }
    }
    this.position = at >= 0 ? at : null;
    this.show();
  }

  thaw(): void {
    this.position = null;
    this.show();
  }

  /** Show the frame `delta` places from the one on screen (frozen only). */
  step(delta: number): void {
    if (this.position === null) return;
    const target = Math.min(this.entries.length - 1, Math.max(0, this.position + delta));
    if (target === this.position) return;
    this.position = target;
    this.show();
    const entry = this.entries[target]!;
    this.stepping = this.stepping.then(async () => {
      try {
        const frame = await decodeViewerFrame(entry.buffer, entry.receivedAt);
        if (this.position === target && this.state.frozen) this.pin(frame);
        else frame.image?.close();
      } catch (err) {
        this.log.note(`frame not shown: ${err instanceof Error ? err.message : String(err)}`, true);
      }
    });
  }

  private show(): void {
    const { ui } = this;
    const frozen = this.position !== null;
    ui.stepBack.disabled = !frozen || this.position === 0;
    ui.stepForward.disabled = !frozen || this.position === this.entries.length - 1;
    ui.historyPosition.textContent = frozen ? `${this.position! + 1} / ${this.entries.length}` : '';
    ui.body.historyPosition = frozen ? String(this.position! + 1) : '';
  }
}

/** The `index` of a frame message, read from its header. */
function frameIndex(buffer: ArrayBuffer): number | undefined {
  const view = new DataView(buffer);
  const length = view.getUint32(0, true);
  const match = /"index":(\d+)/.exec(new TextDecoder().decode(new Uint8Array(buffer, 4, Math.min(length, 200))));
  return match ? Number(match[1]) : undefined;
}
