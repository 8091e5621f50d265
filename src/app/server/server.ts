/**
 * The live server: one http.Server for the viewer, health, metrics and recordings, with a WebSocket
 * endpoint at /ws that streams every published frame to every client without ever waiting for one.
 * Off loopback it needs tokens (two roles, access.ts), it can serve HTTPS/WSS, and it pings every client,
 * dropping one that stops answering (docs/protocol.md, "Security" and "Heartbeat").
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Observable, Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { stamp, type SegmentedFrame } from '../../core/frames/frame.js';
import { ClientChannel, DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from './client-channel.js';
import { Metrics } from './metrics.js';
import { ControlDispatcher, type ControlHandler } from './control-dispatch.js';
import { FRAME_TO_WS, controlFields, encodeFrameMessage, stageLatencies, type SessionInfo, type StatusMessage } from './protocol.js';
import { RollingStats } from './rolling-stats.js';
import { registerRecordingControls } from './recording-controls.js';
import { CompressedStreams } from './compressed-streams.js';
import { registerStreamControls } from './stream-controls.js';
import { createRequestHandler, type HealthReport } from './routes.js';
import { HARD_MAX_PAYLOAD, acceptWebSockets } from './upgrade.js';
import { AccessControl, isLoopback, type AccessTokens } from './access.js';
import type { AuditSink } from './audit-log.js';
import { DEFAULT_RATE_LIMIT, TokenBucket, type RateLimit } from './rate-limit.js';
import { remote } from './routes.js';
import type { ControlPeer } from './control-dispatch.js';
import type { ModelInfo, RecordingControl, SourceStatus } from '../../core/contracts/live-status.js';

export interface LiveServerOptions {
  /** Interface to bind; loopback by default so the viewer is not exposed to the network by accident. */
  readonly host?: string;
  /** 0 picks a free port (tests); read it back from `address`. Default 8080. */
  readonly port?: number;
  /** Processed frames; each is published as it arrives. Must be hot/shared: the server subscribes once. */
  readonly frames?: Observable<SegmentedFrame>;
  /** Shared with the pipeline so its drop counts appear in /metrics and status. */
  readonly metrics?: Metrics;
  /** With `scanners`, called with the client's scanner (status messages) or null (/healthz: all of them). */
  readonly source?: (scanner: string | null) => SourceStatus;
  readonly model?: (scanner: string | null) => ModelInfo;
  readonly recording?: RecordingControl;
  /** Mode, model classes and tracked classes of the segmentation session, for status messages and /healthz. */
  readonly session?: (scanner: string | null) => SessionInfo | undefined;
  /** Many scanners (`sam2rad serve --nats`, docs/nats.md): the scanners known now, listed in /healthz. A client
   * picks one with `/ws?scanner=ID` (default: the first listed when it connects) and gets only the frames
   * published for it (`publish(frame, scanner)`), and status messages about it. */
  readonly scanners?: () => readonly ScannerSummary[];
  /** Folder with index.html, viewer.js, viewer.css. Defaults to the viewer `npm run build` bundles into dist/. */
  readonly viewerDir?: string;
  readonly channelLimits?: Partial<ChannelLimits>;
  readonly statusIntervalMs?: number;
  /** Control messages larger than this get an error reply (the connection stays open). Default 16 KiB. */
  readonly maxControlMessageBytes?: number;
  readonly log?: (message: string) => void;
  /** Access tokens (docs/protocol.md, "Security"): `control` is required on a host other than loopback;
   * with none (loopback only) every client has the control role. */
  readonly tokens?: AccessTokens;
  /** Serve HTTPS and WSS with this PEM certificate (chain) and key. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Client messages each connection may send: a token bucket (default 20 a second, bursts of 40). */
  readonly rateLimit?: RateLimit;
  /** Where control actions, connections and refused requests are recorded (default: nowhere). */
  readonly audit?: AuditSink;
  /** Every this many ms each client is pinged; one that has not answered the previous ping by then is
   * dropped, so a dead client goes within twice this (default 15000: within 30 s). 0 turns it off. */
  readonly heartbeatMs?: number;
}

/** A connection's role, address, rate limit and liveness. */
interface Peer extends ControlPeer {
  readonly ws: WebSocket;
  /** Answered the last ping (or has not been pinged yet). */
  alive: boolean;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;

/** One scanner in /healthz `scanners` (many-scanner serve); the hub adds what it knows (worker, counts). */
export interface ScannerSummary {
  readonly id: string;
  readonly [key: string]: unknown;
}

export type { ControlClient, ControlHandler } from './control-dispatch.js';

/**
 * Locate the built viewer (index.html, viewer.css and the viewer.js bundle, written by `npm run build`
 * from src/app/viewer/ with scripts/build-viewer.mjs): beside this module when running from dist/ (or the
 * GPU bundle), in dist/ when running from src/ (vitest, tsx).
 */
function defaultViewerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'viewer'), path.resolve(here, '../../../dist/src/app/server/viewer')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'viewer.js')));
  if (!found) {
    throw new Error(`viewer not built (looked in ${candidates.join(', ')}): run npm run build, or pass the viewerDir option`);
  }
  return found;
}

export class LiveServer {
  readonly metrics: Metrics;
  private readonly http: Server | HttpsServer;
  private readonly access: AccessControl;
  private readonly peers = new Map<number, Peer>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD });
  private readonly clients = new Map<number, ClientChannel>();
  private readonly stats = new RollingStats();
  /** Many scanners: each client's scanner, and per scanner its compressed streams and rolling stats. */
  private readonly clientScanners = new Map<number, string>();
  private readonly perScanner = new Map<string, { compressed: CompressedStreams; stats: RollingStats }>();
  private readonly limits: ChannelLimits;
  private readonly controls: ControlDispatcher;
  /** Clients that subscribed to compressed frames (protocol version 2); the others get raw frames. */
  private readonly compressed: CompressedStreams;
  private readonly log: (message: string) => void;
  private readonly subscriptions: Subscription[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private nextClientId = 1;
  private recordingsRevision = 0;

  /** Create, bind and start serving. Rejects if the port cannot be bound. */
  static async listen(options: LiveServerOptions = {}): Promise<LiveServer> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host) && options.tokens?.control === undefined) {
      throw new Error(`serving on ${host} (not loopback) needs a control token (the tokens option; sam2rad serve --token)`);
    }
    const server = new LiveServer(options);
    await server.bind(host, options.port ?? 8080);
    server.start();
    return server;
  }

  private constructor(private readonly options: LiveServerOptions) {
    const viewerDir = options.viewerDir ?? defaultViewerDir();
    this.metrics = options.metrics ?? new Metrics();
    this.limits = { ...DEFAULT_CHANNEL_LIMITS, ...options.channelLimits };
    this.controls = new ControlDispatcher(options.maxControlMessageBytes ?? 16 * 1024, options.audit);
    this.access = new AccessControl(options.tokens);
    this.log = options.log ?? ((message) => console.warn(`[server] ${message}`));

    this.metrics.gauge('sam2rad_ws_clients', 'Connected WebSocket clients.', () => this.clients.size);
    this.metrics.gauge('sam2rad_source_up', '1 while the video source delivers frames, else 0.', () => (options.source?.(null).up ? 1 : 0));
    this.metrics.labelledGauge('sam2rad_source_state', '1 for the state the video source is in (connecting, streaming, reconnecting, ended, failed).', 'state', () => {
      const state = options.source?.(null).state;
      return state ? { [state]: 1 } : {};
    });
    this.metrics.gauge('sam2rad_source_reconnects', 'Reconnect attempts of the video source since it started.', () => options.source?.(null).reconnects ?? 0);
    this.metrics.gauge('sam2rad_source_state_seconds', 'Seconds since the video source entered its current state.', () => {
      const since = options.source?.(null).since;
      return since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000);
    });

    const requests = createRequestHandler({
      viewerDir,
      metrics: this.metrics,
      recording: options.recording ?? null,
      health: () => this.health(),
      access: this.access,
      secure: options.tls !== undefined,
      ...(options.audit ? { audit: options.audit } : {}),
    });
    this.http = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, requests) : createServer(requests);
    acceptWebSockets(this.http, this.wss, this.access, (req) =>
      options.audit?.({ event: 'unauthorized', address: remote(req), role: null, action: 'GET /ws' }),
    );
    this.wss.on('connection', (ws, req) => this.connect(ws, req));

    this.onControl('hello', (message, client) => {
      controlFields('hello', message);
      // After the ack, so a client sees its hello answered before the first status.
      setImmediate(() => {
        const channel = this.clients.get(client.id);
        if (channel) channel.sendMessage({ ...this.status(this.scannerOf(client.id)), skipped: channel.skipped });
      });
      return 'hello';
    });
    registerRecordingControls(this, options.recording);
    this.compressed = new CompressedStreams(this.log);
    registerStreamControls(this, { subscribe: (channel, request) => this.streamsOf(this.scannerOf(channel.id)).subscribe(channel, request) }, (id) => this.clients.get(id));
  }

  /** Bound address (port resolved when 0 was requested). */
  get address(): AddressInfo {
    return this.http.address() as AddressInfo;
  }

  /** Base URL of the viewer, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  get url(): string {
    const { address, family, port } = this.address;
    return `${this.options.tls ? 'https' : 'http'}://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
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
    const compressed = this.streamsOf(scanner);
    const targets = [...this.clients.values()].filter((channel) => this.scannerOf(channel.id) === scanner);
    // Raw frames (version 1) only for clients that did not subscribe to compressed ones.
    const raw = targets.some((channel) => !compressed.has(channel.id)) ? encodeFrameMessage(sent) : null;
    const latency = stageLatencies(sent.timestamps);

    this.metrics.framesProcessed.inc(scanner === null ? {} : { scanner });
    for (const [stage, ms] of Object.entries(latency)) this.metrics.stageLatency.observe(ms / 1000, { stage });
    (scanner === null ? this.stats : this.scannerState(scanner).stats).add(sent.timestamps.sent!, latency[FRAME_TO_WS]);

    if (raw) for (const channel of targets) if (!compressed.has(channel.id)) channel.offerFrame(raw);
    compressed.publish(sent);
  }

  /** The scanner a client watches (many-scanner serve), else null. */
  scannerOf(clientId: number): string | null {
    return this.clientScanners.get(clientId) ?? null;
  }

  private scannerState(scanner: string): { compressed: CompressedStreams; stats: RollingStats } {
    let state = this.perScanner.get(scanner);
    if (!state) this.perScanner.set(scanner, (state = { compressed: new CompressedStreams(this.log), stats: new RollingStats() }));
    return state;
  }

  private streamsOf(scanner: string | null): CompressedStreams {
    return scanner === null ? this.compressed : this.scannerState(scanner).compressed;
  }

  /** Register the handler for client messages of `type`. Returns a function that unregisters it. */
  onControl(type: string, handler: ControlHandler): () => void {
    return this.controls.on(type, handler);
  }

  health(): HealthReport & { readonly session: SessionInfo | null; readonly scanners?: readonly ScannerSummary[] } {
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
      clients: this.clients.size,
      frames: { processed: this.metrics.framesProcessed.value(), dropped: this.metrics.framesDropped.value() },
      recording: this.options.recording?.state() ?? null,
      session: this.sessionInfo(null),
      ...(this.options.scanners ? { scanners: this.options.scanners() } : {}),
    };
  }

  /** A snapshot (copied arrays) so a later change in the session never alters a message already built. */
  private sessionInfo(scanner: string | null): SessionInfo | null {
    const info = this.options.session?.(scanner);
    return info ? { mode: info.mode, classes: [...info.classes], tracked: [...info.tracked] } : null;
  }

  /** Stop accepting, close every client (1001) and release the port. */
  async close(): Promise<void> {
    clearInterval(this.statusTimer);
    clearInterval(this.heartbeatTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    for (const channel of this.clients.values()) channel.close(1001, 'server shutting down');
    // A stalled client never answers the close handshake; don't let it hold the port for ws's 30 s timeout.
    const force = setTimeout(() => {
      for (const channel of this.clients.values()) channel.terminate();
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

  private bind(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
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
      this.heartbeatTimer = setInterval(() => this.heartbeat(), heartbeat);
      this.heartbeatTimer.unref();
    }
  }

  /** Drops every client that did not answer the previous ping, and pings the others. */
  private heartbeat(): void {
    for (const [id, peer] of this.peers) {
      if (!peer.alive) {
        this.log(`client ${id} (${peer.address}) did not answer a ping: dropped`);
        peer.ws.terminate();
        continue;
      }
      peer.alive = false;
      try {
        peer.ws.ping();
      } catch {
        peer.ws.terminate();
      }
    }
  }

  private connect(ws: WebSocket, req: IncomingMessage): void {
    const channel = new ClientChannel(this.nextClientId++, ws, this.limits, () => this.metrics.wsFramesSkipped.inc());
    this.clients.set(channel.id, channel);
    if (this.options.scanners) {
      const scanner = new URL(req.url ?? '/', 'http://localhost').searchParams.get('scanner') ?? this.options.scanners()[0]?.id;
      if (scanner) this.clientScanners.set(channel.id, scanner);
    }
    // The upgrade was refused without a valid token, so the role is known here.
    const role = this.access.authenticate(req).role ?? 'view';
    const peer: Peer = { ws, role, address: remote(req), bucket: new TokenBucket(this.options.rateLimit ?? DEFAULT_RATE_LIMIT), alive: true };
    this.peers.set(channel.id, peer);
    this.options.audit?.({ event: 'connect', client: channel.id, address: peer.address, role });
    ws.on('pong', () => (peer.alive = true));
    ws.on('message', (data, isBinary) => void this.controls.dispatch(channel, data, isBinary, peer));
    ws.on('close', (code) => {
      this.options.audit?.({ event: 'disconnect', client: channel.id, address: peer.address, role, params: { code } });
      this.peers.delete(channel.id);
      this.clients.delete(channel.id);
      this.streamsOf(this.scannerOf(channel.id)).remove(channel.id);
      this.clientScanners.delete(channel.id);
    });
    // Protocol violations (e.g. > HARD_MAX_PAYLOAD) close that socket; the listener keeps them from
    // becoming unhandled errors that would take the process down.
    ws.on('error', (err) => this.log(`client ${channel.id}: ${err.message}`));
  }

  /** Status shared by all clients; each gets its own `skipped` added. */
  private status(scanner: string | null = null): Omit<StatusMessage, 'skipped'> {
    const summary = (scanner === null ? this.stats : this.scannerState(scanner).stats).summary(performance.now());
    const health = this.health();
    return {
      type: 'status',
      fps: summary.fps,
      latency: { p50: summary.p50, p95: summary.p95 },
      frames: health.frames,
      clients: health.clients,
      source: this.options.source?.(scanner) ?? null,
      recording: health.recording,
      recordingsRevision: this.recordingsRevision,
      session: scanner === null ? health.session : this.sessionInfo(scanner),
    };
  }

  private broadcastStatus(): void {
    try {
      if (this.clients.size === 0) return;
      const statuses = new Map<string | null, Omit<StatusMessage, 'skipped'>>();
      for (const channel of this.clients.values()) {
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
