/** What the live server reports about the pipeline it serves: the video source's gauges in /metrics, the
 * /healthz body, and the status message every client gets about once a second (docs/protocol.md). */
import type { Metrics } from './metrics.js';
import type { SessionInfo, StatusMessage } from './protocol.js';
import type { RollingStats } from './rolling-stats.js';
import type { HealthReport } from './routes.js';
import type { LiveServerOptions, ScannerSummary } from './server-options.js';

/** /healthz of the live server: the routes' report, plus the session and, serving many scanners, the scanners. */
export type LiveHealth = HealthReport & { readonly session: SessionInfo | null; readonly scanners?: readonly ScannerSummary[] };

type Reported = Pick<LiveServerOptions, 'source' | 'model' | 'recording' | 'session' | 'scanners'>;

/** The source's state as gauges; read on each scrape, so /metrics is never older than the request. */
export function registerSourceGauges(metrics: Metrics, options: Pick<LiveServerOptions, 'source'>): void {
  metrics.gauge('sam2rad_source_up', '1 while the video source delivers frames, else 0.', () => (options.source?.(null).up ? 1 : 0));
  metrics.labelledGauge('sam2rad_source_state', '1 for the state the video source is in (connecting, streaming, reconnecting, ended, failed).', 'state', () => {
    const state = options.source?.(null).state;
    return state ? { [state]: 1 } : {};
  });
  metrics.gauge('sam2rad_source_reconnects', 'Reconnect attempts of the video source since it started.', () => options.source?.(null).reconnects ?? 0);
  metrics.gauge('sam2rad_source_state_seconds', 'Seconds since the video source entered its current state.', () => {
    const since = options.source?.(null).since;
    return since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000);
  });
}

export class StatusReports {
  constructor(
    private readonly options: Reported,
    private readonly metrics: Metrics,
    private readonly clientCount: () => number,
  ) {}

  health(): LiveHealth {
    const source = this.options.source?.(null) ?? null;
    return {
      status: source?.up ? 'ok' : 'degraded',
      source: {
        state: source?.state ?? 'unknown',
        uri: source?.uri ?? null,
        lastError: source?.lastError ?? null,
        ...(source?.reconnects !== undefined ? { reconnects: source.reconnects } : {}),
        ...(source?.since !== undefined ? { since: new Date(source.since).toISOString() } : {}),
      },
      model: this.options.model?.(null) ?? null,
      clients: this.clientCount(),
      frames: { processed: this.metrics.framesProcessed.value(), dropped: this.metrics.framesDropped.value() },
      recording: this.options.recording?.state() ?? null,
      session: this.sessionInfo(null),
      ...(this.options.scanners ? { scanners: this.options.scanners() } : {}),
    };
  }

  /** Status shared by the clients that watch `scanner` (`stats` are its frames'); each gets its own `skipped` added. */
  status(scanner: string | null, stats: RollingStats, recordingsRevision: number): Omit<StatusMessage, 'skipped'> {
    const summary = stats.summary(performance.now());
    const health = this.health();
    return {
      type: 'status',
      fps: summary.fps,
      latency: { p50: summary.p50, p95: summary.p95 },
      frames: health.frames,
      clients: health.clients,
      source: this.options.source?.(scanner) ?? null,
      recording: health.recording,
      recordingsRevision,
      session: scanner === null ? health.session : this.sessionInfo(scanner),
    };
  }

  /** A snapshot (copied arrays) so a later change in the session never alters a message already built. */
  private sessionInfo(scanner: string | null): SessionInfo | null {
    const info = this.options.session?.(scanner);
    return info ? { mode: info.mode, classes: [...info.classes], tracked: [...info.tracked] } : null;
  }
}
