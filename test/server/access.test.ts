/** Access control, TLS, rate limit, audit log and heartbeat of the live server (docs/protocol.md,
 * "Security"), with raw HTTP and ws clients on loopback. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { resolveAccess } from '../../src/app/cli/access-options.js';
import { AccessControl, isLoopback, sameToken, withoutToken } from '../../src/app/server/access.js';
import { AuditLog, type AuditEntry } from '../../src/app/server/audit-log.js';
import { TokenBucket } from '../../src/app/server/rate-limit.js';
import { LiveServer } from '../../src/app/server/server.js';
import type { RecordingControl, RecordingEvent, RecordingState } from '../../src/core/contracts/live-status.js';

const CONTROL = 'control-token-0123456789abcdef';
const VIEW = 'view-token-0123456789abcdef';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Raw HTTP(S): the request goes out exactly as written. */
function http(url: string, options: { method?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Reply> {
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

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A WebSocket client: resolves once open, or with the HTTP status the upgrade was refused with. */
function connect(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<{ ws: WebSocket; replies: Record<string, unknown>[] } | { refused: number }> {
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

async function open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}) {
  const client = await connect(url, options);
  if ('refused' in client) throw new Error(`upgrade refused with ${client.refused}`);
  return client;
}

/** Sends `message` and waits (bounded) for the ack or error that echoes its id. */
async function ask(client: { ws: WebSocket; replies: Record<string, unknown>[] }, message: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = Math.random().toString(36).slice(2);
  client.ws.send(JSON.stringify({ ...message, id }));
  for (let i = 0; i < 250; i++) {
    const reply = client.replies.find((r) => r.id === id && (r.type === 'ack' || r.type === 'error'));
    if (reply) return reply;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no reply to ${JSON.stringify(message)}`);
}

/** A recording control that only counts: enough for the routes. */
function fakeRecording(dir: string): RecordingControl & { starts: number } {
  let active = false;
  const state = (): RecordingState => ({ active, id: active ? 'r1' : null, frames: 0, error: null });
  return {
    dir,
    events: new Subject<RecordingEvent>(),
    starts: 0,
    state,
    async start() {
      this.starts++;
      active = true;
      return state();
    },
    async stop() {
      active = false;
      return state();
    },
    async list() {
      return [];
    },
  };
}

describe('access control', () => {
  const audit: AuditEntry[] = [];
  let server: LiveServer;
  let dir: string;
  let recording: ReturnType<typeof fakeRecording>;
  let base: string;
  let ws: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-access-'));
    await mkdir(path.join(dir, 'r0'));
    await writeFile(path.join(dir, 'r0', 'metadata.json'), '{"id":"r0"}');
    recording = fakeRecording(dir);
    server = await LiveServer.listen({
      port: 0,
      tokens: { control: CONTROL, view: VIEW },
      recording,
      rateLimit: { perSecond: 5, burst: 4 },
      audit: (entry) => audit.push(entry),
      source: () => ({ state: 'streaming', up: true, uri: 'rtsp://user:secret@scanner/live', lastError: null }),
      log: () => {},
    });
    server.onControl('mode', () => 'mode semi');
    server.onControl('prompt', () => 'prompt queued');
    base = server.url;
    ws = `${base.replace('http', 'ws')}/ws`;
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 401 to every HTTP route without a token, and /healthz with its status only', async () => {
    for (const route of ['/', '/viewer.js', '/metrics', '/recordings', '/recordings/r0/metadata.json']) {
      const res = await http(`${base}${route}`);
      expect(res.status, route).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(JSON.parse(res.body).error).toMatch(/a token is required/);
    }
    expect((await http(`${base}/recording/start`, { method: 'POST' })).status).toBe(401);
    expect((await http(`${base}/metrics`, { headers: bearer('wrong-token-0123456789abcdef') })).status).toBe(401);
    const health = await http(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' }); // not the source URI with its password
    expect(recording.starts).toBe(0);
    expect(audit).toContainEqual(expect.objectContaining({ event: 'unauthorized', action: 'GET /metrics', role: null }));
  });

  it('lets a view token read (metrics, health, recordings, downloads) but not control recordings', async () => {
    expect((await http(`${base}/metrics`, { headers: bearer(VIEW) })).body).toMatch(/sam2rad_source_up 1/);
    expect(JSON.parse((await http(`${base}/healthz`, { headers: bearer(VIEW) })).body).source.uri).toBe('rtsp://user:secret@scanner/live');
    expect((await http(`${base}/recordings`, { headers: bearer(VIEW) })).status).toBe(200);
    const download = await http(`${base}/recordings/r0/metadata.json?token=${VIEW}`);
    expect(download.status).toBe(200);
    expect(download.body).toBe('{"id":"r0"}');
    const refused = await http(`${base}/recording/start`, { method: 'POST', headers: bearer(VIEW) });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toMatch(/needs the control token: this request has the view token/);
    expect(recording.starts).toBe(0);
    const started = await http(`${base}/recording/start`, { method: 'POST', headers: bearer(CONTROL) });
    expect(started.status).toBe(200);
    expect(recording.starts).toBe(1);
    expect(audit).toContainEqual(expect.objectContaining({ event: 'control', role: 'view', action: 'POST /recording/start', outcome: 'denied' }));
    expect(audit).toContainEqual(expect.objectContaining({ event: 'control', role: 'control', action: 'POST /recording/start', outcome: 'ok' }));
  });

  it('turns ?token= on the viewer page into a cookie and redirects without it', async () => {
    const res = await http(`${base}/?token=${encodeURIComponent(CONTROL)}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^sam2rad_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const pair = cookie.split(';')[0]!;
    expect((await http(`${base}/metrics`, { headers: { Cookie: pair } })).status).toBe(200);
    expect((await http(`${base}/recording/stop`, { method: 'POST', headers: { Cookie: pair } })).status).toBe(200);
    const client = await open(ws, { headers: { Cookie: pair } });
    expect(await ask(client, { type: 'mode', mode: 'semi' })).toMatchObject({ type: 'ack' });
    client.ws.terminate();
  });

  it('refuses a WebSocket upgrade without a valid token (401)', async () => {
    expect(await connect(ws)).toEqual({ refused: 401 });
    expect(await connect(`${ws}?token=nope-nope-nope-nope-nope`)).toEqual({ refused: 401 });
    expect(await connect(ws, { headers: bearer(VIEW.toUpperCase()) })).toEqual({ refused: 401 });
  });

  it('lets a view connection watch but refuses its control messages; a control connection may send them', async () => {
    const viewer = await open(`${ws}?token=${VIEW}`);
    expect(await ask(viewer, { type: 'hello' })).toMatchObject({ type: 'ack', message: 'hello' });
    const refused = await ask(viewer, { type: 'mode', mode: 'auto' });
    expect(refused).toMatchObject({ type: 'error', message: "'mode' needs the control token: this connection has the view token" });
    expect(await ask(viewer, { type: 'record', action: 'start' })).toMatchObject({ type: 'error' });
    viewer.ws.terminate();

    const controller = await open(ws, { headers: bearer(CONTROL) });
    expect(await ask(controller, { type: 'mode', mode: 'semi' })).toMatchObject({ type: 'ack', message: 'mode semi' });
    expect(await ask(controller, { type: 'prompt', frame: 3, class: 'fetal_head', points: [{ x: 1, y: 2 }, { x: 3, y: 4 }] })).toMatchObject({ type: 'ack' });
    controller.ws.terminate();

    const prompt = audit.find((e) => e.action === 'prompt');
    expect(prompt).toMatchObject({ event: 'control', role: 'control', outcome: 'ok', params: { frame: 3, class: 'fetal_head', points: 2 } });
    expect(JSON.stringify(prompt)).not.toMatch(/"x"/); // counts, not coordinates
    expect(audit).toContainEqual(expect.objectContaining({ event: 'control', role: 'view', action: 'mode', outcome: 'denied' }));
    expect(audit).toContainEqual(expect.objectContaining({ event: 'connect', role: 'view' }));
    const connect = audit.find((e) => e.event === 'connect')!;
    expect(connect.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('rate-limits each client with a clear error, and lets it go on after a pause', async () => {
    const client = await open(ws, { headers: bearer(CONTROL) });
    const replies = await Promise.all(Array.from({ length: 8 }, () => ask(client, { type: 'hello' })));
    const limited = replies.filter((r) => r.type === 'error');
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(limited[0]!.message).toBe('rate limit: at most 5 messages a second (bursts of 4); this message was dropped');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await ask(client, { type: 'hello' })).toMatchObject({ type: 'ack' });
    // A second client has its own bucket.
    const other = await open(ws, { headers: bearer(CONTROL) });
    expect(await ask(other, { type: 'hello' })).toMatchObject({ type: 'ack' });
    client.ws.terminate();
    other.ws.terminate();
    expect(audit.filter((e) => e.outcome === 'rate-limited')).toHaveLength(1);
  });

  it('refuses to serve off loopback without a control token', async () => {
    await expect(LiveServer.listen({ host: '0.0.0.0', port: 0, log: () => {} })).rejects.toThrow(/0\.0\.0\.0 \(not loopback\) needs a control token/);
  });
});

describe('access pieces', () => {
  it('compares tokens in constant time whatever their length, and knows loopback', () => {
    expect(sameToken('a', 'a')).toBe(true);
    expect(sameToken('a', 'ab')).toBe(false);
    const access = new AccessControl({ control: CONTROL, view: VIEW });
    expect([access.roleOf(CONTROL), access.roleOf(VIEW), access.roleOf('x'), access.roleOf(undefined)]).toEqual(['control', 'view', null, null]);
    expect(() => new AccessControl({ control: 'short' })).toThrow(/at least 16 characters/);
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '::', '192.168.1.10', 'scanner.local'].map(isLoopback)).toEqual([false, false, false, false]);
    expect(withoutToken('/?token=abc&x=1')).toBe('/?x=1');
    expect(withoutToken('/?token=abc')).toBe('/');
  });

  it('token bucket: a burst, then the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond: 20, burst: 40 }, () => now);
    expect(Array.from({ length: 41 }, () => bucket.take()).filter(Boolean)).toHaveLength(40);
    now += 100; // 2 tokens
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });

  it('sam2rad serve: a token is generated off loopback, taken from the flag or SAM2RAD_TOKEN otherwise', async () => {
    const off = await resolveAccess({ heartbeat: '15' }, '0.0.0.0', {});
    expect(off.generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(off.tokens).toEqual({ control: off.generated });
    const env = await resolveAccess({ heartbeat: '15' }, '0.0.0.0', { SAM2RAD_TOKEN: CONTROL, SAM2RAD_VIEW_TOKEN: VIEW });
    expect(env).toMatchObject({ tokens: { control: CONTROL, view: VIEW }, heartbeatMs: 15_000 });
    expect(env.generated).toBeUndefined();
    const loopback = await resolveAccess({ heartbeat: '0' }, '127.0.0.1', {});
    expect(loopback.tokens).toEqual({});
    await expect(resolveAccess({ heartbeat: '15', token: 'short' }, '0.0.0.0', {})).rejects.toThrow(/at least 16 characters/);
    await expect(resolveAccess({ heartbeat: '15', 'tls-cert': 'x.pem' }, '127.0.0.1', {})).rejects.toThrow(/--tls-cert and --tls-key go together/);
  });

  it('writes the audit log as JSON lines to a file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-audit-'));
    try {
      const log = new AuditLog(path.join(dir, 'audit.jsonl'));
      log.write({ event: 'control', client: 1, address: '127.0.0.1:5000', role: 'control', action: 'mode', params: { mode: 'semi' }, outcome: 'ok' });
      await log.close();
      const [line, ...rest] = (await readFile(path.join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n');
      expect(rest).toEqual([]);
      expect(JSON.parse(line!)).toEqual({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), event: 'control', client: 1, address: '127.0.0.1:5000', role: 'control',
        action: 'mode', params: { mode: 'semi' }, outcome: 'ok',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TLS', () => {
  let dir: string;
  let server: LiveServer;
  let cert: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-tls-'));
    const [certFile, keyFile] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    cert = await readFile(certFile);
    const access = await resolveAccess({ heartbeat: '15', 'tls-cert': certFile, 'tls-key': keyFile }, '127.0.0.1', { SAM2RAD_TOKEN: CONTROL });
    server = await LiveServer.listen({ port: 0, tokens: access.tokens, tls: access.tls!, log: () => {} });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves https and wss with a token; the cookie is Secure', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await http(`${server.url}/metrics`, { ca: cert })).status).toBe(401);
    expect((await http(`${server.url}/metrics`, { ca: cert, headers: bearer(CONTROL) })).status).toBe(200);
    const redirect = await http(`${server.url}/?token=${CONTROL}`, { ca: cert });
    expect(String(redirect.headers['set-cookie'])).toMatch(/; Secure$/);
    const wss = `${server.url.replace('https', 'wss')}/ws`;
    expect(await connect(wss, { ca: cert })).toEqual({ refused: 401 });
    const client = await open(`${wss}?token=${CONTROL}`, { ca: cert });
    expect(await ask(client, { type: 'hello' })).toMatchObject({ type: 'ack' });
    client.ws.terminate();
    // Plain HTTP on the TLS port gets nothing useful.
    await expect(http(server.url.replace('https', 'http') + '/healthz').then((r) => r.status)).rejects.toThrow();
  });
});
