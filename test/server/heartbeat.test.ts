/** The server pings every WebSocket client and drops one that stops answering (docs/protocol.md,
 * "Heartbeat"): with pings every 150 ms, a client that never answers is gone within 300 ms plus slack,
 * while one that answers stays. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LiveServer } from '../../src/app/server/server.js';

let server: LiveServer;
const logged: string[] = [];

beforeAll(async () => {
  server = await LiveServer.listen({ port: 0, heartbeatMs: 150, log: (line) => logged.push(line) });
});

afterAll(async () => {
  await server.close();
});

function open(options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

it('drops a client that does not answer pings and keeps one that does', async () => {
  const silent = await open({ autoPong: false }); // a client whose network or tab has died
  const alive = await open();
  let pings = 0;
  silent.on('ping', () => pings++);
  const opened = performance.now();
  const closedAfter = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the silent client was not dropped in 3 s')), 3000);
    silent.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - opened);
    });
  });
  expect(pings).toBeGreaterThanOrEqual(1);
  expect(closedAfter).toBeLessThan(2 * 150 + 400);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(alive.readyState).toBe(WebSocket.OPEN);
  expect(server.clientCount).toBe(1);
  expect(logged.some((line) => /did not answer a ping: dropped/.test(line))).toBe(true);
  alive.terminate();
});
