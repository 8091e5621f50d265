/**
 * The server's Prometheus metrics on prom-client. Each `Metrics` owns its own prom-client `Registry`
 * (never prom-client's global one), so several servers in one process each expose only their own series,
 * plus prom-client's default process metrics (CPU, memory, heap, event-loop lag, GC, file descriptors).
 * The server and the pipeline share one `Metrics` instance: the server counts processed frames,
 * per-client skips and latencies; the real-time policy counts the frames it drops.
 *
 * The thin wrappers below keep the checks and the synchronous `value()` the server's status needs;
 * prom-client stores the series and writes the text exposition.
 */
import * as prom from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** Content-Type of `Metrics.render()` output (Prometheus text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE: string = prom.Registry.PROMETHEUS_CONTENT_TYPE;

/** Latency buckets in seconds: dense from 1 ms to 100 ms where a real-time pipeline lives, then coarse. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5,
];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function checkName(name: string, registry: prom.Registry): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name '${name}'`);
  if (registry.getSingleMetric(name)) throw new Error(`metric ${name} is already registered`);
}

function checkLabels(metric: string, allowed: readonly string[], labels: Labels): void {
  for (const name of Object.keys(labels)) {
    if (!allowed.includes(name)) throw new Error(`metric ${metric}: unexpected label '${name}' (allowed: ${allowed.join(', ') || 'none'})`);
  }
}

/** Labels sorted by name: one series key for `{a,b}` and `{b,a}`, and a stable order in the exposition. */
function sorted(labels: Labels): Record<string, string> {
  return Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]!]));
}

/** Monotonic counter. Unlabelled counters expose 0 before their first increment so dashboards see them. */
export class Counter {
  readonly type = 'counter';
  private readonly counter: prom.Counter;
  /** Per-series totals kept here too, so `value()` answers synchronously (prom-client's `get()` is async). */
  private readonly totals = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: prom.Registry,
  ) {
    checkName(name, registry);
    this.counter = new prom.Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
  }

  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) throw new Error(`counter ${this.name}: increment must be >= 0, got ${amount}`);
    checkLabels(this.name, this.labelNames, labels);
    const series = sorted(labels);
    this.counter.inc(series, amount);
    const key = JSON.stringify(series);
    this.totals.set(key, (this.totals.get(key) ?? 0) + amount);
  }

  /** Value of one series, or the sum over all series when `labels` is omitted. */
  value(labels?: Labels): number {
    if (labels) return this.totals.get(JSON.stringify(sorted(labels))) ?? 0;
    let total = 0;
    for (const v of this.totals.values()) total += v;
    return total;
  }
}

/** Gauge read at scrape time from a callback, so it can never go stale. */
export class Gauge {
  readonly type = 'gauge';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
    registry: prom.Registry,
  ) {
    checkName(name, registry);
    new prom.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }

  value(): number {
    return this.read();
  }
}

/** A gauge with one label, every series read at scrape time from a callback (e.g. a one-hot state). */
export class LabelledGauge {
  readonly type = 'gauge';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelName: string,
    private readonly read: () => Readonly<Record<string, number>>,
    registry: prom.Registry,
  ) {
    checkName(name, registry);
    new prom.Gauge({
      name,
      help,
      labelNames: [labelName],
      registers: [registry],
      collect() {
        this.reset();
        for (const [label, value] of Object.entries(read())) this.set({ [labelName]: label }, value);
      },
    });
  }

  value(): Readonly<Record<string, number>> {
    return this.read();
  }
}

export class Histogram {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  private readonly histogram: prom.Histogram;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    buckets: readonly number[],
    registry: prom.Registry,
  ) {
    checkName(name, registry);
    if (labelNames.includes('le')) throw new Error(`histogram ${name}: 'le' is reserved`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`histogram ${name}: buckets must increase strictly`);
    }
    this.buckets = [...buckets];
    this.histogram = new prom.Histogram({ name, help, labelNames: [...labelNames], buckets: [...buckets], registers: [registry] });
  }

  observe(value: number, labels: Labels = {}): void {
    if (!Number.isFinite(value)) return; // a missing timestamp must not poison _sum
    checkLabels(this.name, this.labelNames, labels);
    this.histogram.observe(sorted(labels), value);
  }
}

/** A registry of instruments plus the instruments every Sam2Rad Live process exposes. */
export class Metrics {
  /** This instance's own prom-client registry (prom-client's global registry is never used). */
  readonly registry = new prom.Registry();

  /** Frames that reached the server (one per `publish`). */
  readonly framesProcessed: Counter;
  /** Frames the pipeline dropped (e.g. by the real-time policy); label `reason`. */
  readonly framesDropped: Counter;
  /**
   * Frames not sent to a client because its send queue was full. Summed over clients: a per-client
   * label would grow without bound as viewers reconnect; each client sees its own count in status messages.
   */
  readonly wsFramesSkipped: Counter;
  /** Per-stage latency from frame timestamps; label `stage` (a pipeline stage or `frame_to_ws`). */
  readonly stageLatency: Histogram;

  /** `perScanner` (many-scanner serve, docs/nats.md): processed and dropped frames carry a `scanner` label. */
  constructor(options: { readonly perScanner?: boolean } = {}) {
    const scanner = options.perScanner ? ['scanner'] : [];
    this.framesProcessed = this.counter('sam2rad_frames_processed_total', 'Frames processed by the pipeline and published to the server.', scanner);
    this.framesDropped = this.counter('sam2rad_frames_dropped_total', 'Frames dropped by the pipeline before processing.', ['reason', ...scanner]);
    this.wsFramesSkipped = this.counter('sam2rad_ws_frames_skipped_total', 'Frames skipped for slow WebSocket clients (summed over clients).');
    this.stageLatency = this.histogram(
      'sam2rad_stage_latency_seconds',
      'Time spent reaching each pipeline stage from the previous one; stage="frame_to_ws" is decode to WebSocket send.',
      ['stage'],
      LATENCY_BUCKETS_SECONDS,
    );
    // process_* and nodejs_* (CPU, resident memory, heap and heap spaces, event-loop lag, GC durations,
    // open and max file descriptors, active handles), read at each scrape into this registry.
    prom.collectDefaultMetrics({ register: this.registry });
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return new Counter(name, help, labelNames, this.registry);
  }

  gauge(name: string, help: string, read: () => number): Gauge {
    return new Gauge(name, help, read, this.registry);
  }

  labelledGauge(name: string, help: string, labelName: string, read: () => Readonly<Record<string, number>>): LabelledGauge {
    return new LabelledGauge(name, help, labelName, read, this.registry);
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return new Histogram(name, help, labelNames, buckets, this.registry);
  }

  /** Prometheus text exposition of every registered metric (asynchronous: prom-client collects at scrape time). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
