/** `sam2rad serve` with tokens (docs/protocol.md, "Security"): SAM2RAD_TOKEN and --view-token reach the
 * server, requests without a token get 401, a view connection cannot control, and control actions land
 * in the --audit-log file, which SIGHUP reopens after a rotation. The model is left out (--model /nonexistent) so the server comes up at once. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const CONTROL = 'serve-control-token-0123456789';
const VIEW = 'serve-view-token-0123456789';
let child: ChildProcess;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-serve-access-'));
  child = spawn(process.execPath, ['dist/src/app/cli/main.js', 'serve', '--port', '0', '--model', '/nonexistent', '--view-token', VIEW,
    '--audit-log', path.join(dir, 'audit.jsonl'), '--record-dir', path.join(dir, 'rec')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SAM2RAD_TOKEN: CONTROL },
  });
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
  expect(out).not.toContain(CONTROL); // a token that was given is not printed
});

afterAll(async () => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await rm(dir, { recursive: true, force: true });
});

function ask(wsUrl: string, headers: Record<string, string>, message: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { headers });
    const timer = setTimeout(() => reject(new Error('no reply')), 5000);
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ refused: res.statusCode });
    });
    ws.once('open', () => ws.send(JSON.stringify({ ...message, id: 1 })));
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as Record<string, unknown>;
      if (reply.id !== 1) return;
      clearTimeout(timer);
      ws.terminate();
      resolve(reply);
    });
    ws.once('error', reject);
  });
}

it('serves only with a token, keeps view read-only, and audits control actions', async () => {
  expect((await fetch(`${url}/metrics`)).status).toBe(401);
  expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'degraded' });
  expect((await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${VIEW}` } })).status).toBe(200);
  const ws = `${url.replace('http', 'ws')}/ws`;
  expect(await ask(ws, {}, { type: 'hello' })).toEqual({ refused: 401 });
  expect(await ask(ws, { Authorization: `Bearer ${VIEW}` }, { type: 'record', action: 'stop' })).toMatchObject({
    type: 'error', message: "'record' needs the control token: this connection has the view token",
  });
  // Control may ask; nothing is recording, so the recorder says so.
  expect(await ask(`${ws}?token=${CONTROL}`, {}, { type: 'record', action: 'stop' })).toMatchObject({ type: 'error' });
  let lines: Record<string, unknown>[] = [];
  for (let i = 0; i < 50 && lines.filter((l) => l.action === 'record').length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    lines = (await readFile(path.join(dir, 'audit.jsonl'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
  expect(lines).toContainEqual(expect.objectContaining({ event: 'control', role: 'view', action: 'record', params: { action: 'stop' }, outcome: 'denied' }));
  expect(lines).toContainEqual(expect.objectContaining({ event: 'control', role: 'control', action: 'record', outcome: 'error' }));
  expect(lines).toContainEqual(expect.objectContaining({ event: 'unauthorized', action: 'GET /metrics' }));
});

it('reopens the audit log on SIGHUP (log rotation) and keeps serving', async () => {
  const file = path.join(dir, 'audit.jsonl');
  const actions = async (f: string) =>
    (await readFile(f, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  await rename(file, `${file}.1`);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.kill('SIGHUP');
  await expect.poll(() => stderr, { timeout: 5000 }).toContain('audit log');
  expect(child.exitCode).toBeNull();
  expect((await fetch(`${url}/metrics`)).status).toBe(401);
  await expect.poll(async () => (await actions(file)).some((l) => l.action === 'GET /metrics'), { timeout: 5000 }).toBe(true);
  expect((await actions(`${file}.1`)).some((l) => l.event === 'control')).toBe(true);
});
