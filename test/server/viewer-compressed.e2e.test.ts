/** Browser end-to-end for the compressed stream: the real viewer in headless Chromium subscribes to
 * compressed frames (protocol version 2), decodes them and draws the overlay from the label runs. */
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeCompressedFrame } from '../../src/app/server/compressed-frame.js';
import type { LiveServer } from '../../src/app/server/server.js';
import { syntheticFrame } from './synthetic-frames.js';
import { serveSyntheticFrames, type SyntheticServer } from './synthetic-server.js';
import { launchChromium, redPixelCount } from '../helpers/harness.js';

const WIDTH = 320;
const HEIGHT = 240;

let feed: SyntheticServer;
let server: LiveServer;
let browser: Browser;

beforeAll(async () => {
  feed = await serveSyntheticFrames({
    name: 'compressed',
    frame: (index) => syntheticFrame(index, { width: WIDTH, height: HEIGHT, twoClasses: true }),
    record: false,
  });
  server = feed.server;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await feed?.close();
});

async function open(viewport = { width: 1000, height: 700 }): Promise<{ page: Page; binary: Buffer[]; sent: Record<string, unknown>[]; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const binary: Buffer[] = [];
  const sent: Record<string, unknown>[] = [];
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') binary.push(payload);
    });
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') sent.push(JSON.parse(payload) as Record<string, unknown>);
    });
  });
  await page.goto(server.url);
  await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 20, undefined, { timeout: 20_000 });
  return { page, binary, sent, errors };
}

it('subscribes, receives compressed frames and draws them with the class overlay', { timeout: 60_000 }, async () => {
  const { page, binary, sent, errors } = await open();
  expect(sent.find((m) => m.type === 'subscribe')).toMatchObject({ version: 2, quality: 75, maxWidth: expect.any(Number) });
  // Every frame after the subscription is compressed; the class map stays at frame resolution.
  const compressed = binary.filter((b) => b.includes('"version":2'));
  expect(compressed.length).toBeGreaterThan(10);
  const { header } = decodeCompressedFrame(compressed.at(-1)!);
  expect(header).toMatchObject({ width: WIDTH, height: HEIGHT, image: { format: 'jpeg' }, mask: { encoding: 'runs', width: WIDTH, height: HEIGHT } });
  expect(compressed.at(-1)!.length).toBeLessThan(2 * WIDTH * HEIGHT * 0.2);

  // The frame on screen has the full-resolution class map (what prompts and tests read).
  const onScreen = await page.evaluate(() => {
    const f = window.sam2radViewer.frame!;
    let disc = 0;
    for (const v of f.classMap) if (v === 1) disc++;
    return { width: f.header.width, length: f.classMap.length, disc, area: f.header.results[0]!.area };
  });
  expect(onScreen).toEqual({ width: WIDTH, length: WIDTH * HEIGHT, disc: onScreen.area, area: onScreen.area });

  const shot = PNG.sync.read(await page.locator('#view').screenshot());
  expect(redPixelCount(shot)).toBeGreaterThan(shot.width * shot.height * 0.01);
  expect(errors).toEqual([]);
  await page.close();
});

it('asks for a picture no larger than the canvas can show, and maps prompts in frame pixels', { timeout: 60_000 }, async () => {
  const { page, sent } = await open({ width: 500, height: 500 });
  const subscribe = sent.find((m) => m.type === 'subscribe')!;
  expect(subscribe.maxWidth).toBeLessThan(WIDTH);
  const sizes = await page.evaluate(() => {
    const canvas = document.getElementById('view') as HTMLCanvasElement;
    const f = window.sam2radViewer.frame!;
    const corner = window.sam2radViewer.frameToClient(f.header.width, f.header.height);
    const rect = canvas.getBoundingClientRect();
    return { canvas: [canvas.width, canvas.height], frame: [f.header.width, f.header.height], corner: [corner.clientX, corner.clientY], rect: [rect.right, rect.bottom] };
  });
  expect(sizes.canvas[0]).toBeLessThan(WIDTH);
  expect(sizes.frame).toEqual([WIDTH, HEIGHT]);
  // The frame's far corner is the canvas's far corner on the page.
  expect(Math.abs(sizes.corner[0]! - sizes.rect[0]!)).toBeLessThan(1.5);
  expect(Math.abs(sizes.corner[1]! - sizes.rect[1]!)).toBeLessThan(1.5);
  const shot = PNG.sync.read(await page.locator('#view').screenshot());
  expect(redPixelCount(shot)).toBeGreaterThan(shot.width * shot.height * 0.01);
  await page.close();
});

it('measures what it paints: displayed fps and frame-to-paint latency beside the server’s figures', { timeout: 60_000 }, async () => {
  const { page } = await open();
  await page.waitForFunction(() => window.sam2radViewer.display.painted >= 30 && window.sam2radViewer.server !== null, undefined, { timeout: 20_000 });
  await page.waitForTimeout(1500);
  const { display, server: status } = await page.evaluate(() => ({ display: { ...window.sam2radViewer.display, paints: window.sam2radViewer.display.paints.slice(-30) }, server: window.sam2radViewer.server }));
  // Frames are published every 33 ms; a page that keeps up paints most of them (fewer on a loaded machine).
  expect(display.fps).toBeGreaterThan(5);
  expect(display.fps).toBeLessThan(40);
  // The subscribe round trip bounds the offset (loosely on a loaded machine); frame deliveries tighten it.
  expect(display.clock!.roundTripBoundMs!).toBeLessThan(1000);
  expect(['round-trip', 'frame-delivery']).toContain(display.clock!.method);
  // The synthetic frames are stamped `decoded` 24 ms before they are published, so every frame-to-paint
  // latency is at least that (a wrong clock offset would show here).
  const latencies = display.paints.map((p: { frameToPaintMs: number | null }) => p.frameToPaintMs!);
  expect(Math.min(...latencies)).toBeGreaterThanOrEqual(24 - 1);
  // A frame cannot arrive before it was sent.
  expect(Math.min(...display.paints.map((p: { sentToPaintMs: number | null }) => p.sentToPaintMs!))).toBeGreaterThanOrEqual(0);
  expect(display.frameToPaint.p50!).toBeLessThan(1000);
  expect(display.frameToPaint.p95!).toBeGreaterThanOrEqual(display.frameToPaint.p50!);
  expect(display.bytesPerFrame!).toBeLessThan(2 * WIDTH * HEIGHT * 0.2);
  expect(status!.fps).toBeGreaterThan(5);
  const text = await page.locator('#status').textContent();
  expect(text).toMatch(/^shown \d+\.\d fps · frame-to-paint p50 \d+ ms \/ p95 \d+ ms · server \d+\.\d fps · latency p50/);
  expect(Number(await page.evaluate(() => document.body.dataset.displayFps))).toBeGreaterThan(0);
  await page.close();
});
