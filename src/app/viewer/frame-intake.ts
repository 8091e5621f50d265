// Frames from the socket to the state: each message goes into the frame history (for stepping while
// frozen) and is decoded one at a time, newest first: a frame that arrives while another is decoding
// waits, and a newer one replaces it (counted in `notDecoded`), so the display keeps up instead of
// catching up.
import { errorText, type Ui } from './dom.js';
import type { FrameHistory } from './frame-history.js';
import { decodeViewerFrame, releaseFrame, type ViewerFrame } from './frames.js';
import type { MessageLog } from './log.js';
import type { ViewerState } from './state.js';

export class FrameIntake {
  /** Frames replaced by newer ones before they were decoded. */
  notDecoded = 0;
  private decoding = false;
  private waiting: { buffer: ArrayBuffer; receivedAt: number } | null = null;

  constructor(
    private readonly ui: Pick<Ui, 'body'>,
    private readonly state: ViewerState,
    private readonly history: FrameHistory,
    private readonly log: MessageLog,
    /** A decoded frame became the latest (e.g. to learn classes from its results). */
    private readonly onLatest: (frame: ViewerFrame) => void,
  ) {}

  /** One binary message from the socket. */
  receive(buffer: ArrayBuffer, receivedAt: number): void {
    const { state, ui } = this;
    state.framesReceived++;
    ui.body.framesReceived = String(state.framesReceived);
    this.history.add(buffer, receivedAt);
    if (this.decoding) {
      if (this.waiting) this.notDecoded++;
      this.waiting = { buffer, receivedAt };
      return;
    }
    void this.decode(buffer, receivedAt);
  }

  private async decode(buffer: ArrayBuffer, receivedAt: number): Promise<void> {
    this.decoding = true;
    try {
      this.show(await decodeViewerFrame(buffer, receivedAt));
    } catch (err) {
      this.log.note(`bad frame: ${errorText(err)}`, true);
    } finally {
      this.decoding = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) void this.decode(next.buffer, next.receivedAt);
    }
  }

  private show(frame: ViewerFrame): void {
    const { state } = this;
    const previous = state.frame;
    state.frame = frame;
    if (previous !== state.displayed && previous !== state.pinned) releaseFrame(previous);
    // Frozen: only the markers (which expire as frames arrive) need redrawing.
    if (state.frozen && state.displayed) state.overlayDirty = true;
    else state.frameDirty = true;
    this.onLatest(frame);
  }
}
