import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveServer } from '../../src/app/server/server.js';
import { decodeFrameMessage } from '../../src/app/server/protocol.js';
import { syntheticFrame } from './synthetic-frames.js';
import { TestClient } from './ws-client.js';

let server: LiveServer;

beforeAll(async () => {
  server = await LiveServer.listen({ port: 0, statusIntervalMs: 100, log: () => {} });
});

afterAll(() => server.close());

const tick = () => new Promise((r) => setTimeout(r, 2));

it('skips frames for a paused client only, while a reading client keeps receiving', { timeout: 30_000 }, async () => {
  const url = `${server.url.replace('http', 'ws')}/ws`;
  const normal = await TestClient.connect(url);
  const slow = await TestClient.connect(url);
  // Stop reading the socket: kernel buffers fill, writes stop completing, the channel must skip.
  slow.ws.pause();

  // ~150 KB per message, so the paused socket's kernel buffers fill within a few dozen frames.
  const template = syntheticFrame(0, { width: 320, height: 240 });
  let published = 0;
  while (server.metrics.wsFramesSkipped.value() < 20 && published < 2000) {
    server.publish({ ...template, index: published++, timestamps: { decoded: performance.now() } });
    await tick();
  }
  expect(server.metrics.wsFramesSkipped.value()).toBeGreaterThanOrEqual(20);

  // The reading client saw the stream continue to the end, not just its start. (Given a moment, a
  // client that reads has nothing in flight, so this last frame cannot be skipped for it.)
  await new Promise((r) => setTimeout(r, 50));
  const finalIndex = published;
  server.publish({ ...template, index: published++, timestamps: { decoded: performance.now() } });
  await normal.waitFor((m) => m.kind === 'binary' && decodeFrameMessage(m.data).header.index === finalIndex);
  const normalStatus = await normal.waitFor((m) => m.kind === 'json' && m.data.type === 'status' && (m.data.frames as { processed: number }).processed === published);
  const normalSkipped = (normalStatus.data as { skipped: number }).skipped;
  expect(normal.frames.length).toBe(published - normalSkipped);
  expect(normal.frames.length).toBeGreaterThan(published * 0.8);

  // Once the slow client reads again it drains its (bounded) backlog and receives new frames.
  const received = slow.received.length;
  const firstAfterResume = published;
  slow.ws.resume();
  const caughtUp = slow.waitFor((m) => m.kind === 'binary' && decodeFrameMessage(m.data).header.index >= firstAfterResume, received, 10_000);
  let waiting = true;
  void caughtUp.finally(() => (waiting = false));
  // Frames offered while its backlog is still draining are skipped, so keep offering until one lands.
  while (waiting && published < firstAfterResume + 500) {
    server.publish({ ...template, index: published++, timestamps: { decoded: performance.now() } });
    await new Promise((r) => setTimeout(r, 20));
  }
  await caughtUp;
  const slowStatus = await slow.waitFor((m) => m.kind === 'json' && m.data.type === 'status' && (m.data.frames as { processed: number }).processed === published, received);
  expect((slowStatus.data as { skipped: number }).skipped).toBeGreaterThanOrEqual(20);
  expect(slow.frames.length).toBeLessThan(published - 20);

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(Number(/^sam2rad_ws_frames_skipped_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(20);
  normal.close();
  slow.close();
});
