/** Frame rate and latency percentiles over a sliding time window, for status messages. */

export interface RollingSummary {
  readonly fps: number;
  readonly p50: number | null;
  readonly p95: number | null;
}

export class RollingStats {
  private readonly times: number[] = [];
  private readonly latencies: number[] = [];

  /**
   * @param windowMs how far back samples count
   * @param maxSamples hard cap so a very high frame rate cannot grow the window without bound
   */
  constructor(
    private readonly windowMs = 3000,
    private readonly maxSamples = 1000,
  ) {}

  /** Record one published frame at `now` (ms, monotonic) with its end-to-end latency (ms) if known. */
  add(now: number, latencyMs: number | undefined): void {
    this.times.push(now);
    this.latencies.push(latencyMs ?? NaN);
    if (this.times.length > this.maxSamples) {
      this.times.shift();
      this.latencies.shift();
    }
  }

  summary(now: number): RollingSummary {
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < cutoff) drop++;
    this.times.splice(0, drop);
    this.latencies.splice(0, drop);

    const n = this.times.length;
    // Rate over the span actually covered (a window only half full must not halve the fps), measured
    // up to now so that the rate decays when frames stop arriving.
    const span = n >= 2 ? now - this.times[0]! : 0;
    const fps = span > 0 ? ((n - 1) * 1000) / span : 0;
    const sorted = this.latencies.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    return { fps, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
