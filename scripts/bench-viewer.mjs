#!/usr/bin/env node
// Viewer benchmark (issue 18): what a browser shows of a high-resolution feed, end to end.
//
// For each run (e.g. 1920x1080 at 30 and at 60 fps) it makes a test clip with ffmpeg (the demo clip scaled
// into a scanner-sized frame, black around it, as a grabber would deliver a scanner's screen), serves it
// with `node dist/src/app/cli/main.js serve --source CLIP --loop`, opens the viewer in headless Chromium
// (the e2e tests' flags) and, after a warm-up, measures for --seconds:
//   - what the page paints (window.sam2radViewer.display): displayed fps, frame-to-paint p50/p95/p99
//     (first server stamp -> the animation frame that drew it, through the measured clock offset),
//     bytes per frame on the wire, against the raw frame + class map (2 * width * height);
//   - what the server did over the same window (/healthz deltas): frames processed per second, frames
//     dropped by the real-time policy, frames skipped for this client;
//   - the CPU time the server process used (/proc), and the load average (this machine is shared).
// Figures go to stdout and, with --json, to a file. Needs `npm run build` first, ffmpeg and /usr/bin/chromium.
//
//   node scripts/bench-viewer.mjs [--runs 1920x1080@30,1920x1080@60] [--seconds 45] [--warmup 15]
//        [--viewport 1280x800] [--json FILE] [--class fetal_head] [-- extra serve options]
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = { displayed_fps: 25, frame_to_paint_p95_ms: 120, bytes_fraction_of_raw: 0.05 };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '1920x1080@30,1920x1080@60' },
    seconds: { type: 'string', default: '45' },
    warmup: { type: 'string', default: '15' },
    viewport: { type: 'string', default: '1280x800' },
    json: { type: 'string' },
    class: { type: 'string', default: 'fetal_head' },
    source: { type: 'string', default: path.join(root, 'assets/demo/demo.mp4') },
  },
});

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (x, digits = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** The test clip: the source scaled to the frame's height (less a margin), centred on black, H.264. */
async function makeClip(dir, width, height, fps) {
  const file = path.join(dir, `clip-${width}x${height}-${fps}.mp4`);
  const inner = Math.round(height * 0.85 / 2) * 2;
  const filter = `scale=-2:${inner}:flags=bicubic,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:black,` +
    // A grey-scale bar at the side, as scanners draw one (the ROI crop leaves it out).
    `drawbox=x=${Math.round(width * 0.93)}:y=${Math.round(height * 0.2)}:w=${Math.round(width * 0.015)}:h=${Math.round(height * 0.6)}:color=gray:t=fill,` +
    `fps=${fps},format=yuv420p`;
  await run('ffmpeg', ['-v', 'error', '-y', '-i', values.source, '-vf', filter, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20',
    '-g', String(fps), '-an', file]);
  return file;
}

function cpuSeconds(pid) {
  return readFile(`/proc/${pid}/stat`, 'utf8').then((text) => {
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (100 Hz)
  });
}

async function startServe(clip) {
  const args = ['dist/src/app/cli/main.js', 'serve', '--source', clip, '--loop', '--port', '0', '--class', values.class, ...positionals];
  const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d.toString()));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(d.toString());
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${log}`)));
  });
  return { child, url, log: () => log };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function measure(browser, width, height, fps, dir) {
  const clip = await makeClip(dir, width, height, fps);
  const serve = await startServe(clip);
  const [vw, vh] = values.viewport.split('x').map(Number);
  const page = await browser.newPage({ viewport: { width: vw, height: vh } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    const health = async () => (await fetch(`${serve.url}/healthz`)).json();
    await page.goto(serve.url);
    await page.waitForFunction(() => window.sam2radViewer.display.painted > 0, undefined, { timeout: 120_000 });
    await page.waitForTimeout(Number(values.warmup) * 1000);

    const start = await page.evaluate(() => ({ now: performance.now(), paints: window.sam2radViewer.display.paints.length, received: window.sam2radViewer.display.received, notDecoded: window.sam2radViewer.display.notDecoded, skipped: window.sam2radViewer.server?.skipped ?? 0 }));
    const h0 = await health();
    const cpu0 = await cpuSeconds(serve.child.pid);
    const t0 = performance.now();
    const load0 = os.loadavg()[0];
    await page.waitForTimeout(Number(values.seconds) * 1000);
    const end = await page.evaluate((from) => {
      const d = window.sam2radViewer.display;
      return { now: performance.now(), paints: d.paints.slice(from), received: d.received, notDecoded: d.notDecoded, clock: d.clock, skipped: window.sam2radViewer.server?.skipped ?? 0,
        request: { canvas: [document.getElementById('view').width, document.getElementById('view').height] } };
    }, start.paints);
    const h1 = await health();
    const cpu1 = await cpuSeconds(serve.child.pid);
    const elapsed = (performance.now() - t0) / 1000;
    const load1 = os.loadavg()[0];

    const pageSeconds = (end.now - start.now) / 1000;
    const latencies = end.paints.map((p) => p.frameToPaintMs).filter((x) => x !== null).sort((a, b) => a - b);
    const sentToPaint = end.paints.map((p) => p.sentToPaintMs).filter((x) => x !== null).sort((a, b) => a - b);
    const bytes = end.paints.map((p) => p.bytes);
    const meanBytes = bytes.length ? bytes.reduce((a, b) => a + b, 0) / bytes.length : null;
    const raw = 2 * width * height;
    const processed = h1.frames.processed - h0.frames.processed;
    const result = {
      resolution: `${width}x${height}`,
      source_fps: fps,
      seconds: round(pageSeconds),
      viewport: values.viewport,
      picture: end.request.canvas.join('x'),
      displayed_fps: round(end.paints.length / pageSeconds),
      frames_received_fps: round((end.received - start.received) / pageSeconds),
      frames_not_decoded: end.notDecoded - start.notDecoded,
      frame_to_paint_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? null, samples: latencies.length },
      sent_to_paint_ms: { p50: percentile(sentToPaint, 50), p95: percentile(sentToPaint, 95), p99: percentile(sentToPaint, 99) },
      clock: end.clock && { offset_ms: round(end.clock.offsetMs, 2), method: end.clock.method, subscribe_round_trip_bound_ms: round(end.clock.roundTripBoundMs, 2) },
      bytes_per_frame: meanBytes === null ? null : Math.round(meanBytes),
      raw_bytes_per_frame: raw,
      bytes_fraction_of_raw: meanBytes === null ? null : round(meanBytes / raw, 4),
      server: {
        processed_fps: round(processed / elapsed),
        frames_processed: processed,
        frames_dropped: h1.frames.dropped - h0.frames.dropped,
        dropped_fraction: round((h1.frames.dropped - h0.frames.dropped) / Math.max(1, processed + h1.frames.dropped - h0.frames.dropped), 3),
        skipped_for_viewer: end.skipped - start.skipped,
        cpu_percent: round(((cpu1 - cpu0) / elapsed) * 100),
        model: h1.model,
      },
      load_average: { start: round(load0, 2), end: round(load1, 2) },
      page_errors: errors,
    };
    result.targets = {
      displayed_fps: { target: `>= ${TARGETS.displayed_fps}`, met: result.displayed_fps >= TARGETS.displayed_fps },
      ...(fps <= 30 ? {
        frame_to_paint_p95_ms: { target: `<= ${TARGETS.frame_to_paint_p95_ms}`, met: result.frame_to_paint_ms.p95 !== null && result.frame_to_paint_ms.p95 <= TARGETS.frame_to_paint_p95_ms },
        bytes_per_frame: { target: `<= ${TARGETS.bytes_fraction_of_raw * 100} % of raw`, met: result.bytes_fraction_of_raw !== null && result.bytes_fraction_of_raw <= TARGETS.bytes_fraction_of_raw },
      } : {
        server_keeps_newest: { target: 'frames dropped and counted, none queued', met: result.server.frames_dropped > 0 || result.server.processed_fps >= fps * 0.95 },
      }),
    };
    return result;
  } finally {
    await page.close();
    await stop(serve.child);
  }
}

const runs = values.runs.split(',').map((spec) => {
  const match = /^(\d+)x(\d+)@(\d+)$/.exec(spec.trim());
  if (!match) throw new Error(`--runs: expected WIDTHxHEIGHT@FPS, got ${spec}`);
  return match.slice(1).map(Number);
});
const dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-bench-viewer-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const browserVersion = browser.version();
const results = [];
try {
  for (const [width, height, fps] of runs) {
    console.error(`${width}x${height} at ${fps} fps: making the clip, serving, measuring ${values.seconds} s after ${values.warmup} s ...`);
    const result = await measure(browser, width, height, fps, dir);
    results.push(result);
    console.log(JSON.stringify({ resolution: result.resolution, source_fps: fps, displayed_fps: result.displayed_fps, frame_to_paint_ms: result.frame_to_paint_ms, bytes_per_frame: result.bytes_per_frame, bytes_fraction_of_raw: result.bytes_fraction_of_raw, server: { processed_fps: result.server.processed_fps, frames_dropped: result.server.frames_dropped, cpu_percent: result.server.cpu_percent } }));
  }
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}

if (values.json) {
  const report = {
    date: new Date().toISOString(),
    benchmark: 'viewer (scripts/bench-viewer.mjs)',
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memory_gb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.arch()}`, node: process.version },
    browser: `Chromium ${browserVersion} (--headless --no-sandbox --disable-gpu)`,
    clip: `${path.basename(values.source)} scaled to 85 % of the frame height, centred on black, grey bar at the right; H.264 CRF 20, looped`,
    class: values.class,
    targets: TARGETS,
    runs: results,
  };
  await mkdir(path.dirname(path.resolve(values.json)), { recursive: true });
  await writeFile(values.json, JSON.stringify(report, null, 2) + '\n');
  console.error(`written ${values.json}`);
}
