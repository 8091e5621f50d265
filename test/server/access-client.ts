/** Raw HTTP(S) and ws clients for the access-control tests (access.test.ts, access-pieces.test.ts), and
 * the tokens they use. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WebSocket } from 'ws';

export const CONTROL = 'control-token-0123456789abcdef';
export const VIEW = 'view-token-0123456789abcdef';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Raw HTTP(S): the request goes out exactly as written. */
export function http(url: string, options: { method?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Reply> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: url.slice(u.origin.length), method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A WebSocket client: resolves once open, or with the HTTP status the upgrade was refused with. */
export function connect(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<{ ws: WebSocket; replies: Record<string, unknown>[] } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const replies: Record<string, unknown>[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) replies.push(JSON.parse(String(data)) as Record<string, unknown>);
    });
    ws.once('open', () => resolve({ ws, replies }));
    ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

export async function open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}) {
  const client = await connect(url, options);
  if ('refused' in client) throw new Error(`upgrade refused with ${client.refused}`);
  return client;
}

/** Sends `message` and waits (bounded) for the ack or error that echoes its id. */
export async function ask(client: { ws: WebSocket; replies: Record<string, unknown>[] }, message: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = Math.random().toString(36).slice(2);
  client.ws.send(JSON.stringify({ ...message, id }));
  for (let i = 0; i < 250; i++) {
    const reply = client.replies.find((r) => r.id === id && (r.type === 'ack' || r.type === 'error'));
    if (reply) return reply;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no reply to ${JSON.stringify(message)}`);
}
