/** Access control of the live server (docs/protocol.md, "Security"), with raw HTTP and ws clients on
 * loopback: 401 without a token, the view and control roles, the ?token= cookie, the rate limit and the
 * audit log's entries. The pieces on their own and TLS are in access-pieces.test.ts. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/app/server/audit-log.js';
import { LiveServer } from '../../src/app/server/server.js';
import type { RecordingControl, RecordingEvent, RecordingState } from '../../src/core/contracts/live-status.js';
import { CONTROL, VIEW, ask, bearer, connect, http, open } from './access-client.js';

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
