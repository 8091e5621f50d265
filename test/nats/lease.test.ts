import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNats, type Nats } from '../../src/app/nats/jetstream-setup.js';
import { acquireLease, readLease, releaseLease, renewLease } from '../../src/app/nats/lease.js';
import { encodeFrameMessage, readFrameMessage } from '../../src/app/nats/frame-messages.js';
import { HAVE_NATS_SERVER, startNatsServer, type TestNatsServer } from './nats-server.js';

describe.skipIf(!HAVE_NATS_SERVER)('scanner leases in JetStream KV', () => {
  let server: TestNatsServer;
  let nats: Nats;
  beforeAll(async () => {
    server = await startNatsServer();
    nats = await openNats(server.url, 'lease-test');
  });
  afterAll(async () => {
    await nats?.close();
    await server?.stop();
  });

  it('lets exactly one of several racing workers take a free scanner', async () => {
    const results = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => acquireLease(nats.leases, 'race', w, 2000)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await readLease(nats.leases, 'race'))?.worker).toBe(winners[0]!.worker);
  });

  it('is renewed by its holder only, taken over once expired, and freed by a release', async () => {
    const held = (await acquireLease(nats.leases, 's', 'a', 300))!;
    expect(held).not.toBeNull();
    expect(await acquireLease(nats.leases, 's', 'b', 300)).toBeNull();
    const renewed = (await renewLease(nats.leases, held, 300))!;
    expect(renewed.revision).toBeGreaterThan(held.revision);
    await new Promise((r) => setTimeout(r, 350));
    const taken = (await acquireLease(nats.leases, 's', 'b', 5000))!;
    expect(taken.worker).toBe('b');
    expect(taken.previous).toMatchObject({ worker: 'a', released: false });
    // The old holder's renewal fails: its revision is stale.
    expect(await renewLease(nats.leases, renewed, 300)).toBeNull();
    await releaseLease(nats.leases, taken);
    expect(await readLease(nats.leases, 's')).toBeNull();
    // A released lease is free at once, and its next holder knows it was handed over, not failed over.
    expect((await acquireLease(nats.leases, 's', 'c', 300))?.previous).toEqual({ worker: 'b', expiredMsAgo: 0, released: true });
  });

  it('carries a frame across as JPEG or raw with epoch timestamps turned back into this clock', async () => {
    const data = new Uint8Array(64 * 48).map((_, i) => (i * 7) % 256);
    const frame = { index: 12, width: 64, height: 48, data, timestamps: { decoded: performance.now() - 5 } };
    const raw = readFrameMessage(await encodeFrameMessage('s1', frame, 'raw', 30));
    expect(raw.header).toMatchObject({ scanner: 's1', index: 12, width: 64, height: 48, fps: 30, image: { format: 'raw' } });
    const back = await raw.decode();
    expect(back.data).toEqual(data);
    expect(back.timestamps.decoded).toBeCloseTo(frame.timestamps.decoded, 3);
    const jpeg = await readFrameMessage(await encodeFrameMessage('s1', frame, 'jpeg', 30, 95)).decode();
    expect(jpeg.data.length).toBe(data.length);
  });

  it('connects to a server that needs a user and password only when the URL carries them', async () => {
    const secured = await startNatsServer(['--user', 'sam2rad', '--pass', 'correct-horse-battery']);
    try {
      const [, port] = /:(\d+)$/.exec(secured.url)!;
      const ok = await openNats(`nats://sam2rad:correct-horse-battery@127.0.0.1:${port}`, 'auth-test');
      expect(await ok.scanners.put('x', '1')).toBeGreaterThan(0);
      await ok.close();
      await expect(openNats(secured.url, 'no-auth-test')).rejects.toThrow();
    } finally {
      await secured.stop();
    }
  });
});
