/** Client -> server control messages (docs/protocol.md): a handler per message `type`, registered with
 * LiveServer.onControl, and the dispatch that answers every message with exactly one `ack` or `error`. */
import type { RawData } from 'ws';
import type { ClientChannel } from './client-channel.js';
import { parseControlMessage, type ControlMessage } from './protocol.js';

/** Identifies the client a control message came from. */
export interface ControlClient {
  readonly id: number;
}

/**
 * Handles one control message type. Return a string to use as the ack message; throw to answer with
 * an error carrying the thrown message. Handlers validate their own fields.
 */
export type ControlHandler = (message: ControlMessage, client: ControlClient) => string | void | Promise<string | void>;

export class ControlDispatcher {
  private readonly handlers = new Map<string, ControlHandler>();

  /** Messages larger than `maxBytes` get an error reply (the connection stays open). */
  constructor(private readonly maxBytes: number) {}

  /** Register the handler for client messages of `type`. Returns a function that unregisters it. */
  on(type: string, handler: ControlHandler): () => void {
    if (this.handlers.has(type)) throw new Error(`a handler for control messages of type '${type}' is already registered`);
    this.handlers.set(type, handler);
    return () => {
      if (this.handlers.get(type) === handler) this.handlers.delete(type);
    };
  }

  /** Parse one WebSocket message from `channel`, run its handler and send the ack or error. */
  async dispatch(channel: ClientChannel, data: RawData, isBinary: boolean): Promise<void> {
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const parsed = parseControlMessage(buffer, isBinary, this.maxBytes);
    if (!parsed.ok) {
      channel.sendMessage({ type: 'error', ...(parsed.id !== undefined ? { id: parsed.id } : {}), message: parsed.error });
      return;
    }
    const { message } = parsed;
    const id = message.id !== undefined ? { id: message.id } : {};
    const handler = this.handlers.get(message.type);
    if (!handler) {
      const known = [...this.handlers.keys()].join(', ');
      channel.sendMessage({ type: 'error', ...id, message: `unknown message type '${message.type}'; known types: ${known}` });
      return;
    }
    try {
      const reply = await handler(message, { id: channel.id });
      channel.sendMessage({ type: 'ack', ...id, message: reply ?? `${message.type} ok` });
    } catch (err) {
      channel.sendMessage({ type: 'error', ...id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}
