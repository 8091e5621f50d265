/** Protocol version 2: compressed frames. The class map travels as label runs (exact), the grey image as
 * a JPEG encoded once per size and quality for every subscriber; clients that do not subscribe keep
 * getting raw frames; a subscribe message is checked like every control message; a client that falls
 * behind gets lower quality before frames are skipped for it. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPRESSED_PROTOCOL_VERSION,
  compressedFrameHeader,
  decodeCompressedFrame,
  decodeLabelRuns,
  encodeCompressedFrame,
  encodeLabelRuns,
  frameMessageVersion,
  imageVariant,
} from '../../src/app/server/compressed-frame.js';
import { controlFields, decodeFrameMessage, type ControlMessage } from '../../src/app/server/protocol.js';
import { LiveServer } from '../../src/app/server/server.js';
import { syntheticFrame } from './synthetic-frames.js';
import { TestClient } from './ws-client.js';

describe('label runs', () => {
  it('round-trip class maps exactly, aligned or not, with runs longer than a varint byte', () => {
    const cases: Uint8Array[] = [
      syntheticFrame(5, { width: 33, height: 21, twoClasses: true }).classMap,
      new Uint8Array(1920 * 1080),
      Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5 === 0 ? (i % 3) + 1 : 0),
      new Uint8Array([3]),
    ];
    const big = new Uint8Array(1920 * 1080);
    big.fill(2, 100_000, 1_500_000);
    big.fill(255, 1_600_001, 1_600_003);
    cases.push(big);
    // A view that does not start on a word boundary.
    const backing = new Uint8Array(1001);
    backing.fill(1, 10, 500);
    cases.push(backing.subarray(1));
    for (const labels of cases) {
      const runs = Uint8Array.from(encodeLabelRuns(labels));
      expect(Buffer.from(decodeLabelRuns(runs, labels.length)).equals(Buffer.from(labels))).toBe(true);
    }
    // An empty 1080p map is one run: value 0 and a 3-byte length.
    expect(encodeLabelRuns(new Uint8Array(1920 * 1080)).length).toBe(4);
    // Decoding into a reused buffer overwrites every byte.
    const reused = new Uint8Array(big.length).fill(9);
    decodeLabelRuns(Uint8Array.from(encodeLabelRuns(big)), big.length, reused);
    expect(Buffer.from(reused).equals(Buffer.from(big))).toBe(true);
  });

  it('refuse runs that do not cover the map', () => {
    const runs = Uint8Array.from(encodeLabelRuns(new Uint8Array(100)));
    expect(() => decodeLabelRuns(runs, 99)).toThrow('label runs cover more than 99 pixels');
    expect(() => decodeLabelRuns(runs, 101)).toThrow('label runs cover 100 pixels, expected 101');
    expect(() => decodeLabelRuns(new Uint8Array([1, 0x80]), 10)).toThrow('truncated');
  });
});

describe('compressed frame messages', () => {
  it('carry the frame header, the image and the runs, and say their version', () => {
    const frame = { ...syntheticFrame(4, { twoClasses: true }), roi: { x: 1, y: 2, width: 30, height: 20 } };
    const image = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
    const mask = Uint8Array.from(encodeLabelRuns(frame.classMap));
    const header = compressedFrameHeader(frame, { width: 32, height: 24, quality: 60, bytes: image.length }, mask.length);
    const message = encodeCompressedFrame(header, image, mask, (n) => new Uint8Array(n));
    const decoded = decodeCompressedFrame(message);
    expect(decoded.header).toMatchObject({ type: 'frame', version: 2, index: 4, width: 64, height: 48, roi: frame.roi });
    expect(decoded.header.image).toEqual({ format: 'jpeg', width: 32, height: 24, quality: 60, bytes: 5 });
    expect(decoded.header.mask).toEqual({ encoding: 'runs', width: 64, height: 48, bytes: mask.length });
    expect(decoded.header.results).toEqual(frame.results.map((r) => ({ ...r, box: [...r.box] })));
    expect([...decoded.image]).toEqual([...image]);
    expect(Buffer.from(decodeLabelRuns(decoded.mask, 64 * 48)).equals(Buffer.from(frame.classMap))).toBe(true);
    expect(frameMessageVersion(message)).toBe(2);
    expect(() => decodeFrameMessage(message)).toThrow(/expected/);
    expect(() => decodeCompressedFrame(message.subarray(0, message.length - 1))).toThrow(/expected/);
  });

  it('size the image to the request: a scale, a bounding box, never larger than the frame', () => {
    expect(imageVariant(1920, 1080, { scale: 1, quality: 75 })).toEqual({ width: 1920, height: 1080, quality: 75 });
    expect(imageVariant(1920, 1080, { scale: 0.5, quality: 75 })).toEqual({ width: 960, height: 540, quality: 75 });
    expect(imageVariant(1920, 1080, { scale: 1, maxWidth: 800, quality: 75 })).toEqual({ width: 800, height: 450, quality: 75 });
    expect(imageVariant(1920, 1080, { scale: 1, maxWidth: 4000, maxHeight: 270, quality: 75 })).toEqual({ width: 480, height: 270, quality: 75 });
    expect(imageVariant(640, 480, { scale: 1, maxWidth: 1280, quality: 75 })).toEqual({ width: 640, height: 480, quality: 75 });
    // Levels for a client that falls behind: lower quality, then half size.
    expect(imageVariant(1920, 1080, { scale: 1, quality: 80 }, 1).quality).toBeLessThan(80);
    expect(imageVariant(1920, 1080, { scale: 1, quality: 80 }, 3)).toMatchObject({ width: 960, height: 540 });
  });
});

describe('the subscribe message', () => {
  const fields = (rest: Record<string, unknown>) => controlFields('subscribe', { type: 'subscribe', ...rest } as ControlMessage);

  it('asks for version 2 with defaults', () => {
    expect(fields({ version: 2 })).toEqual({ version: 2, scale: 1, quality: 75 });
    expect(fields({ version: 2, scale: 0.5, maxWidth: 1280, maxHeight: 720, quality: 60, id: 3 })).toEqual({
      version: 2, scale: 0.5, maxWidth: 1280, maxHeight: 720, quality: 60,
    });
  });

  it.each([
    [{}, 'subscribe.version: is missing: compressed frames are protocol version 2'],
    [{ version: 1 }, 'subscribe.version: version 1 (raw frames) is not subscribed to'],
    [{ version: 3 }, 'subscribe.version: protocol version 3 is not supported'],
    [{ version: 2, scale: 2 }, 'subscribe.scale: must be a number, 0 < scale <= 1 (got 2)'],
    [{ version: 2, quality: 101 }, 'subscribe.quality'],
    [{ version: 2, maxWidth: 10.5 }, 'subscribe.maxWidth: must be an integer number of pixels'],
    [{ version: 2, codec: 'av1' }, 'subscribe.codec: is not a known field'],
  ])('%j: %s', (rest, message) => {
    expect(() => fields(rest)).toThrow(message);
  });
});

describe('a server with compressed and raw clients', () => {
  let server: LiveServer;
  let url: string;

  beforeAll(async () => {
    server = await LiveServer.listen({ port: 0, statusIntervalMs: 100, log: () => {} });
    url = `${server.url.replace('http', 'ws')}/ws`;
  });
  afterAll(() => server.close());

  it('sends subscribers compressed frames (exact class map, JPEG close to the grey image) and the others raw ones', async () => {
    const compressed = await TestClient.connect(url);
    const raw = await TestClient.connect(url);
    const reply = await compressed.request(JSON.stringify({ type: 'subscribe', id: 's', version: 2, quality: 90 }));
    expect(reply).toEqual({ type: 'ack', id: 's', message: 'subscribed: protocol 2, jpeg quality 90, scale 1' });
    const stream = (await compressed.waitFor((m) => m.kind === 'json' && m.data.type === 'stream')).data;
    expect(stream).toMatchObject({ type: 'stream', id: 's', version: COMPRESSED_PROTOCOL_VERSION, serverTime: expect.any(Number), request: { scale: 1, quality: 90 } });
    expect(Math.abs((stream.serverTime as number) - performance.now())).toBeLessThan(1000);

    const frame = syntheticFrame(11, { width: 160, height: 120, twoClasses: true });
    server.publish(frame);
    const message = (await compressed.waitFor((m) => m.kind === 'binary')).data as Buffer;
    const { header, image, mask } = decodeCompressedFrame(message);
    expect(header).toMatchObject({ index: 11, width: 160, height: 120, image: { format: 'jpeg', width: 160, height: 120, quality: 90 } });
    expect(header.timestamps.sent).toBeGreaterThanOrEqual(frame.timestamps.postprocessed!);
    expect(header.latency.frame_to_ws).toBeCloseTo(header.timestamps.sent! - frame.timestamps.decoded!, 6);
    expect(Buffer.from(decodeLabelRuns(mask, 160 * 120)).equals(Buffer.from(frame.classMap))).toBe(true);
    // A one-component (greyscale) JPEG.
    expect((await sharp(image).metadata()).channels).toBe(1);
    const pixels = await sharp(image).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(pixels.info).toMatchObject({ width: 160, height: 120, channels: 1 });
    let error = 0;
    for (let i = 0; i < 160 * 120; i++) error += Math.abs(pixels.data[i]! - frame.data[i]!);
    // Mean absolute error in grey levels (the synthetic frame is a sharp 4-pixel sawtooth: hard for JPEG).
    expect(error / (160 * 120)).toBeLessThan(6);
    // Far smaller than the raw message, which the other client still gets.
    const rawMessage = (await raw.waitFor((m) => m.kind === 'binary')).data as Buffer;
    expect(decodeFrameMessage(rawMessage).header.index).toBe(11);
    expect(compressed.frames).toHaveLength(1);

    // A smaller size on request; the mask stays at the frame's resolution.
    await compressed.request(JSON.stringify({ type: 'subscribe', version: 2, maxWidth: 80, quality: 50 }));
    const since = compressed.received.length;
    server.publish(syntheticFrame(12, { width: 160, height: 120 }));
    const smaller = decodeCompressedFrame((await compressed.waitFor((m) => m.kind === 'binary', since)).data as Buffer);
    expect(smaller.header.image).toMatchObject({ width: 80, height: 60, quality: 50 });
    expect(smaller.header.mask).toMatchObject({ width: 160, height: 120 });
    compressed.close();
    raw.close();
  });

  it('answers a client of another version with an error that says what this server speaks', async () => {
    const client = await TestClient.connect(url);
    const reply = await client.request(JSON.stringify({ type: 'subscribe', version: 3 }));
    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/protocol version 3 is not supported: this server streams raw frames \(version 1, without subscribing\) and compressed frames \(version 2\)/);
    client.close();
  });

  it('lowers a slow client’s quality before it skips frames for it', { timeout: 30_000 }, async () => {
    const slow = await TestClient.connect(url);
    await slow.request(JSON.stringify({ type: 'subscribe', version: 2, quality: 80 }));
    slow.ws.pause();
    // Noise does not compress: ~150 KB per message, so the paused socket's buffers fill quickly.
    const template = syntheticFrame(0, { width: 640, height: 480 });
    const noisy = { ...template, data: Uint8Array.from({ length: 640 * 480 }, (_, i) => (i * 2654435761) >>> 24) };
    let published = 0;
    const skippedBefore = server.metrics.wsFramesSkipped.value();
    while (server.metrics.wsFramesSkipped.value() - skippedBefore < 5 && published < 1000) {
      server.publish({ ...noisy, index: published++, timestamps: { decoded: performance.now() } });
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(server.metrics.wsFramesSkipped.value() - skippedBefore).toBeGreaterThanOrEqual(5);
    const received = slow.received.length;
    slow.ws.resume();
    await slow.waitFor((m) => m.kind === 'binary', received);
    await new Promise((r) => setTimeout(r, 200));
    const qualities = slow.frames.map((m) => decodeCompressedFrame(m).header.image.quality);
    expect(qualities[0]).toBe(80);
    expect(Math.min(...qualities)).toBeLessThan(80);
    slow.close();
  });
});
