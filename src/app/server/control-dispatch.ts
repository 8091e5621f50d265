/** Client -> server control messages (docs/protocol.md): a handler per message `type`, registered with
 * LiveServer.onControl, and the dispatch that answers every message with exactly one `ack` or `error`.
 * Before a handler runs, the dispatch applies the client's rate limit and role (a view connection may only
 * send VIEW_MESSAGE_TYPES), and it writes every control action to the audit log. */
import type { RawData } from 'ws';
import { VIEW_MESSAGE_TYPES, type Role } from './access.js';
import { auditParams, type AuditSink } from './audit-log.js';
import type { ClientChannel } from './client-channel.js';
import { parseControlMessage, type ControlMessage } from './protocol.js';
import type { TokenBucket } from './rate-limit.js';

/** Identifies the client a control message came from. */
export interface ControlClient {
  readonly id: number;
  /** The connection's role (docs/protocol.md, "Security"); `control` when access control is off. */
  readonly role?: Role;
}

/** What the dispatcher knows about a connection besides its channel. */
export interface ControlPeer {
  readonly role: Role;
  /** Remote address:port, for the audit log. */
  readonly address: string;
  /** Its rate limit; none = unlimited. */
  readonly bucket?: TokenBucket;
  /** Set while messages are being refused by the rate limit (one audit line per streak). */
  limited?: boolean;
}

/**
 * Handles one control message type. Return a string to use as the ack message; throw to answer with
 * an error carrying the thrown message. Handlers validate their own fields.
 */
export type ControlHandler = (message: ControlMessage, client: ControlClient) => string | void | Promise<string | void>;

export class ControlDispatcher {
  private readonly handlers = new Map<string, ControlHandler>();

  /** Messages larger than `maxBytes` get an error reply (the connection stays open). */
  constructor(
    private readonly maxBytes: number,
    private readonly audit: AuditSink = () => {},
  ) {}

  /** Register the handler for client messages of `type`. Returns a function that unregisters it. */
  on(type: string, handler: ControlHandler): () => void {
    if (this.handlers.has(type)) throw new Error(`a handler for control messages of type '${type}' is already registered`);
    this.handlers.set(type, handler);
    return () => {
      if (this.handlers.get(type) === handler) this.handlers.delete(type);
    };
  }

  /** Parse one WebSocket message from `channel`, run its handler and send the ack or error. */
  async dispatch(channel: ClientChannel, data: RawData, isBinary: boolean, peer: ControlPeer = { role: 'control', address: '' }): Promise<void> {
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    // Counted before anything else, so a flood of malformed messages is limited too.
    const allowed = peer.bucket ? peer.bucket.take() : true;
    const parsed = parseControlMessage(buffer, isBinary, this.maxBytes);
    const replyId = parsed.ok ? parsed.message.id : parsed.id;
    const id = replyId !== undefined ? { id: replyId } : {};
    const who = { client: channel.id, address: peer.address, role: peer.role };
    if (!allowed) {
      const { perSecond, burst } = peer.bucket!.limit;
      if (!peer.limited) this.audit({ event: 'control', ...who, action: parsed.ok ? parsed.message.type : 'invalid', outcome: 'rate-limited' });
      peer.limited = true;
      channel.sendMessage({ type: 'error', ...id, message: `rate limit: at most ${perSecond} messages a second (bursts of ${burst}); this message was dropped` });
      return;
    }
    peer.limited = false;
    if (!parsed.ok) {
      channel.sendMessage({ type: 'error', ...id, message: parsed.error });
      return;
    }
    const { message } = parsed;
    const handler = this.handlers.get(message.type);
    if (!handler) {
      const known = [...this.handlers.keys()].join(', ');
      channel.sendMessage({ type: 'error', ...id, message: `unknown message type '${message.type}'; known types: ${known}` });
      return;
    }
    const isControl = !VIEW_MESSAGE_TYPES.has(message.type);
    const action = { event: 'control' as const, ...who, action: message.type, params: auditParams(message.type, message) };
    if (isControl && peer.role !== 'control') {
      this.audit({ ...action, outcome: 'denied' });
      channel.sendMessage({ type: 'error', ...id, message: `'${message.type}' needs the control token: this connection has the ${peer.role} token` });
      return;
    }
    try {
      const reply = await handler(message, { id: channel.id, role: peer.role });
      if (isControl) this.audit({ ...action, outcome: 'ok' });
      channel.sendMessage({ type: 'ack', ...id, message: reply ?? `${message.type} ok` });
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      // The message is not logged: a validation error may quote what the client sent.
      if (isControl) this.audit({ ...action, outcome: 'error' });
      channel.sendMessage({ type: 'error', ...id, message: text });
    }
  }
}
