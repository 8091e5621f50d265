// What the viewer paints, measured in the page: displayed frames per second and frame-to-paint latency,
// from the frame's first server stamp (normally `decoded`) to the animation frame that drew it, on the
// server's clock through an estimated offset (ServerClock). Windowed like the server's status (the last
// 3 s) for the status line; every paint is also kept (bounded) for benchmarks.
import type { ClockOffset } from './connection.js';
import type { ViewerFrame } from './frames.js';

/**
 * Server clock minus page clock (both performance.now(), ms). The `subscribe` round trip bounds it:
 * the server built the `stream` message after the subscribe left and before its reply arrived, so the
 * offset lies within ± half the round trip of the midpoint (ClockOffset). Each frame gives a lower bound:
 * it arrived after the server stamped it `sent`, so offset >= sent - arrival, and the largest such bound
 * is off by the smallest delivery delay among the frames (socket to the page's message handler: well
 * under a millisecond on loopback whenever a frame finds the page idle). The estimate is the midpoint
 * (or a frame's bound past it) for the first 30 frames, then the frames' bound alone: frame-to-paint
 * latencies err low, if at all, by that smallest delay. The midpoint is only a start: a page or server
 * busy at subscription time skews it either way (round trips of 60-120 ms were seen on the loaded test
 * machine, and midpoints off by tens of milliseconds).
 */
export class ServerClock {
  private midpoint: number | null = null;
  private lower = -Infinity;
  private upper = Infinity;
  /** Frames whose delivery bounded the offset since the subscription. */
  private deliveries = 0;
  /** Half the subscribe round trip (ms). */
  roundTripBound: number | null = null;
  /** How the current estimate was obtained. */
  method: 'round-trip' | 'frame-delivery' | null = null;

  fromRoundTrip(clock: ClockOffset): void {
    this.midpoint = clock.offsetMs;
    this.roundTripBound = clock.uncertaintyMs;
    this.lower = clock.offsetMs - clock.uncertaintyMs;
    this.upper = clock.offsetMs + clock.uncertaintyMs;
    this.deliveries = 0;
    this.method = 'round-trip';
  }

  /** A frame stamped `sent` (server clock) arrived at `receivedAt` (page clock). */
  delivered(sent: number, receivedAt: number): void {
    if (this.midpoint === null) return;
    const bound = sent - receivedAt;
    // Past the upper bound only if a clock jumped (e.g. a reconnect to another server): ignore it.
    if (bound > this.upper + 1) return;
    this.deliveries++;
    if (bound > this.lower) this.lower = bound;
    if (this.deliveries >= FRAMES_FOR_BOUND || this.lower > this.midpoint) this.method = 'frame-delivery';
  }

  /** Server clock minus page clock, or null before a compressed stream started. */
  get offsetMs(): number | null {
    if (this.midpoint === null) return null;
    return this.deliveries >= FRAMES_FOR_BOUND ? this.lower : Math.max(this.midpoint, this.lower);
  }
}

const WINDOW_MS = 3000;
/** Frames after which the offset is the frames' lower bound alone (ServerClock). */
const FRAMES_FOR_BOUND = 30;
/** Paints kept for `window.sam2radViewer.display.paints` (about 5 minutes at 60 fps). */
const MAX_PAINTS = 20_000;

export interface Paint {
  readonly index: number;
  /** performance.now() in the page when the frame was drawn. */
  readonly paintedAt: number;
  /** Server stamp of the frame's first stage (decode) to the paint, ms; null until the clock is known. */
  readonly frameToPaintMs: number | null;
  /** Server's `sent` stamp to the paint (transfer, decode, wait for the animation frame), ms. */
  readonly sentToPaintMs: number | null;
  /** Bytes of the frame's message. */
  readonly bytes: number;
}

export interface DisplaySummary {
  /** Frames painted per second over the last 3 s. */
  readonly fps: number;
  /** Frame-to-paint percentiles (ms) over the same window; null before any (or without a clock). */
  readonly frameToPaint: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null };
  /** Mean message size (bytes) of the frames painted in the window. */
  readonly bytesPerFrame: number | null;
  /** Totals since the page loaded. */
  readonly painted: number;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class DisplayStats {
  readonly clock = new ServerClock();
  readonly paints: Paint[] = [];
  painted = 0;

  /** A frame was drawn on screen now. */
  record(frame: ViewerFrame, paintedAt: number): Paint {
    const stamps = Object.values(frame.header.timestamps).filter((t): t is number => typeof t === 'number');
    const first = stamps.length > 0 ? Math.min(...stamps) : null;
    const sent = frame.header.timestamps.sent ?? null;
    if (sent !== null) this.clock.delivered(sent, frame.receivedAt);
    const offset = this.clock.offsetMs;
    const onServerClock = offset === null ? null : paintedAt + offset;
    const paint: Paint = {
      index: frame.header.index,
      paintedAt,
      frameToPaintMs: onServerClock === null || first === null ? null : round(onServerClock - first),
      sentToPaintMs: onServerClock === null || sent === null ? null : round(onServerClock - sent),
      bytes: frame.bytes,
    };
    this.paints.push(paint);
    if (this.paints.length > MAX_PAINTS) this.paints.splice(0, this.paints.length - MAX_PAINTS);
    this.painted++;
    return paint;
  }

  summary(now = performance.now()): DisplaySummary {
    const recent: Paint[] = [];
    for (let i = this.paints.length - 1; i >= 0 && this.paints[i]!.paintedAt > now - WINDOW_MS; i--) recent.push(this.paints[i]!);
    // Over the window, or since the first paint when the page is younger than the window.
    const span = Math.min(WINDOW_MS, now - (this.paints[0]?.paintedAt ?? now));
    const latencies = recent.flatMap((p) => (p.frameToPaintMs === null ? [] : [p.frameToPaintMs])).sort((a, b) => a - b);
    return {
      fps: recent.length > 1 && span > 0 ? round((recent.length / span) * 1000) : 0,
      frameToPaint: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
      bytesPerFrame: recent.length > 0 ? Math.round(recent.reduce((sum, p) => sum + p.bytes, 0) / recent.length) : null,
      painted: this.painted,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
