/** The live server with many scanners (serve --nats): a client on /ws?scanner=ID gets that scanner's frames
 * only, raw or compressed; /healthz lists the scanners; /metrics counts frames per scanner. No NATS needed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrameMessage } from '../../src/app/server/protocol.js';
import { decodeCompressedFrame } from '../../src/app/server/compressed-frame.js';
import { Metrics } from '../../src/app/server/metrics.js';
import { LiveServer } from '../../src/app/server/server.js';
import { syntheticFrame } from '../server/synthetic-frames.js';
import { TestClient } from '../server/ws-client.js';

describe('live server with many scanners', () => {
  let server: LiveServer;
  let ws: string;
  beforeAll(async () => {
    server = await LiveServer.listen({
      port: 0,
      metrics: new Metrics({ perScanner: true }),
      scanners: () => [{ id: 'a', up: true }, { id: 'b', up: true }],
      log: () => {},
    });
    ws = `${server.url.replace('http', 'ws')}/ws`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sends each client the frames of its scanner (the first listed without ?scanner)', async () => {
    const a = await TestClient.connect(`${ws}?scanner=a`);
    const b = await TestClient.connect(`${ws}?scanner=b`);
    const first = await TestClient.connect(ws);
    const bCompressed = await TestClient.connect(`${ws}?scanner=b`);
    expect((await bCompressed.request(JSON.stringify({ type: 'subscribe', version: 2 }))).type).toBe('ack');
    for (let i = 0; i < 3; i++) {
      server.publish(syntheticFrame(100 + i), 'a');
      server.publish(syntheticFrame(200 + i), 'b');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    const indices = (c: TestClient, compressed = false) =>
      c.frames.map((f) => (compressed ? decodeCompressedFrame(f) : decodeFrameMessage(f)).header.index);
    expect(indices(a)).toEqual([100, 101, 102]);
    expect(indices(b)).toEqual([200, 201, 202]);
    expect(indices(first)).toEqual([100, 101, 102]);
    expect(indices(bCompressed, true).length).toBeGreaterThan(0);
    expect(indices(bCompressed, true).every((i) => i >= 200)).toBe(true);
    expect(server.scannerOf(1)).toBe('a');
    for (const c of [a, b, first, bCompressed]) c.ws.close();

    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { scanners: { id: string }[] };
    expect(health.scanners.map((s) => s.id)).toEqual(['a', 'b']);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('sam2rad_frames_processed_total{scanner="a"} 3');
    expect(metrics).toContain('sam2rad_frames_processed_total{scanner="b"} 3');
  });
});
