/** Browser end-to-end for the viewer's own features, on compressed frames: the model line, hiding a class on
 * screen while it stays tracked, a PNG snapshot with the overlay, stepping through the last frames while
 * frozen, and playing a recording with the overlay on or off. Synthetic frames: a red disc (class 1) and a
 * blue rectangle (class 2) on a grey gradient. */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LiveServer } from '../../src/app/server/server.js';
import { syntheticFrame } from './synthetic-frames.js';
import { serveSyntheticFrames, type SyntheticServer } from './synthetic-server.js';
import { launchChromium, redPixelCount } from '../helpers/harness.js';

const WIDTH = 320;
const HEIGHT = 240;

let feed: SyntheticServer;
let server: LiveServer;
let browser: Browser;
let page: Page;
const sent: Record<string, unknown>[] = [];
const pageErrors: string[] = [];

/** Pixels clearly bluer than grey: the class-2 colour (64, 200, 255) blended over the grey image. */
function bluePixelCount(png: PNG): number {
  let n = 0;
  for (let i = 0; i < png.width * png.height; i++) if (png.data[i * 4 + 2]! - png.data[i * 4]! > 60) n++;
  return n;
}

/** The canvas as it is now (after two animation frames, so a change has been drawn). */
async function canvasPixels(): Promise<PNG> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return PNG.sync.read(await page.locator('#view').screenshot());
}

beforeAll(async () => {
  feed = await serveSyntheticFrames({
    name: 'features',
    frame: (index) => syntheticFrame(index, { width: WIDTH, height: HEIGHT, twoClasses: true }),
    listen: { model: () => ({ name: 'sam2rad-test', version: '9.9.1', ep: 'cpu', precision: 'int8' }) },
  });
  server = feed.server;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 }, acceptDownloads: true });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => typeof payload === 'string' && sent.push(JSON.parse(payload) as Record<string, unknown>)));
  await page.goto(server.url);
  await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 30 && document.querySelectorAll('[data-shown-class]').length === 2, undefined, { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await feed?.close();
});

it('shows the model, version, provider and precision', async () => {
  await expect.poll(() => page.locator('#model-info').textContent()).toBe('sam2rad-test 9.9.1 · cpu · int8');
  expect(await page.evaluate(() => document.body.dataset.model)).toBe('sam2rad-test 9.9.1 · cpu · int8');
});

it('hides a class on screen while it stays tracked, and shows it again', { timeout: 30_000 }, async () => {
  const before = await canvasPixels();
  expect(redPixelCount(before)).toBeGreaterThan(before.width * before.height * 0.01);
  expect(bluePixelCount(before)).toBeGreaterThan(before.width * before.height * 0.01);
  const controls = sent.length;

  await page.uncheck('input[data-shown-class="disc"]');
  await page.waitForFunction(() => document.body.dataset.hidden === 'disc');
  const hidden = await canvasPixels();
  expect(redPixelCount(hidden)).toBe(0);
  expect(bluePixelCount(hidden)).toBeGreaterThan(hidden.width * hidden.height * 0.01);
  // Still segmented and tracked: the frames keep its area, nothing was asked of the server.
  expect(await page.evaluate(() => window.sam2radViewer.frame!.header.results[0]!.area)).toBeGreaterThan(0);
  expect(await page.isChecked('input[data-class-name="disc"]')).toBe(true);
  expect(sent.slice(controls)).toEqual([]);

  await page.check('input[data-shown-class="disc"]');
  await page.waitForFunction(() => document.body.dataset.hidden === '');
  const shown = await canvasPixels();
  expect(redPixelCount(shown)).toBeGreaterThan(shown.width * shown.height * 0.01);
});

it('saves a snapshot: a PNG of the frame on screen with its overlay, made in the browser', { timeout: 30_000 }, async () => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#snapshot')]);
  expect(download.suggestedFilename()).toMatch(/^sam2rad-frame-\d+\.png$/);
  const png = PNG.sync.read(await readFile((await download.path())!));
  const size = await page.evaluate(() => [(document.getElementById('view') as HTMLCanvasElement).width, (document.getElementById('view') as HTMLCanvasElement).height]);
  expect([png.width, png.height]).toEqual(size);
  expect(redPixelCount(png)).toBeGreaterThan(png.width * png.height * 0.01);
  expect(bluePixelCount(png)).toBeGreaterThan(png.width * png.height * 0.01);
  expect(await page.evaluate(() => document.body.dataset.snapshots)).toBe('1');
  // Nothing went to the server for it (the page's only requests are blob: downloads).
  expect(requests.filter((url) => url.startsWith(server.url))).toEqual([]);
});

it('steps back and forth through the last frames while frozen', { timeout: 30_000 }, async () => {
  await page.click('#freeze');
  await page.waitForFunction(() => document.body.dataset.frozen === 'true' && document.body.dataset.historyPosition !== '');
  const index = () => page.evaluate(() => Number(document.body.dataset.frameIndex));
  const frozenAt = await index();
  const kept = Number(await page.evaluate(() => document.body.dataset.history));
  expect(kept).toBeGreaterThan(20);
  // Stepping starts at the frame on screen: the newest kept, or one of the last few (decoding takes a moment).
  const position = Number(await page.evaluate(() => document.body.dataset.historyPosition));
  expect(position).toBeGreaterThanOrEqual(kept - 3);
  expect(position).toBeLessThanOrEqual(kept);
  // Frames keep arriving, the display stays.
  await page.waitForTimeout(300);
  expect(await index()).toBe(frozenAt);

  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(() => page.evaluate(() => document.body.dataset.historyPosition)).toBe(String(position - 5));
  // Five frames back (published every 33 ms; one skipped for this client would widen the gap).
  await expect.poll(index).toBeLessThanOrEqual(frozenAt - 5);
  const back = await index();
  expect(back).toBeGreaterThanOrEqual(frozenAt - 8);
  // The frame on screen is the one stepped to: prompts and the pixel readout use it.
  expect(await page.evaluate(() => window.sam2radViewer.frame!.header.index)).toBe(back);
  await page.click('#step-forward');
  await expect.poll(index).toBeGreaterThan(back);
  expect(await index()).toBeLessThan(frozenAt);
  expect(await page.isDisabled('#step-back')).toBe(false);

  await page.click('#freeze');
  await page.waitForFunction(() => document.body.dataset.frozen === 'false');
  await expect.poll(index).toBeGreaterThan(frozenAt);
  expect(await page.isDisabled('#step-back')).toBe(true);
});

it('plays a recording with the overlay, and without it', { timeout: 60_000 }, async () => {
  await page.click('#record');
  await page.waitForFunction(() => document.body.dataset.recording === 'true');
  await page.waitForTimeout(2000);
  await page.click('#record');
  await page.waitForFunction(() => document.body.dataset.recording === 'false', undefined, { timeout: 30_000 });
  const play = page.locator('#recordings li').first().locator('button.play');
  await expect.poll(() => play.count()).toBe(1);
  await play.click();
  await page.waitForFunction(() => document.body.dataset.playing?.endsWith('/overlay.mp4'));

  /** Red and blue pixels of a picture the video presented (then paused). */
  const videoColours = () =>
    page.evaluate(async () => {
      const video = document.getElementById('player-video') as HTMLVideoElement;
      // A picture actually presented by the playing video (not just metadata).
      await new Promise<void>((done) => {
        video.requestVideoFrameCallback(() => done());
        void video.play().catch(() => {});
      });
      video.pause();
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(video, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let red = 0;
      let blue = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i]! - Math.max(data[i + 1]!, data[i + 2]!) > 60) red++;
        if (data[i + 2]! - data[i]! > 60) blue++;
      }
      return { width: canvas.width, height: canvas.height, red, blue };
    });
  const overlay = await videoColours();
  expect([overlay.width, overlay.height]).toEqual([WIDTH, HEIGHT]);
  expect(overlay.red).toBeGreaterThan(WIDTH * HEIGHT * 0.01);
  expect(overlay.blue).toBeGreaterThan(WIDTH * HEIGHT * 0.01);

  await page.uncheck('#player-overlay');
  await page.waitForFunction(() => document.body.dataset.playing?.endsWith('/source.mp4'));
  const source = await videoColours();
  expect([source.width, source.height]).toEqual([WIDTH, HEIGHT]);
  // The frames as received: grey, no class colours.
  expect(source.red).toBeLessThan(WIDTH * HEIGHT * 0.001);
  expect(source.blue).toBeLessThan(WIDTH * HEIGHT * 0.001);

  await page.click('#player-close');
  expect(await page.isHidden('#player')).toBe(true);
  expect(pageErrors).toEqual([]);
});
