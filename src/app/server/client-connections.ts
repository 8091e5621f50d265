/** The live server's WebSocket clients: for each connection its channel (the bounded queues frames and
 * messages go through), its peer record (role, address, rate limit, liveness) and, serving many scanners,
 * the scanner it watches. Its messages go to the control dispatch, and its close removes every trace of it. */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { AccessControl } from './access.js';
import { ClientChannel, type ChannelLimits } from './client-channel.js';
import type { ControlDispatcher, ControlPeer } from './control-dispatch.js';
import { pingOrDrop, type Pinged } from './heartbeat.js';
import type { Metrics } from './metrics.js';
import { DEFAULT_RATE_LIMIT, TokenBucket } from './rate-limit.js';
import { remote } from './routes.js';
import type { LiveServerOptions } from './server-options.js';

/** A connection's role, address, rate limit and liveness. */
interface Peer extends ControlPeer, Pinged {}

/** What the connections share with the rest of the server. */
export interface ConnectionContext {
  readonly limits: ChannelLimits;
  readonly metrics: Metrics;
  readonly access: AccessControl;
  readonly controls: ControlDispatcher;
  readonly log: (message: string) => void;
  /** A connection closed; called while its scanner is still known, so what was kept for it there can go. */
  readonly closed: (clientId: number, scanner: string | null) => void;
}

export class ClientConnections {
  private readonly clients = new Map<number, ClientChannel>();
  private readonly peers = new Map<number, Peer>();
  private readonly clientScanners = new Map<number, string>();
  private nextClientId = 1;

  constructor(
    private readonly options: Pick<LiveServerOptions, 'scanners' | 'rateLimit' | 'audit'>,
    private readonly context: ConnectionContext,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  channel(clientId: number): ClientChannel | undefined {
    return this.clients.get(clientId);
  }

  /** The open connections' channels (a live view: a connection closing meanwhile drops out). */
  channels(): IterableIterator<ClientChannel> {
    return this.clients.values();
  }

  /** The scanner a client watches (many-scanner serve), else null. */
  scannerOf(clientId: number): string | null {
    return this.clientScanners.get(clientId) ?? null;
  }

  /** Drops every client that did not answer the previous ping, and pings the others. */
  heartbeat(): void {
    pingOrDrop(this.peers, this.context.log);
  }

  connect(ws: WebSocket, req: IncomingMessage): void {
    const { options, context } = this;
    const channel = new ClientChannel(this.nextClientId++, ws, context.limits, () => context.metrics.wsFramesSkipped.inc());
    this.clients.set(channel.id, channel);
    if (options.scanners) {
      const scanner = new URL(req.url ?? '/', 'http://localhost').searchParams.get('scanner') ?? options.scanners()[0]?.id;
      if (scanner) this.clientScanners.set(channel.id, scanner);
    }
    // The upgrade was refused without a valid token, so the role is known here.
    const role = context.access.authenticate(req).role ?? 'view';
    const peer: Peer = { ws, role, address: remote(req), bucket: new TokenBucket(options.rateLimit ?? DEFAULT_RATE_LIMIT), alive: true };
    this.peers.set(channel.id, peer);
    options.audit?.({ event: 'connect', client: channel.id, address: peer.address, role });
    ws.on('pong', () => (peer.alive = true));
    ws.on('message', (data, isBinary) => void context.controls.dispatch(channel, data, isBinary, peer));
    ws.on('close', (code) => {
      options.audit?.({ event: 'disconnect', client: channel.id, address: peer.address, role, params: { code } });
      this.peers.delete(channel.id);
      this.clients.delete(channel.id);
      context.closed(channel.id, this.scannerOf(channel.id));
      this.clientScanners.delete(channel.id);
    });
    // Protocol violations (e.g. > HARD_MAX_PAYLOAD) close that socket; the listener keeps them from
    // becoming unhandled errors that would take the process down.
    ws.on('error', (err) => context.log(`client ${channel.id}: ${err.message}`));
  }
}
