import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentedFrame } from '../../src/core/frames/frame.js';
import { LiveServer } from '../../src/app/server/server.js';
import type { SourceStatus } from '../../src/core/contracts/live-status.js';
import { RecordingController } from '../../plugins/sinks/recording-control.js';
import { syntheticFrame } from './synthetic-frames.js';
import { TestClient } from './ws-client.js';

/** Raw HTTP so paths reach the server exactly as written (fetch would normalise '..'). */
function http(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: url.slice(u.origin.length), method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function json(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await http(url, method, headers);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return { status: res.status, body: JSON.parse(res.body.toString('utf8')) };
}

describe('LiveServer', () => {
  const frames = new Subject<SegmentedFrame>();
  const source: SourceStatus = { state: 'running', up: true, uri: 'synthetic://test', lastError: null };
  let server: LiveServer;
  let recordDir: string;
  let recording: RecordingController;
  let wsUrl: string;

  beforeAll(async () => {
    recordDir = await mkdtemp(path.join(tmpdir(), 'sam2rad-server-'));
    recording = new RecordingController({
      dir: recordDir,
      frames,
      context: () => ({ sourceUri: source.uri, model: { name: 'sam2rad-test', version: '0', manifestSha256: '0'.repeat(64), precision: 'fp32' } }),
    });
    server = await LiveServer.listen({
      port: 0,
      frames,
      source: () => source,
      model: () => ({ name: 'sam2rad-test', version: '0', ep: 'cpu', precision: 'fp32' }),
      recording,
      statusIntervalMs: 200,
      log: () => {},
    });
    wsUrl = `${server.url.replace('http', 'ws')}/ws`;
  });

  afterAll(async () => {
    await recording.close();
    await server.close();
    await rm(recordDir, { recursive: true, force: true });
  });

  it('binds loopback on a free port', () => {
    expect(server.address.address).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
  });

  it('reports health', async () => {
    const { status, body } = await json(`${server.url}/healthz`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      source: { state: 'running', uri: 'synthetic://test', lastError: null },
      model: { name: 'sam2rad-test', version: '0', ep: 'cpu', precision: 'fp32' },
      clients: expect.any(Number),
      frames: { processed: expect.any(Number), dropped: expect.any(Number) },
      recording: { active: false },
    });
  });

  it('streams each frame as one binary message laid out per docs/protocol.md', async () => {
    const client = await TestClient.connect(wsUrl);
    const frame = syntheticFrame(7, { width: 33, height: 21, twoClasses: true });
    const since = client.received.length;
    frames.next(frame);
    const msg = (await client.waitFor((m) => m.kind === 'binary', since)).data as Buffer;

    const headerLength = msg.readUInt32LE(0);
    const header = JSON.parse(msg.subarray(4, 4 + headerLength).toString('utf8'));
    const pixels = 33 * 21;
    expect(msg.length).toBe(4 + headerLength + 2 * pixels);
    expect(header).toMatchObject({ type: 'frame', index: 7, width: 33, height: 21 });
    expect(header.results).toEqual(frame.results.map((r) => ({ ...r, box: [...r.box] })));
    expect(header.timestamps.decoded).toBe(frame.timestamps.decoded);
    expect(header.timestamps.sent).toBeGreaterThanOrEqual(frame.timestamps.postprocessed!);
    expect(header.latency.image_encoder).toBeCloseTo(frame.timestamps.image_encoder! - frame.timestamps.preprocessed!, 6);
    expect(header.latency.frame_to_ws).toBeCloseTo(header.timestamps.sent - frame.timestamps.decoded!, 6);
    expect(Buffer.from(msg.subarray(4 + headerLength, 4 + headerLength + pixels)).equals(Buffer.from(frame.data))).toBe(true);
    expect(Buffer.from(msg.subarray(4 + headerLength + pixels)).equals(Buffer.from(frame.classMap))).toBe(true);
    client.close();
  });

  it('exposes Prometheus counters, gauges and latency histograms', async () => {
    const client = await TestClient.connect(wsUrl);
    for (let i = 0; i < 3; i++) frames.next(syntheticFrame(100 + i));
    server.metrics.framesDropped.inc({ reason: 'realtime' }, 2);
    const res = await http(`${server.url}/metrics`);
    const text = res.body.toString('utf8');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE sam2rad_frames_processed_total counter');
    expect(text).toMatch(/^sam2rad_frames_processed_total [1-9]\d*$/m);
    expect(text).toContain('sam2rad_frames_dropped_total{reason="realtime"} 2');
    expect(text).toContain('# TYPE sam2rad_ws_frames_skipped_total counter');
    expect(text).toMatch(/^sam2rad_ws_clients [1-9]$/m);
    expect(text).toMatch(/^sam2rad_source_up 1$/m);
    expect(text).toContain('# TYPE sam2rad_stage_latency_seconds histogram');
    for (const stage of ['preprocessed', 'image_encoder', 'mask_decoder', 'postprocessed', 'sent', 'frame_to_ws']) {
      expect(text).toMatch(new RegExp(`^sam2rad_stage_latency_seconds_bucket\\{le="\\+Inf",stage="${stage}"\\} [1-9]`, 'm'));
      expect(text).toMatch(new RegExp(`^sam2rad_stage_latency_seconds_count\\{stage="${stage}"\\} [1-9]`, 'm'));
    }
    const health = await json(`${server.url}/healthz`);
    expect(health.body.frames.dropped).toBe(2);
    client.close();
  });

  it('answers control messages and reports malformed ones without dropping the connection', async () => {
    const client = await TestClient.connect(wsUrl);
    const statusSince = client.received.length;
    expect(await client.request(JSON.stringify({ type: 'hello', id: 1 }))).toEqual({ type: 'ack', id: 1, message: 'hello' });
    const status = (await client.waitFor((m) => m.kind === 'json' && m.data.type === 'status', statusSince)).data as Record<string, any>;
    expect(status).toMatchObject({ fps: expect.any(Number), frames: { processed: expect.any(Number) }, skipped: 0, source: { state: 'running' } });

    const bad: [string | Buffer, RegExp][] = [
      ['not json', /not valid JSON/],
      ['[1,2]', /JSON object/],
      ['{"type":5}', /'type'/],
      ['{"type":"hello","id":{}}', /'id'/],
      ['{"type":"teleport"}', /unknown message type 'teleport'/],
      ['{"type":"record","action":"jump"}', /'action' must be 'start' or 'stop'/],
      [JSON.stringify({ type: 'hello', pad: 'x'.repeat(20_000) }), /limit/],
      [Buffer.from([1, 2, 3]), /binary/],
    ];
    for (const [payload, pattern] of bad) {
      const reply = await client.request(payload);
      expect(reply.type).toBe('error');
      expect(reply.message).toMatch(pattern);
    }
    expect(await client.request('{"type":"hello","id":"again"}')).toEqual({ type: 'ack', id: 'again', message: 'hello' });

    // Later features plug in by type; handler results and exceptions become ack/error.
    const off = server.onControl('mode', (message) => {
      if (!['auto', 'semi', 'manual'].includes(message.mode as string)) throw new Error(`mode: unknown mode '${String(message.mode)}'`);
      return `mode ${String(message.mode)}`;
    });
    expect(await client.request('{"type":"mode","mode":"semi","id":3}')).toEqual({ type: 'ack', id: 3, message: 'mode semi' });
    expect(await client.request('{"type":"mode","mode":"warp","id":4}')).toEqual({ type: 'error', id: 4, message: "mode: unknown mode 'warp'" });
    off();
    expect((await client.request('{"type":"mode","mode":"semi"}')).type).toBe('error');

    expect((await http(`${server.url}/healthz`)).status).toBe(200);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });

  it('serves the viewer and JSON 404/405 errors', async () => {
    const index = await http(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body.toString()).toContain('viewer.js');
    const js = await http(`${server.url}/viewer.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);

    const missing = await json(`${server.url}/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/not found/);
    expect((await json(`${server.url}/no/such/route`)).status).toBe(404);
    const wrongMethod = await http(`${server.url}/healthz`, 'POST');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET');
    expect((await json(`${server.url}/recording/start`)).status).toBe(405);
    expect((await json(`${server.url}/%E0%A4%A`)).status).toBe(400);
  });

  it('records over HTTP, lists and downloads recordings, and refuses path traversal', async () => {
    const crossSite = await json(`${server.url}/recording/start`, 'POST', { Origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);

    const started = await json(`${server.url}/recording/start`, 'POST');
    expect(started.status).toBe(200);
    expect(started.body.recording).toMatchObject({ active: true, id: expect.any(String) });
    expect((await json(`${server.url}/recording/start`, 'POST')).status).toBe(409);
    for (let i = 0; i < 6; i++) {
      frames.next(syntheticFrame(200 + i));
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopped = await json(`${server.url}/recording/stop`, 'POST');
    expect(stopped.status).toBe(200);
    expect(stopped.body.recording).toMatchObject({ active: false, frames: 6, error: null });
    expect((await json(`${server.url}/recording/stop`, 'POST')).status).toBe(409);

    const list = await json(`${server.url}/recordings`);
    expect(list.status).toBe(200);
    const id = started.body.recording.id as string;
    const entry = list.body.find((r: { id: string }) => r.id === id);
    expect(entry).toMatchObject({ id, complete: true, active: false, frameCount: 6, maskCount: 6 });
    expect(entry.files.map((f: { name: string }) => f.name)).toEqual(['metadata.json', 'overlay.mp4', 'source.mp4']);

    const video = await http(`${server.url}/recordings/${id}/overlay.mp4`);
    expect(video.status).toBe(200);
    expect(video.headers['content-type']).toBe('video/mp4');
    expect(video.headers['content-disposition']).toMatch(/^attachment/);
    expect(video.body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect((await http(`${server.url}/recordings/${id}/masks/000005.png`)).status).toBe(200);

    for (const evil of [
      `/recordings/${id}/../../../package.json`,
      `/recordings/..%2F..%2F/package.json`,
      `/recordings/${id}/..%2Fmetadata.json`,
      `/recordings/%2e%2e/package.json`,
      `/recordings/${id}/.metadata.json.tmp`,
    ]) {
      const res = await http(`${server.url}${evil}`);
      expect([400, 404]).toContain(res.status);
      expect(JSON.parse(res.body.toString()).error).toEqual(expect.any(String));
    }
    expect((await http(`${server.url}/recordings/${id}/nothing.mp4`)).status).toBe(404);
  });

  it('refuses WebSocket upgrades on other paths or from other sites', async () => {
    await expect(TestClient.connect(`${server.url.replace('http', 'ws')}/elsewhere`)).rejects.toThrow(/404/);
    const { WebSocket } = await import('ws');
    const foreign = new WebSocket(wsUrl, { origin: 'http://evil.example' });
    await expect(new Promise((resolve, reject) => (foreign.once('open', resolve), foreign.once('error', reject)))).rejects.toThrow(/403/);
  });
});
