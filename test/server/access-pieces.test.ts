/** The access-control pieces on their own (token comparison, loopback, the token bucket, sam2rad serve's
 * access options, the audit log file) and the live server over TLS (https and wss with an openssl
 * self-signed certificate). Access control of a running server is in access.test.ts. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAccess } from '../../src/app/cli/access-options.js';
import { AccessControl, generateToken, isLoopback, sameToken, withoutToken } from '../../src/app/server/access.js';
import { AuditLog } from '../../src/app/server/audit-log.js';
import { TokenBucket } from '../../src/app/server/rate-limit.js';
import { LiveServer } from '../../src/app/server/server.js';
import { CONTROL, VIEW, ask, bearer, connect, http, open } from './access-client.js';

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

  it('generates tokens that can follow --token (none starts with a dash)', () => {
    // A base64url token starts with '-' once in 64; 2000 draws without one would happen by chance once in ~10^13.
    const tokens = Array.from({ length: 2000 }, generateToken);
    expect(tokens.filter((t) => t.startsWith('-'))).toEqual([]);
    expect(new Set(tokens).size).toBe(2000);
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

describe('audit log rotation', () => {
  it('reopens at the same path: entries before go to the moved file, entries after to a new one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-audit-'));
    try {
      const file = path.join(dir, 'audit.jsonl');
      const log = new AuditLog(file);
      log.write({ event: 'control', address: '127.0.0.1:1', role: 'control', action: 'first', outcome: 'ok' });
      // As logrotate finds it: the file is there and written.
      await expect.poll(() => readFile(file, 'utf8').catch(() => '')).toContain('first');
      await rename(file, `${file}.1`);
      await log.reopen();
      log.write({ event: 'control', address: '127.0.0.1:1', role: 'control', action: 'second', outcome: 'ok' });
      await log.close();
      const actions = async (f: string) => (await readFile(f, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).action);
      expect(await actions(`${file}.1`)).toEqual(['first']);
      expect(await actions(file)).toEqual(['second']);
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
