/** Browser end-to-end: the real viewer in headless Chromium against a server fed synthetic frames. */
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LiveServer } from '../../src/app/server/server.js';
import { syntheticFrame } from './synthetic-frames.js';
import { serveSyntheticFrames, type SyntheticServer } from './synthetic-server.js';
import { launchChromium, redPixelCount } from '../helpers/harness.js';

/** The frames say the model saw this part of them (as segmentFrame does for an ROI crop). */
const ROI = { x: 12, y: 9, width: 130, height: 96 };

let feed: SyntheticServer;
let server: LiveServer;
let browser: Browser;

beforeAll(async () => {
  feed = await serveSyntheticFrames({ name: 'e2e', frame: (index) => ({ ...syntheticFrame(index, { width: 160, height: 120 }), roi: ROI }) });
  server = feed.server;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await feed?.close();
});

it('shows live frames with the overlay and records from the button', { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(server.url);

  await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 30, undefined, { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('fps'));

  // The disc is drawn in class-1 red: look for clearly non-grey pixels in the canvas.
  const shot = PNG.sync.read(await page.locator('#view').screenshot());
  expect(redPixelCount(shot)).toBeGreaterThan(shot.width * shot.height * 0.01);

  const before = Number(await page.evaluate(() => document.body.dataset.recordingsCount));
  await page.click('#record');
  await page.waitForFunction(() => document.body.dataset.recording === 'true');
  await page.waitForTimeout(500);
  await page.click('#record');
  await page.waitForFunction(() => document.body.dataset.recording === 'false');
  await page.waitForFunction((n) => Number(document.body.dataset.recordingsCount) === n + 1, before);

  const item = page.locator('#recordings li').first();
  await expect.poll(() => item.locator('a', { hasText: 'overlay.mp4' }).count()).toBe(1);
  const href = await item.locator('a', { hasText: 'overlay.mp4' }).getAttribute('href');
  const download = await fetch(new URL(href!, server.url));
  expect(download.status).toBe(200);
  expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(0);
  expect(pageErrors).toEqual([]);
});

it('outlines the part of the frame the model saw, and hides the outline on request', { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(server.url);
  await page.waitForFunction((roi) => document.body.dataset.roi === roi, `${ROI.x},${ROI.y},${ROI.width},${ROI.height}`);
  await page.click('#freeze');
  await page.waitForFunction(() => document.body.dataset.frozen === 'true');
  const topRow = async (): Promise<number[]> => {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    return page.evaluate(({ x, y, width }) => {
      const canvas = document.getElementById('view') as HTMLCanvasElement;
      return Array.from(canvas.getContext('2d')!.getImageData(x, y, width, 1).data);
    }, ROI);
  };
  const outlined = await topRow();
  await page.uncheck('#show-roi');
  const plain = await topRow();
  // The dashes cover half the edge; every pixel of a dash is lighter than without it.
  let lighter = 0;
  for (let i = 0; i < plain.length; i += 4) if (outlined[i]! > plain[i]! + 20) lighter++;
  expect(lighter).toBeGreaterThan(ROI.width / 5);
  await page.check('#show-roi');
  expect(await topRow()).toEqual(outlined);
});
