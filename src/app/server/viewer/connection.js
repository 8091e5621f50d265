// A WebSocket to the server that reconnects with backoff and matches replies to requests by id.

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
const REQUEST_TIMEOUT_MS = 10000;

export class Connection {
  /**
   * @param {string} url ws:// URL of the server's /ws endpoint
   * @param {{ onFrame(buffer: ArrayBuffer): void, onMessage(msg: object): void, onState(state: string): void }} handlers
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.retryMs = MIN_RETRY_MS;
    this.nextId = 1;
    /** @type {Map<number, { resolve: Function, reject: Function, timer: number }>} */
    this.pending = new Map();
    this.open();
  }

  open() {
    this.handlers.onState('connecting');
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.retryMs = MIN_RETRY_MS;
      this.handlers.onState('open');
      this.send({ type: 'hello' });
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return this.handlers.onFrame(event.data);
      const message = JSON.parse(event.data);
      const waiter = message.id !== undefined ? this.pending.get(message.id) : undefined;
      if (waiter && (message.type === 'ack' || message.type === 'error')) {
        this.pending.delete(message.id);
        clearTimeout(waiter.timer);
        if (message.type === 'ack') waiter.resolve(message);
        else waiter.reject(new Error(message.message));
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

  /** Fire-and-forget JSON message; replies without a matching request go to onMessage. */
  send(message) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Send a control message and resolve with its ack (reject with the server's error message). */
  request(message) {
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
