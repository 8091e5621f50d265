// What the viewer paints, measured in the page: displayed frames per second and frame-to-paint latency,
// from the frame's first server stamp (normally `decoded`) to the animation frame that drew it, through
// the clock offset estimated when the stream was subscribed (connection.ts). Windowed like the server's
// status (the last 3 s) for the status line; every paint is also kept (bounded) for benchmarks.
import type { ClockOffset } from './connection.js';
import type { ViewerFrame } from './frames.js';

const WINDOW_MS = 3000;
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
  /** Server clock minus page clock; set when a compressed stream starts. */
  clock: ClockOffset | null = null;
  readonly paints: Paint[] = [];
  painted = 0;

  /** A frame was drawn on screen now. */
  record(frame: ViewerFrame, paintedAt: number): Paint {
    const stamps = Object.values(frame.header.timestamps).filter((t): t is number => typeof t === 'number');
    const first = stamps.length > 0 ? Math.min(...stamps) : null;
    const sent = frame.header.timestamps.sent ?? null;
    const offset = this.clock?.offsetMs;
    const onServerClock = offset === undefined ? null : paintedAt + offset;
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
