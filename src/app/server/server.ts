/**
 * The live server: one http.Server for the viewer, health, metrics and recordings, with a WebSocket
 * endpoint at /ws that streams every published frame to every client without ever waiting for one.
 * Off loopback it needs tokens (two roles, access.ts), it can serve HTTPS/WSS (listener.ts), and it pings
 * every client, dropping one that stops answering (heartbeat.ts; docs/protocol.md, "Security" and
 * "Heartbeat"). The clients are kept in client-connections.ts, per-scanner state in scanner-feeds.ts, and
 * /healthz and status messages are built in status-reports.ts.
 */
import type { AddressInfo } from 'node:net';
import type { Subscription } from 'rxjs';
import { WebSocketServer } from 'ws';
import { stamp, type SegmentedFrame } from '../../core/frames/frame.js';
import { AccessControl, isLoopback } from './access.js';
import { DEFAULT_CHANNEL_LIMITS } from './client-channel.js';
import { ClientConnections } from './client-connections.js';
import { ControlDispatcher, type ControlHandler } from './control-dispatch.js';
import { DEFAULT_HEARTBEAT_MS } from './heartbeat.js';
import { registerHelloControl } from './hello-control.js';
import { bindListener, createListener, listenerUrl, type Listener } from './listener.js';
import { Metrics } from './metrics.js';
import { FRAME_TO_WS, encodeFrameMessage, stageLatencies, type StatusMessage } from './protocol.js';
import { registerRecordingControls } from './recording-controls.js';
import { createRequestHandler, remote } from './routes.js';
import { ScannerFeeds } from './scanner-feeds.js';
import type { LiveServerOptions } from './server-options.js';
import { StatusReports, registerSourceGauges, type LiveHealth } from './status-reports.js';
import { registerStreamControls } from './stream-controls.js';
import { HARD_MAX_PAYLOAD, acceptWebSockets } from './upgrade.js';
import { defaultViewerDir } from './viewer-dir.js';

// Re-exported so the server's users (the CLI, the NATS hub, index.ts) have one module to import from.
export type { LiveServerOptions, ScannerSummary } from './server-options.js';
export type { ControlClient, ControlHandler } from './control-dispatch.js';
export { DEFAULT_HEARTBEAT_MS } from './heartbeat.js';

export class LiveServer {
  readonly metrics: Metrics;
  private readonly http: Listener;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD });
  private readonly clients: ClientConnections;
  /** Per scanner (null: the single one) the compressed streams and the rolling stats for status. */
  private readonly feeds: ScannerFeeds;
  private readonly reports: StatusReports;
  private readonly controls: ControlDispatcher;
  private readonly log: (message: string) => void;
  private readonly subscriptions: Subscription[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private recordingsRevision = 0;

  /** Create, bind and start serving. Rejects if the port cannot be bound. */
  static async listen(options: LiveServerOptions = {}): Promise<LiveServer> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host) && options.tokens?.control === undefined) {
      throw new Error(`serving on ${host} (not loopback) needs a control token (the tokens option; sam2rad serve --token)`);
    }
    const server = new LiveServer(options);
    await bindListener(server.http, host, options.port ?? 8080);
    server.start();
    return server;
  }

  private constructor(private readonly options: LiveServerOptions) {
    const viewerDir = options.viewerDir ?? defaultViewerDir();
    this.metrics = options.metrics ?? new Metrics();
    this.controls = new ControlDispatcher(options.maxControlMessageBytes ?? 16 * 1024, options.audit);
    const access = new AccessControl(options.tokens);
    this.log = options.log ?? ((message) => console.warn(`[server] ${message}`));
    this.feeds = new ScannerFeeds(this.log);
    this.clients = new ClientConnections(options, {
      limits: { ...DEFAULT_CHANNEL_LIMITS, ...options.channelLimits },
      metrics: this.metrics,
      access,
      controls: this.controls,
      log: this.log,
      closed: (clientId, scanner) => this.feeds.of(scanner).compressed.remove(clientId),
    });
    this.reports = new StatusReports(options, this.metrics, () => this.clients.size);

    this.metrics.gauge('sam2rad_ws_clients', 'Connected WebSocket clients.', () => this.clients.size);
    registerSourceGauges(this.metrics, options);

    const requests = createRequestHandler({
      viewerDir,
      metrics: this.metrics,
      recording: options.recording ?? null,
      health: () => this.health(),
      access,
      secure: options.tls !== undefined,
      ...(options.audit ? { audit: options.audit } : {}),
    });
    this.http = createListener(options.tls, requests);
    acceptWebSockets(this.http, this.wss, access, (req) =>
      options.audit?.({ event: 'unauthorized', address: remote(req), role: null, action: 'GET /ws' }),
    );
    this.wss.on('connection', (ws, req) => this.clients.connect(ws, req));

    const channel = (clientId: number) => this.clients.channel(clientId);
    registerHelloControl(this, channel, (clientId) => this.status(this.scannerOf(clientId)));
    registerRecordingControls(this, options.recording);
    registerStreamControls(this, { subscribe: (target, request) => this.feeds.of(this.scannerOf(target.id)).compressed.subscribe(target, request) }, channel);
  }

  /** Bound address (port resolved when 0 was requested). */
  get address(): AddressInfo {
    return this.http.address() as AddressInfo;
  }

  /** Base URL of the viewer, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  get url(): string {
    return listenerUrl(this.address, this.options.tls !== undefined);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Send a processed frame to every client (stamping `sent`) and record its metrics. Synchronous: slow
   * clients skip the frame instead of delaying it. Throws if the frame's buffers do not match its size.
   */
  publish(frame: SegmentedFrame, scanner: string | null = null): void {
    const sent = stamp(frame, 'sent');
    const { compressed, stats } = this.feeds.of(scanner);
    const targets = [...this.clients.channels()].filter((channel) => this.scannerOf(channel.id) === scanner);
    // Raw frames (version 1) only for clients that did not subscribe to compressed ones.
    const raw = targets.some((channel) => !compressed.has(channel.id)) ? encodeFrameMessage(sent) : null;
    const latency = stageLatencies(sent.timestamps);

    this.metrics.framesProcessed.inc(scanner === null ? {} : { scanner });
    for (const [stage, ms] of Object.entries(latency)) this.metrics.stageLatency.observe(ms / 1000, { stage });
    stats.add(sent.timestamps.sent!, latency[FRAME_TO_WS]);

    if (raw) for (const channel of targets) if (!compressed.has(channel.id)) channel.offerFrame(raw);
    compressed.publish(sent);
  }

  /** The scanner a client watches (many-scanner serve), else null. */
  scannerOf(clientId: number): string | null {
    return this.clients.scannerOf(clientId);
  }

  /** Register the handler for client messages of `type`. Returns a function that unregisters it. */
  onControl(type: string, handler: ControlHandler): () => void {
    return this.controls.on(type, handler);
  }

  health(): LiveHealth {
    return this.reports.health();
  }

  /** Stop accepting, close every client (1001) and release the port. */
  async close(): Promise<void> {
    clearInterval(this.statusTimer);
    clearInterval(this.heartbeatTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    for (const channel of this.clients.channels()) channel.close(1001, 'server shutting down');
    // A stalled client never answers the close handshake; don't let it hold the port for ws's 30 s timeout.
    const force = setTimeout(() => {
      for (const channel of this.clients.channels()) channel.terminate();
    }, 1000);
    this.wss.close();
    try {
      await new Promise<void>((resolve, reject) => {
        this.http.close((err) => (err ? reject(err) : resolve()));
        this.http.closeAllConnections();
      });
    } finally {
      clearTimeout(force);
    }
  }

  private start(): void {
    const { options } = this;
    if (options.frames) {
      this.subscriptions.push(
        options.frames.subscribe({
          next: (frame) => {
            try {
              this.publish(frame);
            } catch (err) {
              this.log(`frame not published: ${(err as Error).message}`);
            }
          },
          error: (err: unknown) => this.log(`frame stream failed: ${err instanceof Error ? err.message : String(err)}`),
        }),
      );
    }
    if (options.recording) {
      this.subscriptions.push(
        options.recording.events.subscribe(() => {
          this.recordingsRevision++;
          this.broadcastStatus();
        }),
      );
    }
    this.statusTimer = setInterval(() => this.broadcastStatus(), options.statusIntervalMs ?? 1000);
    this.statusTimer.unref();
    const heartbeat = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (heartbeat > 0) {
      this.heartbeatTimer = setInterval(() => this.clients.heartbeat(), heartbeat);
      this.heartbeatTimer.unref();
    }
  }

  /** Status shared by all clients of `scanner`; each gets its own `skipped` added. */
  private status(scanner: string | null = null): Omit<StatusMessage, 'skipped'> {
    return this.reports.status(scanner, this.feeds.of(scanner).stats, this.recordingsRevision);
  }

  private broadcastStatus(): void {
    try {
      if (this.clients.size === 0) return;
      const statuses = new Map<string | null, Omit<StatusMessage, 'skipped'>>();
      for (const channel of this.clients.channels()) {
        const scanner = this.scannerOf(channel.id);
        let status = statuses.get(scanner);
        if (!status) statuses.set(scanner, (status = this.status(scanner)));
        channel.offerStatus({ ...status, skipped: channel.skipped });
      }
    } catch (err) {
      this.log(`status not sent: ${(err as Error).message}`);
    }
  }
}
