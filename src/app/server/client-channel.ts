/**
 * One connected WebSocket client with a bounded send queue. Frames are offered, never awaited: if the
 * client already has `maxInFlightFrames` frames not yet handed to the kernel, or its buffered bytes
 * exceed `maxBufferedBytes`, the frame is skipped for this client only and counted.
 */
import { WebSocket } from 'ws';
import type { StreamMessage } from './compressed-frame.js';
import type { ServerMessage } from './protocol.js';

export interface ChannelLimits {
  /** Frames sent whose write has not completed; 2 lets one be in the kernel while the next is queued. */
  readonly maxInFlightFrames: number;
  /** Upper bound on `ws.bufferedAmount` before frames are skipped. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_CHANNEL_LIMITS: ChannelLimits = { maxInFlightFrames: 2, maxBufferedBytes: 4 * 1024 * 1024 };

export class ClientChannel {
  private inFlight = 0;
  /** When each frame still in flight was sent (oldest first). */
  private readonly sentAt: number[] = [];
  private skippedFrames = 0;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly limits: ChannelLimits,
    private readonly onSkip: () => void,
  ) {}

  get skipped(): number {
    return this.skippedFrames;
  }

  /** True if the client can take another frame right now. */
  private hasRoom(): boolean {
    return this.inFlight < this.limits.maxInFlightFrames && this.ws.bufferedAmount <= this.limits.maxBufferedBytes;
  }

  /** How the client keeps up: `room` false means the next frame would be skipped; `busy` means bytes of
   * earlier frames are still waiting for the socket, or a frame's write has not completed for 100 ms (the
   * compressed stream then lowers its quality). A write that completed a moment ago may not have called
   * back yet (callbacks wait for the event loop, which a model run can hold for tens of ms), so an
   * unconfirmed frame alone is not taken as a slow client. */
  load(): { readonly open: boolean; readonly room: boolean; readonly busy: boolean } {
    const oldest = this.sentAt[0];
    return {
      open: this.ws.readyState === WebSocket.OPEN,
      room: this.hasRoom(),
      busy: this.ws.bufferedAmount > 0 || (oldest !== undefined && performance.now() - oldest > 100),
    };
  }

  /** Count a frame this client did not get (the channel was full, or the encoder had a newer frame). */
  skip(): void {
    this.skippedFrames++;
    this.onSkip();
  }

  /** Offer one encoded frame; returns false if it was skipped. Never blocks. */
  offerFrame(message: Buffer): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    if (!this.hasRoom()) {
      this.skip();
      return false;
    }
    this.inFlight++;
    this.sentAt.push(performance.now());
    // The callback fires once the bytes are written to the socket (or the socket failed), in send order.
    this.ws.send(message, { binary: true }, () => {
      this.inFlight--;
      this.sentAt.shift();
    });
    return true;
  }

  /** Replies (ack/error) are always sent: they are small and answer something the client asked. */
  sendMessage(message: ServerMessage | StreamMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(message));
  }

  /** Periodic status is dropped for a stalled client; the next one supersedes it anyway. */
  offerStatus(message: ServerMessage): void {
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) return;
    this.sendMessage(message);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /** Drop the connection without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }
}
