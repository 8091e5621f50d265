/** Cuts ffmpeg's rawvideo byte stream into whole frames. Pipe reads end anywhere (64 KiB chunks, a frame
 * split across several or several frames in one), so bytes are copied into a frame-sized buffer and a
 * frame is released only when complete. Each frame gets its own buffer: consumers may keep it. */
export class FrameChunker {
  private frame: Uint8Array;
  private filled = 0;

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new Error(`invalid frame size ${frameBytes} bytes`);
    this.frame = new Uint8Array(frameBytes);
  }

  /** The frames completed by `chunk`, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const done: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.frame.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        done.push(this.frame);
        this.frame = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return done;
  }

  /** Bytes of an incomplete frame held back (non-zero at the end means a truncated stream). */
  get pending(): number {
    return this.filled;
  }
}
