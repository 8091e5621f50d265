/** The access token in the viewer (headless Chromium): taken from `?token=` once, kept in sessionStorage
 * for the tab, removed from the address bar, sent as `Authorization: Bearer` on the page's requests and as
 * `?token=` on the WebSocket URL and media URLs; nothing added without one. Against a protected server:
 * no token is 401 for the page, socket and downloads; a view token watches but cannot record. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServer } from '../../src/app/server/server.js';
import { syntheticFrame } from './synthetic-frames.js';
import { serveSyntheticFrames, type SyntheticServer } from './synthetic-server.js';
import { launchChromium } from '../helpers/harness.js';

const TOKEN = 'viewer-token-0123456789abcdef';
const VIEW_TOKEN = 'viewer-view-only-0123456789';

let browser: Browser;
const feeds: SyntheticServer[] = [];

async function serve(tokens?: { control: string; view?: string }): Promise<LiveServer> {
  const feed = await serveSyntheticFrames({
    name: 'token',
    frame: (index) => syntheticFrame(index, { width: 160, height: 120 }),
    listen: { model: () => ({ name: 'sam2rad-test', version: '1', ep: 'cpu', precision: 'int8' }), ...(tokens ? { tokens } : {}) },
  });
  feeds.push(feed);
  return feed.server;
}

interface Traffic {
  readonly requests: { url: string; authorization: string | undefined }[];
  readonly sockets: string[];
}

async function open(url: string): Promise<{ page: Page; traffic: Traffic }> {
  const page = await browser.newPage();
  const traffic: Traffic = { requests: [], sockets: [] };
  page.on('request', (r) => traffic.requests.push({ url: r.url(), authorization: r.headers().authorization }));
  page.on('websocket', (ws) => traffic.sockets.push(ws.url()));
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 5 && document.body.dataset.model !== '', undefined, { timeout: 20_000 });
  return { page, traffic };
}

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const feed of feeds) await feed.close();
});

describe('a viewer opened with ?token=', () => {
  it('keeps the token for the tab, takes it out of the address bar and sends it with every request', { timeout: 60_000 }, async () => {
    const server = await serve({ control: TOKEN });
    const { page, traffic } = await open(`${server.url}/index.html?token=${TOKEN}&layout=wide#here`);
    expect(await page.evaluate(() => location.href)).toBe(`${server.url}/index.html?layout=wide#here`);
    expect(await page.evaluate(() => sessionStorage.getItem('sam2rad.token'))).toBe(TOKEN);
    expect(await page.evaluate(() => window.sam2radViewer.hasToken)).toBe(true);
    // The socket (no headers possible) carries it in its URL, and it was accepted: frames arrive.
    expect(traffic.sockets).toEqual([`${server.url.replace('http', 'ws')}/ws?token=${TOKEN}`]);
    // Fetches carry it as a Bearer header: the full /healthz (the model line) needs it.
    const health = traffic.requests.find((r) => r.url === `${server.url}/healthz`)!;
    expect(health.authorization).toBe(`Bearer ${TOKEN}`);
    expect(await page.locator('#model-info').textContent()).toBe('sam2rad-test 1 · cpu · int8');
    const list = traffic.requests.find((r) => r.url === `${server.url}/recordings`)!;
    expect(list.authorization).toBe(`Bearer ${TOKEN}`);

    // Media and download links carry it in the query; a recording made with the control token plays.
    await page.click('#record');
    await page.waitForFunction(() => document.body.dataset.recording === 'true');
    await page.waitForTimeout(1200);
    await page.click('#record');
    await page.waitForFunction(() => document.body.dataset.recording === 'false', undefined, { timeout: 30_000 });
    const link = page.locator('#recordings li').first().locator('a', { hasText: 'overlay.mp4' });
    await expect.poll(() => link.count()).toBe(1);
    expect(await link.getAttribute('href')).toMatch(new RegExp(`/overlay\\.mp4\\?token=${TOKEN}$`));
    await page.locator('#recordings li').first().locator('button.play').click();
    await page.waitForFunction(() => (document.getElementById('player-video') as HTMLVideoElement).readyState >= 2, undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => (document.getElementById('player-video') as HTMLVideoElement).src)).toMatch(/\?token=/);

    // A reload (its address has no token now; the page itself comes with the server's cookie) still sends
    // the tab's token from sessionStorage.
    const sockets = traffic.sockets.length;
    await page.reload();
    await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 5, undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => location.search)).toBe('?layout=wide');
    expect(traffic.sockets.slice(sockets)).toEqual([`${server.url.replace('http', 'ws')}/ws?token=${TOKEN}`]);
    expect(await page.evaluate(() => window.sam2radViewer.hasToken)).toBe(true);
    await page.close();
  });
});

describe('a viewer without a token', () => {
  it('adds nothing: no header, no query parameter, nothing stored', { timeout: 60_000 }, async () => {
    const server = await serve();
    const { page, traffic } = await open(server.url);
    expect(traffic.sockets).toEqual([`${server.url.replace('http', 'ws')}/ws`]);
    expect(traffic.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.getItem('sam2rad.token'))).toBeNull();
    expect(await page.evaluate(() => window.sam2radViewer.hasToken)).toBe(false);
    expect(await page.locator('#model-info').textContent()).toBe('sam2rad-test 1 · cpu · int8');
    await page.close();
  });
});

describe('a protected server in Chromium', () => {
  it('gives a page without a token 401 for the viewer, the socket and downloads', { timeout: 60_000 }, async () => {
    const server = await serve({ control: TOKEN });
    const page = await browser.newPage();
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(401);
    // The page's own requests: the socket is refused before it opens; a download and /recordings are 401.
    const result = await page.evaluate(async (base) => {
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
        ws.onopen = () => resolve('open');
        ws.onclose = () => resolve('closed');
      });
      const download = (await fetch(`${base}/recordings/any/overlay.mp4`)).status;
      const list = (await fetch(`${base}/recordings`)).status;
      return { socket, download, list };
    }, server.url);
    expect(result).toEqual({ socket: 'closed', download: 401, list: 401 });
    await page.close();
  });

  it('lets a view token watch but not start a recording (refused in the page log)', { timeout: 60_000 }, async () => {
    const server = await serve({ control: TOKEN, view: VIEW_TOKEN });
    const { page } = await open(`${server.url}/?token=${VIEW_TOKEN}`);
    await page.click('#record');
    const refusal = page.locator('#messages li.error').first();
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.textContent()).toMatch(/control token|not allowed|view/i);
    expect(await page.evaluate(() => document.body.dataset.recording)).not.toBe('true');
    const health = await (await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(health.recording.active).toBe(false);
    // Frames keep coming to the view connection after the refusal.
    const before = Number(await page.evaluate(() => document.body.dataset.framesReceived));
    await page.waitForFunction((n) => Number(document.body.dataset.framesReceived) > n + 5, before, { timeout: 10_000 });
    await page.close();
  });
});
