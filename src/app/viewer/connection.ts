// A WebSocket to the server that reconnects with backoff and matches replies to requests by id. On each
// connection it says hello and subscribes to compressed frames (protocol version 2); the `stream` reply
// gives the server's clock, from which it estimates the offset between the two clocks.
import type { StreamMessage } from '../server/compressed-frame.js';
import type { AckMessage, ErrorMessage, ServerMessage } from '../server/wire-format.js';

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
const REQUEST_TIMEOUT_MS = 10000;

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A client → server control message (docs/protocol.md, "Client → server"); the server checks its fields. */
export interface ControlRequest {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Server clock minus this page's (both performance.now(), ms), within ± `uncertaintyMs`. */
export interface ClockOffset {
  readonly offsetMs: number;
  readonly uncertaintyMs: number;
}

export interface ConnectionHandlers {
  onFrame(buffer: ArrayBuffer, receivedAt: number): void;
  /** Server messages that are not the reply to a request (status, unmatched ack/error). */
  onMessage(message: ServerMessage): void;
  onState(state: ConnectionState): void;
  /** The `subscribe` message sent on each connection (null: take raw frames). */
  subscription(): ControlRequest | null;
  /** The server agreed to stream compressed frames; `clock` from the subscribe round trip. */
  onStream(stream: StreamMessage, clock: ClockOffset): void;
  /** The server refused the subscription (e.g. an older server): frames come raw. */
  onSubscribeRefused(reason: string): void;
}

interface Waiter {
  resolve(ack: AckMessage): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class Connection {
  private retryMs = MIN_RETRY_MS;
  private nextId = 1;
  private readonly pending = new Map<number, Waiter>();
  private ws!: WebSocket;
  private subscribedAt: number | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.open();
  }

  private open(): void {
    this.handlers.onState('connecting');
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.retryMs = MIN_RETRY_MS;
      this.handlers.onState('open');
      this.send({ type: 'hello' });
      this.subscribe();
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data !== 'string') return this.handlers.onFrame(event.data, performance.now());
      const message = JSON.parse(event.data) as ServerMessage | StreamMessage;
      if (message.type === 'stream') {
        const now = performance.now();
        const sentAt = this.subscribedAt ?? now;
        this.handlers.onStream(message, { offsetMs: message.serverTime - (sentAt + now) / 2, uncertaintyMs: (now - sentAt) / 2 });
        return;
      }
      const id = 'id' in message ? message.id : undefined;
      const waiter = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (waiter && typeof id === 'number' && (message.type === 'ack' || message.type === 'error')) {
        this.pending.delete(id);
        clearTimeout(waiter.timer);
        if (message.type === 'ack') waiter.resolve(message);
        else waiter.reject(new Error((message as ErrorMessage).message));
        return;
      }
      this.handlers.onMessage(message);
    };
    ws.onclose = () => {
      this.handlers.onState('closed');
      for (const [id, waiter] of this.pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('connection lost'));
        this.pending.delete(id);
      }
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    };
    this.ws = ws;
  }

  /** Ask for compressed frames; the round trip to the `stream` reply times the clock offset. */
  private subscribe(): void {
    const subscription = this.handlers.subscription();
    if (!subscription) return;
    this.subscribedAt = performance.now();
    this.request(subscription).catch((err: unknown) => this.handlers.onSubscribeRefused(err instanceof Error ? err.message : String(err)));
  }

  /** Fire-and-forget JSON message; replies without a matching request go to onMessage. */
  send(message: ControlRequest): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Send a control message and resolve with its ack (reject with the server's error message). */
  request(message: ControlRequest): Promise<AckMessage> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${message.type}`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...message, id }));
    });
  }
}
