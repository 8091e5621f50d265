/** The product end to end: real ffmpeg streams a clip over UDP on loopback into `sam2rad serve`; headless
 * Chromium opens the viewer, receives segmented frames, starts and stops a recording from the page; the
 * recording's overlay.mp4 frame count (ffprobe) equals its mask files and metadata.json's frame count. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, redPixelCount, startServe } from '../helpers/harness.js';

const run = promisify(execFile);
const UDP_PORT = 23000 + Math.floor(Math.random() * 1000);
let server: ChildProcess;
let sender: ChildProcess;
let browser: Browser;
let recordDir: string;
let url: string;

beforeAll(async () => {
  recordDir = await mkdtemp(path.join(tmpdir(), 'sam2rad-live-'));
  ({ child: server, url } = await startServe(['--source', `udp://127.0.0.1:${UDP_PORT}`, '--record-dir', recordDir,
    '--class', 'fetal_head']));
  // The demo clip (made by the project from CC BY 4.0 HC18 frames) as an MPEG-TS stream, in real time.
  sender = spawn('ffmpeg', ['-v', 'error', '-re', '-stream_loop', '-1', '-i', 'assets/demo/demo.mp4', '-c', 'copy',
    '-f', 'mpegts', `udp://127.0.0.1:${UDP_PORT}?pkt_size=1316`], { stdio: 'ignore' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  sender?.kill('SIGKILL');
  server?.kill('SIGTERM');
  await new Promise((resolve) => server?.once('exit', resolve));
  await rm(recordDir, { recursive: true, force: true });
});

it('streams segmented frames over UDP -> serve -> viewer, and records from the page', { timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 30, undefined, { timeout: 60_000 });

  const health = (await (await fetch(`${url}/healthz`)).json()) as { source: { state: string }; frames: { processed: number } };
  expect(health.source.state).toBe('streaming');
  expect(health.frames.processed).toBeGreaterThanOrEqual(30);

  // The fetal head is found and drawn in its class colour over the grey image.
  const shot = PNG.sync.read(await page.locator('#view').screenshot());
  expect(redPixelCount(shot)).toBeGreaterThan(shot.width * shot.height * 0.01);

  await page.click('#record');
  await page.waitForFunction(() => document.body.dataset.recording === 'true');
  await page.waitForTimeout(4000);
  await page.click('#record');
  await page.waitForFunction(() => document.body.dataset.recording === 'false', undefined, { timeout: 30_000 });
  await page.waitForFunction(() => Number(document.body.dataset.recordingsCount) >= 1);
  expect(pageErrors).toEqual([]);

  const [id] = await readdir(recordDir);
  const folder = path.join(recordDir, id!);
  const metadata = JSON.parse(await readFile(path.join(folder, 'metadata.json'), 'utf8')) as { frameCount: number; complete: boolean };
  const masks = await readdir(path.join(folder, 'masks'));
  const probe = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries',
    'stream=nb_read_frames', '-of', 'csv=p=0', path.join(folder, 'overlay.mp4')]);
  expect(metadata.complete).toBe(true);
  expect(metadata.frameCount).toBeGreaterThan(0);
  expect(masks).toHaveLength(metadata.frameCount);
  expect(Number(probe.stdout.trim())).toBe(metadata.frameCount);
});
