/** The viewer under test in the prompt end-to-end tests (prompts.e2e.test.ts, prompts-ws.e2e.test.ts): the
 * real `sam2rad serve` on the looping lumbar spine clip, the viewer in headless Chromium, and what the page
 * sent, got back and displayed, with the helpers that act in the page and wait for the results. Needs the
 * clip in ../shared (used here, never committed). */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium, startServe } from '../helpers/harness.js';

const CLIP = '../shared/datasets/videos/lumbar_spine_sweep_f0001-0209.mp4';
export const CLASSES = ['fetal_head', 'lumbar_bone', 'hip_bone'];
export const NEAR_RADIUS = 30;

export type Json = Record<string, any>;
export interface LoggedFrame {
  index: number;
  areas: Record<string, number>;
  /** Pixels of the probed class within NEAR_RADIUS of the probe point (null without a probe). */
  near: number | null;
}

let server: ChildProcess;
let browser: Browser;
/** The viewer's page and the server's URL, set by openViewer (live bindings: read them after it resolved). */
export let page: Page;
export let url: string;
/** Control messages the page sent, and the replies it got (by request id). */
export const sent: Json[] = [];
const replies = new Map<number | string, Json>();
export const pageErrors: string[] = [];

export const body = (key: string) => page.evaluate((k) => document.body.dataset[k] ?? '', key);
export const waitBody = (key: string, test: (value: string) => boolean, timeout = 30_000) =>
  expect.poll(() => body(key).then(test), { timeout, interval: 100 }).toBe(true);
export const sentOfType = (type: string) => sent.filter((m) => m.type === type);

/** Frames displayed from now on, as logged in the page; resolves once `count` were shown. */
export async function nextFrames(count: number, timeout = 60_000): Promise<LoggedFrame[]> {
  const start = await page.evaluate(() => (window as any).__frames.length as number);
  await page.waitForFunction((n) => (window as any).__frames.length >= n, start + count, { timeout, polling: 100 });
  return page.evaluate(([s, c]) => (window as any).__frames.slice(s, s + c), [start, count] as const);
}

/** Do something in the page; resolves with the `count` control messages it sent, once each has its reply. */
export async function act(action: () => Promise<unknown>, count = 1): Promise<{ sent: Json[]; replies: Json[] }> {
  const before = sent.length;
  await action();
  await expect.poll(() => sent.length, { timeout: 15_000, interval: 20 }).toBeGreaterThanOrEqual(before + count);
  const mine = sent.slice(before, before + count);
  await expect.poll(() => mine.every((m) => replies.has(m.id)), { timeout: 15_000, interval: 20 }).toBe(true);
  return { sent: mine, replies: mine.map((m) => replies.get(m.id)!) };
}

/** Do something that sends one control message, and check that its reply is an ack matching `ack`. */
export async function clickAndAck(action: () => Promise<unknown>, ack: RegExp): Promise<Json> {
  const { sent: [message], replies: [reply] } = await act(action);
  expect(reply, JSON.stringify(message)).toMatchObject({ type: 'ack', message: expect.stringMatching(ack) });
  return message!;
}

/** Starts `sam2rad serve` on the looping clip with `--class classes`, and opens the viewer in Chromium with
 * its control messages, their replies and its displayed frames recorded. */
export async function openViewer(classes: string): Promise<void> {
  if (!existsSync(CLIP)) throw new Error(`${CLIP} is missing (shared dataset clip used by this test)`);
  ({ child: server, url } = await startServe(['--source', CLIP, '--loop', '--class', classes]));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') sent.push(JSON.parse(payload) as Json);
    });
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const message = JSON.parse(payload) as Json;
      if ((message.type === 'ack' || message.type === 'error') && message.id !== undefined) replies.set(message.id, message);
    });
  });
  await page.goto(url);
  // Log every displayed frame: its index, per-class areas and the probed class's pixels near the probe.
  await page.evaluate((radius) => {
    const w = window as any;
    w.__frames = [];
    w.__probe = null;
    new MutationObserver(() => {
      const frame = w.sam2radViewer.frame;
      if (!frame) return;
      const { width, height } = frame.header;
      let near = null;
      const probe = w.__probe;
      if (probe) {
        near = 0;
        for (let y = Math.max(0, probe.y - radius); y <= Math.min(height - 1, probe.y + radius); y++) {
          for (let x = Math.max(0, probe.x - radius); x <= Math.min(width - 1, probe.x + radius); x++) {
            if ((x - probe.x) ** 2 + (y - probe.y) ** 2 <= radius * radius && frame.classMap[y * width + x] === probe.value) near++;
          }
        }
      }
      const areas = Object.fromEntries(frame.header.results.map((r: any) => [r.className, r.area]));
      w.__frames.push({ index: frame.header.index, areas, near });
    }).observe(document.body, { attributes: true, attributeFilter: ['data-frame-index'] });
  }, NEAR_RADIUS);
}

/** Closes the browser and stops the server. */
export async function closeViewer(): Promise<void> {
  await browser?.close();
  server?.kill('SIGTERM');
  if (server && server.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
}
