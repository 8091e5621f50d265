/** Times a live feed's frames so that its stall watchdog scales with the feed's own frame rate: a 30 fps
 * feed that stops is noticed after a second, a 1 fps feed is given several seconds. The estimate (the
 * median of the latest frame intervals) survives reconnects, so a feed that comes back is watched as
 * tightly as before from its first frame. */
import type { RawFrame } from './ffmpeg-process.js';

export interface FrameClockOptions {
  /** A fixed stall timeout in ms (the `stallTimeoutMs` source option); else it follows the frame rate. */
  readonly fixedMs?: number;
  /** Frame intervals without a frame before the feed counts as stalled (default 6). */
  readonly frames?: number;
  /** Never less than this (default 1000 ms): decoders deliver in bursts, and a loaded machine pauses. */
  readonly floorMs?: number;
  /** Never more than this (default 10000 ms), and the timeout while the rate is not yet known (5000 ms). */
  readonly ceilingMs?: number;
  readonly unknownMs?: number;
}

export const FRAME_CLOCK_DEFAULTS = { frames: 6, floorMs: 1_000, ceilingMs: 10_000, unknownMs: 5_000 } as const;

/** Intervals kept for the median. */
const WINDOW = 31;

export class FrameClock {
  private last: number | undefined;
  private readonly intervals: number[] = [];

  constructor(private readonly options: FrameClockOptions = {}) {}

  /** A frame arrived at `now` (performance.now() ms). */
  tick(now: number = performance.now()): void {
    if (this.last !== undefined) {
      this.intervals.push(now - this.last);
      if (this.intervals.length > WINDOW) this.intervals.shift();
    }
    this.last = now;
  }

  /** A new decoder starts: the gap since the previous decoder's last frame is not a frame interval. */
  restart(): void {
    this.last = undefined;
  }

  /** Median frame interval in ms, once a few frames were seen. */
  get intervalMs(): number | undefined {
    if (this.intervals.length < 4) return undefined;
    const sorted = [...this.intervals].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  /** How long without a new frame counts as a stall now. */
  stallTimeoutMs(): number {
    if (this.options.fixedMs !== undefined) return this.options.fixedMs;
    const floor = this.options.floorMs ?? FRAME_CLOCK_DEFAULTS.floorMs;
    const ceiling = Math.max(floor, this.options.ceilingMs ?? FRAME_CLOCK_DEFAULTS.ceilingMs);
    const interval = this.intervalMs;
    if (interval === undefined) return Math.min(ceiling, Math.max(floor, this.options.unknownMs ?? FRAME_CLOCK_DEFAULTS.unknownMs));
    return Math.min(ceiling, Math.max(floor, (this.options.frames ?? FRAME_CLOCK_DEFAULTS.frames) * interval));
  }

  /** Passes a decoder's frames through, timing each. */
  async *timed(frames: AsyncIterable<RawFrame>): AsyncGenerator<RawFrame> {
    this.restart();
    for await (const frame of frames) {
      this.tick();
      yield frame;
    }
  }
}
