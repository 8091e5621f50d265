/** A test WebSocket client that collects everything it receives and can wait for a matching message. */
import { WebSocket } from 'ws';

export type Received = { readonly kind: 'binary'; readonly data: Buffer } | { readonly kind: 'json'; readonly data: Record<string, unknown> };

export class TestClient {
  readonly received: Received[] = [];
  private waiters: { match: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buffer = data as Buffer;
      const message: Received = isBinary ? { kind: 'binary', data: buffer } : { kind: 'json', data: JSON.parse(buffer.toString('utf8')) };
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  get frames(): Buffer[] {
    return this.received.flatMap((m) => (m.kind === 'binary' ? [m.data] : []));
  }

  json(type: string): Record<string, unknown>[] {
    return this.received.flatMap((m) => (m.kind === 'json' && m.data.type === type ? [m.data] : []));
  }

  /** Resolves with the first message (already received after `since`, or future) that matches. */
  waitFor(match: (m: Received) => boolean, since = 0, timeoutMs = 5000): Promise<Received> {
    const existing = this.received.slice(since).find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a WebSocket message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Send a raw text or binary message and wait for the reply of the given type received after it. */
  async request(payload: string | Buffer, replyType: 'ack' | 'error' | 'ack|error' = 'ack|error'): Promise<Record<string, unknown>> {
    const since = this.received.length;
    this.ws.send(payload, { binary: Buffer.isBuffer(payload) });
    const types = replyType.split('|');
    const reply = await this.waitFor((m) => m.kind === 'json' && types.includes(String(m.data.type)), since);
    return (reply as Extract<Received, { kind: 'json' }>).data;
  }

  close(): void {
    this.ws.terminate();
  }
}
