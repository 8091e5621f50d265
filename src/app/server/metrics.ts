/**
 * Counters, gauges and histograms with a hand-written Prometheus text exposition (format 0.0.4).
 * The server and the pipeline share one `Metrics` instance: the server counts processed frames,
 * per-client skips and latencies; the real-time policy counts the frames it drops.
 */

export type Labels = Readonly<Record<string, string>>;

/** Content-Type of `Metrics.render()` output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latency buckets in seconds: dense from 1 ms to 100 ms where a real-time pipeline lives, then coarse. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5,
];

interface Instrument {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  samples(): string[];
}

/** Series key: labels sorted by name so `{a,b}` and `{b,a}` are one series. */
function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n]!)}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function checkLabels(metric: string, allowed: readonly string[], labels: Labels): void {
  for (const name of Object.keys(labels)) {
    if (!allowed.includes(name)) throw new Error(`metric ${metric}: unexpected label '${name}' (allowed: ${allowed.join(', ') || 'none'})`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

abstract class BaseInstrument {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name '${name}'`);
  }
}

/** Monotonic counter. Unlabelled counters expose 0 before their first increment so dashboards see them. */
export class Counter extends BaseInstrument implements Instrument {
  readonly type = 'counter';
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) throw new Error(`counter ${this.name}: increment must be >= 0, got ${amount}`);
    checkLabels(this.name, this.labelNames, labels);
    const key = seriesKey(labels);
    const entry = this.series.get(key);
    if (entry) entry.value += amount;
    else this.series.set(key, { labels: { ...labels }, value: amount });
  }

  /** Value of one series, or the sum over all series when `labels` is omitted. */
  value(labels?: Labels): number {
    if (labels) return this.series.get(seriesKey(labels))?.value ?? 0;
    let total = 0;
    for (const s of this.series.values()) total += s.value;
    return total;
  }

  samples(): string[] {
    if (this.series.size === 0 && this.labelNames.length === 0) return [`${this.name} 0`];
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

/** Gauge read at scrape time from a callback, so it can never go stale. */
export class Gauge implements Instrument {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name '${name}'`);
  }

  value(): number {
    return this.read();
  }

  samples(): string[] {
    return [`${this.name} ${formatValue(this.read())}`];
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends BaseInstrument implements Instrument {
  readonly type = 'histogram';
  private readonly series = new Map<string, HistogramSeries>();
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    if (labelNames.includes('le')) throw new Error(`histogram ${name}: 'le' is reserved`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`histogram ${name}: buckets must increase strictly`);
    }
    this.buckets = [...buckets];
  }

  observe(value: number, labels: Labels = {}): void {
    if (!Number.isFinite(value)) return; // a missing timestamp must not poison _sum
    checkLabels(this.name, this.labelNames, labels);
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  samples(): string[] {
    const lines: string[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        lines.push(`${this.name}_bucket${formatLabels({ ...s.labels, le: formatValue(le) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${formatLabels({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${formatLabels(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A registry of instruments plus the instruments every Sam2Rad Live process exposes. */
export class Metrics {
  private readonly instruments = new Map<string, Instrument>();

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

  constructor() {
    this.framesProcessed = this.counter('sam2rad_frames_processed_total', 'Frames processed by the pipeline and published to the server.');
    this.framesDropped = this.counter('sam2rad_frames_dropped_total', 'Frames dropped by the pipeline before processing.', ['reason']);
    this.wsFramesSkipped = this.counter('sam2rad_ws_frames_skipped_total', 'Frames skipped for slow WebSocket clients (summed over clients).');
    this.stageLatency = this.histogram(
      'sam2rad_stage_latency_seconds',
      'Time spent reaching each pipeline stage from the previous one; stage="frame_to_ws" is decode to WebSocket send.',
      ['stage'],
      LATENCY_BUCKETS_SECONDS,
    );
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, read: () => number): Gauge {
    return this.register(new Gauge(name, help, read));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, labelNames, buckets));
  }

  /** Prometheus text exposition of every registered instrument. */
  render(): string {
    const out: string[] = [];
    for (const m of this.instruments.values()) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...m.samples());
    }
    return out.join('\n') + '\n';
  }

  private register<T extends Instrument>(instrument: T): T {
    if (this.instruments.has(instrument.name)) throw new Error(`metric ${instrument.name} is already registered`);
    this.instruments.set(instrument.name, instrument);
    return instrument;
  }
}
