import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/app/server/metrics.js';
import { stageLatencies } from '../../src/app/server/protocol.js';
import { RollingStats } from '../../src/app/server/rolling-stats.js';

describe('Metrics', () => {
  it('renders counters, gauges and cumulative histogram buckets in Prometheus text format', async () => {
    const m = new Metrics();
    let up = 1;
    m.gauge('test_up', 'Up.', () => up);
    const h = m.histogram('test_seconds', 'A "histogram"\nwith help.', ['stage'], [0.01, 0.1, 1]);
    h.observe(0.005, { stage: 'a' });
    h.observe(0.05, { stage: 'a' });
    h.observe(5, { stage: 'a' });
    h.observe(Number.NaN, { stage: 'a' });
    m.framesDropped.inc({ reason: 'stale "frame"\\' });
    up = 0;

    const text = await m.render();
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('# TYPE sam2rad_frames_processed_total counter\nsam2rad_frames_processed_total 0\n');
    expect(text).toContain('sam2rad_frames_dropped_total{reason="stale \\"frame\\"\\\\"} 1\n');
    expect(text).toContain('# TYPE test_up gauge\ntest_up 0\n');
    expect(text).toContain('# HELP test_seconds A "histogram"\\nwith help.\n');
    expect(text).toContain(
      [
        'test_seconds_bucket{le="0.01",stage="a"} 1',
        'test_seconds_bucket{le="0.1",stage="a"} 2',
        'test_seconds_bucket{le="1",stage="a"} 2',
        'test_seconds_bucket{le="+Inf",stage="a"} 3',
        'test_seconds_sum{stage="a"} 5.055',
        'test_seconds_count{stage="a"} 3',
      ].join('\n'),
    );
  });

  it('rejects misuse with clear errors', () => {
    const m = new Metrics();
    expect(() => m.counter('sam2rad_frames_processed_total', 'again')).toThrow(/already registered/);
    expect(() => m.framesProcessed.inc({ client: '1' })).toThrow(/unexpected label 'client'/);
    expect(() => m.framesProcessed.inc({}, -1)).toThrow(/>= 0/);
    expect(() => m.counter('bad name', 'x')).toThrow(/invalid metric name/);
    expect(() => m.histogram('h', 'x', [], [1, 1])).toThrow(/increase/);
  });
});

describe('Metrics (prom-client)', () => {
  it('adds the default process metrics, one registry per instance', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.counter('test_only_in_a_total', 'Only in a.').inc();
    const text = await a.render();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_max_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    expect(text).toMatch(/^test_only_in_a_total 1$/m);
    // Both instances register the same default metric names without clashing, and keep their own series.
    expect(await b.render()).not.toContain('test_only_in_a_total');
    expect(await b.render()).toContain('# TYPE process_cpu_seconds_total counter');
  });
});

describe('stageLatencies', () => {
  it('measures each stage from the previous stamp and decode→send end to end', () => {
    const latency = stageLatencies({ decoded: 100, preprocessed: 104, image_encoder: 130, postprocessed: 135, sent: 136 });
    expect(latency).toEqual({ preprocessed: 4, image_encoder: 26, postprocessed: 5, sent: 1, frame_to_ws: 36 });
  });
});

describe('RollingStats', () => {
  it('reports fps and nearest-rank latency percentiles over its window', () => {
    const stats = new RollingStats(1000);
    for (let i = 0; i < 31; i++) stats.add(10_000 + i * 33.3, i < 30 ? 10 : 100);
    const now = 10_000 + 30 * 33.3;
    const s = stats.summary(now);
    expect(s.fps).toBeCloseTo(30, 0);
    expect(s.p50).toBe(10);
    expect(s.p95).toBe(10);
    expect(stats.summary(now + 5000)).toEqual({ fps: 0, p50: null, p95: null });
  });
});
