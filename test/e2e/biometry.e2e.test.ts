/** Fetal head biometry in the viewer, end to end: the real `sam2rad serve` on the demo clip (HC18 fetal
 * heads, the shipped model) and the viewer in headless Chromium. With a stream definition's pixelSpacingMm
 * the readout gives HC, BPD and OFD in mm from the stream definition, consistent with the pixels and with
 * Ramanujan's perimeter, and the fitted ellipse is drawn on the canvas (and not while fetal_head is hidden).
 * Without one the readout gives pixels, not calibrated, until a two-click calibration on the canvas. */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BiometryReadout } from '../../src/app/viewer/biometry.js';
import { launchChromium, startServe } from '../helpers/harness.js';

const SPACING_MM = 0.1;
const MM_VALUES = /^HC \d+\.\d mm · BPD \d+\.\d mm · OFD \d+\.\d mm \(calibration: (.+)\)$/;

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-biometry-'));
  // streams/demo.json with a pixel spacing (the model: the shipped one, the default).
  const definition = { name: 'demo', source: { uri: 'demo', loop: true, realtime: true }, classes: ['fetal_head'], pixelSpacingMm: SPACING_MM };
  await writeFile(path.join(dir, 'demo.json'), JSON.stringify(definition));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A `sam2rad serve` and a page on it, frozen on a frame with a fetal head and its biometry. */
function servePage(args: () => string[]): { page: () => Page; errors: string[] } {
  let server: ChildProcess;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    let url: string;
    ({ child: server, url } = await startServe(args()));
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(url);
    await page.waitForFunction(() => (window.sam2radViewer.biometry?.heads.length ?? 0) > 0, undefined, { timeout: 60_000, polling: 100 });
    // The frame on screen stays while frozen: the readout, the frame and the canvas are the same frame's.
    await page.check('#freeze');
    await page.waitForFunction(() => document.body.dataset.frozen === 'true' && (window.sam2radViewer.biometry?.heads.length ?? 0) > 0);
  }, 90_000);
  afterAll(async () => {
    await page?.close();
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
  });
  return { page: () => page, errors };
}

const readout = (page: Page) => page.evaluate(() => window.sam2radViewer.biometry as BiometryReadout);

/** Ramanujan's perimeter of the ellipse with these axes (full lengths). */
function perimeter(major: number, minor: number): number {
  const [a, b] = [major / 2, minor / 2];
  return Math.PI * (3 * (a + b) - Math.sqrt((3 * a + b) * (a + 3 * b)));
}

/** The canvas as on screen, once the latest change is drawn. */
async function canvasShot(page: Page): Promise<PNG> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return PNG.sync.read(await page.locator('#view').screenshot());
}

/** The ellipse colour (pure yellow, biometry.ts): no class colour, no grey, and not the frozen display's
 * outline (#ffd84f) come near it. */
const isEllipseColour = (png: PNG, i: number) => png.data[i * 4]! > 230 && png.data[i * 4 + 1]! > 230 && png.data[i * 4 + 2]! < 60;

function ellipsePixelCount(png: PNG): number {
  let n = 0;
  for (let i = 0; i < png.width * png.height; i++) if (isEllipseColour(png, i)) n++;
  return n;
}

/** Points of the frame on screen's measured ellipse (the fitted one's centre and angle, the measured BPD and
 * OFD as axes), in the canvas element's CSS pixels (= screenshot pixels). */
function ellipseOutline(page: Page, count: number): Promise<{ x: number; y: number }[]> {
  return page.evaluate((n) => {
    const viewer = window.sam2radViewer;
    const head = viewer.frame!.header.results.find((r) => r.ellipse)!;
    const { cx, cy, angle } = head.ellipse!;
    const [a, b] = [head.biometry!.ofdPx / 2, head.biometry!.bpdPx / 2];
    const box = document.getElementById('view')!.getBoundingClientRect();
    return Array.from({ length: n }, (_, k) => {
      const t = (2 * Math.PI * k) / n;
      const x = cx + a * Math.cos(t) * Math.cos(angle) - b * Math.sin(t) * Math.sin(angle);
      const y = cy + a * Math.cos(t) * Math.sin(angle) + b * Math.sin(t) * Math.cos(angle);
      const { clientX, clientY } = viewer.frameToClient(x, y);
      return { x: clientX - box.left, y: clientY - box.top };
    });
  }, count);
}

/** Whether the screenshot has an ellipse-coloured pixel within `radius` of (x, y). */
function colouredNear(png: PNG, x: number, y: number, radius: number): boolean {
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const [px, py] = [Math.round(x) + dx, Math.round(y) + dy];
      if (px >= 0 && py >= 0 && px < png.width && py < png.height && isEllipseColour(png, py * png.width + px)) return true;
    }
  }
  return false;
}

describe('with a stream definition pixelSpacingMm', () => {
  const { page, errors } = servePage(() => ['--stream', path.join(dir, 'demo.json')]);

  it('shows HC, BPD and OFD in mm with the calibration stated, consistent with the pixels', async () => {
    const { text, heads, frameIndex } = await readout(page());
    expect(frameIndex).toBe(await page().evaluate(() => window.sam2radViewer.frame!.header.index));
    expect(await page().locator('#biometry').textContent()).toBe(text);
    expect(text).toMatch(MM_VALUES);
    expect(MM_VALUES.exec(text)![1]).toBe('stream definition');
    const [head] = heads;
    expect(head).toMatchObject({ className: 'fetal_head', calibration: 'stream', mmPerPixel: { x: SPACING_MM, y: SPACING_MM }, inRegion: true });
    // mm = px x the spacing (one spacing along x and y), and HC is the perimeter of the OFD x BPD ellipse.
    expect(head!.hcMm!).toBeCloseTo(head!.hcPx * SPACING_MM, 1);
    expect(head!.bpdMm!).toBeCloseTo(head!.bpdPx * SPACING_MM, 1);
    expect(head!.ofdMm!).toBeCloseTo(head!.ofdPx * SPACING_MM, 1);
    expect(Math.abs(head!.hcMm! / perimeter(head!.ofdMm!, head!.bpdMm!) - 1)).toBeLessThan(0.01);
    // An ellipse's perimeter lies between pi x its minor and pi x its major axis.
    expect(head!.bpdMm!).toBeGreaterThan(10);
    expect(head!.bpdMm!).toBeLessThanOrEqual(head!.ofdMm!);
    expect(head!.hcMm!).toBeGreaterThan(Math.PI * head!.bpdMm!);
    expect(head!.hcMm!).toBeLessThanOrEqual(Math.PI * head!.ofdMm! + 0.01);
    // The readout's numbers are the head's, at one decimal.
    expect(text).toContain(`HC ${head!.hcMm!.toFixed(1)} mm · BPD ${head!.bpdMm!.toFixed(1)} mm · OFD ${head!.ofdMm!.toFixed(1)} mm`);
  });

  it('draws the fitted ellipse on the canvas, and not while fetal_head is hidden', async () => {
    const shot = await canvasShot(page());
    expect(ellipsePixelCount(shot)).toBeGreaterThan(200);
    const outline = await ellipseOutline(page(), 24);
    expect(outline.filter((p) => colouredNear(shot, p.x, p.y, 3))).toHaveLength(24);

    await page().uncheck('input[data-shown-class="fetal_head"]');
    await page().waitForFunction(() => document.body.dataset.hidden === 'fetal_head');
    expect(ellipsePixelCount(await canvasShot(page()))).toBe(0);
    // Hidden on screen only: it is still measured.
    expect((await readout(page())).text).toMatch(MM_VALUES);
    await page().check('input[data-shown-class="fetal_head"]');
    expect(ellipsePixelCount(await canvasShot(page()))).toBeGreaterThan(200);
    expect(errors).toEqual([]);
  });
});

describe('without a calibration', () => {
  const { page, errors } = servePage(() => ['--source', 'demo', '--class', 'fetal_head']);

  it('shows the pixel values, not calibrated', async () => {
    const { text, heads } = await readout(page());
    expect(text).toMatch(/^HC \d+\.\d px · BPD \d+\.\d px · OFD \d+\.\d px \(not calibrated\)$/);
    expect(heads[0]).toMatchObject({ calibration: null, hcMm: null, bpdMm: null, ofdMm: null, mmPerPixel: null });
    expect(heads[0]!.hcPx).toBeGreaterThan(Math.PI * heads[0]!.bpdPx);
  });

  it('takes a two-click calibration on the canvas, kept in the page', async () => {
    await page().fill('#calibration-mm', '10');
    await page().click('#calibrate');
    await page().waitForFunction(() => document.body.dataset.calibration === 'picking');
    // 100 frame pixels apart: 0.1 mm per pixel.
    for (const x of [100, 200]) {
      const { clientX, clientY } = await page().evaluate((fx) => window.sam2radViewer.frameToClient(fx, 120), x);
      await page().mouse.click(clientX, clientY);
    }
    await page().waitForFunction(() => document.body.dataset.calibration === 'two-click');
    await expect.poll(async () => (await readout(page())).text).toMatch(/\(calibration: two-click\)$/);
    const [head] = (await readout(page())).heads;
    expect(head!.calibration).toBe('two-click');
    expect(Math.abs(head!.mmPerPixel!.x / SPACING_MM - 1)).toBeLessThan(0.01);
    expect(Math.abs(head!.hcMm! / (head!.hcPx * SPACING_MM) - 1)).toBeLessThan(0.01);
    // The clicks were calibration points, not prompts (auto mode would have refused a prompt).
    expect(await page().evaluate(() => document.body.dataset.lastError)).toBeUndefined();

    await page().click('#calibration-clear');
    await expect.poll(async () => (await readout(page())).text).toMatch(/\(not calibrated\)$/);
    expect(errors).toEqual([]);
  });
});
