#!/usr/bin/env node
// Soak benchmark (not a test): a real `sam2rad serve` (started as `node <bin>`) on a looped 30 fps clip for
// --minutes, with --viewers WebSocket clients subscribed to compressed frames as the browser viewer is, and a
// recording of --record-s seconds started every --record-every-min minutes (POST /recording/start|stop).
// Every --sample-s seconds it reads the server's RSS and open file descriptors (/proc/PID), its processed and
// dropped frames (/healthz), the frames each viewer received and the load average. At the end it prints a
// table and writes JSON (--json FILE): RSS growth from the end of the warm-up to the end, the least-squares RSS
// slope in MB/h after the warm-up, and the descriptor count outside recordings (min / max), each checked against
// the targets (growth < 20 MB, a flat descriptor count).
//
//   node scripts/soak.mjs --json benchmarks/results/soak.json            # 60 min, 4 viewers, a recording every 5 min
//   node scripts/soak.mjs --minutes 2 --record-every-min 1 --record-s 10 # a short dry run
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { startServe } from './lib/feed-faults.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    viewers: { type: 'string', default: '4' },
    'record-every-min': { type: 'string', default: '5' },
    'record-s': { type: 'string', default: '30' },
    'sample-s': { type: 'string', default: '30' },
    'warmup-min': { type: 'string', default: '2' },
    source: { type: 'string', default: 'assets/demo/demo.mp4' },
    bin: { type: 'string', default: 'dist/src/app/cli/main.js' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: node scripts/soak.mjs [--minutes 60] [--viewers 4] [--record-every-min 5] [--record-s 30] [--sample-s 30] [--warmup-min 2] [--source FILE] [--json FILE]');
  process.exit(0);
}
const positive = (name) => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number (got ${args[name]})`);
  return value;
};
const MINUTES = positive('minutes');
const VIEWERS = Math.round(positive('viewers'));
const RECORD_EVERY_MS = positive('record-every-min') * 60_000;
const RECORD_MS = positive('record-s') * 1000;
const SAMPLE_MS = positive('sample-s') * 1000;
const WARMUP_MS = Number(args['warmup-min']) * 60_000;
const RSS_GROWTH_TARGET_MB = 20;

const log = (line) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** A client like the browser viewer: hello, subscribe to compressed frames (protocol 2), count what arrives. */
function viewer(url, index) {
  const state = { index, frames: 0, bytes: 0, reconnects: 0, closed: false, ws: undefined };
  const connect = () => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    state.ws = ws;
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello' }));
      ws.send(JSON.stringify({ type: 'subscribe', id: 1, version: 2 }));
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      state.frames++;
      state.bytes += data.length;
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (state.closed) return;
      state.reconnects++;
      setTimeout(connect, 500);
    });
  };
  connect();
  return state;
}

async function processStats(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { rssMb: rssKb / 1024, fds };
}

async function folderBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function post(url, route) {
  const response = await fetch(`${url}${route}`, { method: 'POST' });
  const body = await response.json();
  if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const work = await mkdtemp(path.join(tmpdir(), 'sam2rad-soak-'));
const recordDir = path.join(work, 'recordings');
const serve = await startServe(args.bin, ['--source', args.source, '--loop', '--record-dir', recordDir], false);
log(`serve pid ${serve.child.pid} at ${serve.url}; ${VIEWERS} viewers, ${MINUTES} min`);
const viewers = Array.from({ length: VIEWERS }, (_, i) => viewer(serve.url, i));
const samples = [];
const recordings = [];
let recording = false;
let serverExited = false;
const onUnexpectedExit = (code, signal) => {
  serverExited = true;
  log(`serve exited (${code ?? signal}): ${serve.tail()}`);
};
serve.child.once('exit', onUnexpectedExit);

const started = performance.now();
const endAt = started + MINUTES * 60_000;
let nextSample = started;
let nextRecording = started + RECORD_EVERY_MS;
let stopRecordingAt = Infinity;
while (performance.now() < endAt && !serverExited) {
  const now = performance.now();
  if (now >= nextRecording && !recording) {
    try {
      const body = await post(serve.url, '/recording/start');
      recording = true;
      recordings.push({ id: body.recording.id, startedAtS: (now - started) / 1000 });
      stopRecordingAt = now + RECORD_MS;
    } catch (err) {
      recordings.push({ error: err.message, startedAtS: (now - started) / 1000 });
    }
    nextRecording += RECORD_EVERY_MS;
  }
  if (recording && now >= stopRecordingAt) {
    const entry = recordings.at(-1);
    try {
      const body = await post(serve.url, '/recording/stop');
      entry.frames = body.recording.frames;
      entry.error = body.recording.error;
    } catch (err) {
      entry.error = err.message;
    }
    recording = false;
    stopRecordingAt = Infinity;
  }
  if (now >= nextSample) {
    const [proc, healthz] = await Promise.all([processStats(serve.child.pid), fetch(`${serve.url}/healthz`).then((r) => r.json())]);
    const sample = {
      t_s: Math.round((now - started) / 100) / 10,
      rss_mb: Math.round(proc.rssMb * 10) / 10,
      fds: proc.fds,
      recording,
      processed: healthz.frames.processed,
      dropped: healthz.frames.dropped,
      clients: healthz.clients,
      viewer_frames: viewers.map((v) => v.frames),
      load1: Math.round(loadavg()[0] * 100) / 100,
    };
    samples.push(sample);
    log(`t=${sample.t_s}s rss ${sample.rss_mb} MB, fds ${sample.fds}${recording ? ' (recording)' : ''}, processed ${sample.processed}, dropped ${sample.dropped}, clients ${sample.clients}, load ${sample.load1}`);
    nextSample += SAMPLE_MS;
  }
  await sleep(Math.max(10, Math.min(nextSample, nextRecording, stopRecordingAt, endAt) - performance.now()));
}
if (recording) await post(serve.url, '/recording/stop').catch(() => {});
const recordingBytes = await folderBytes(recordDir).catch(() => 0);
for (const v of viewers) {
  v.closed = true;
  v.ws?.terminate();
}
serve.child.off('exit', onUnexpectedExit);
const exitedCleanly = new Promise((resolve) => serve.child.once('exit', (code, signal) => resolve({ code, signal })));
if (!serverExited) serve.child.kill('SIGTERM');
const exit = serverExited ? { code: null, signal: 'exited during the soak' } : await exitedCleanly;
await rm(work, { recursive: true, force: true });

const afterWarmup = samples.filter((s) => s.t_s * 1000 >= WARMUP_MS);
const first = afterWarmup[0] ?? samples[0];
const last = samples.at(-1);
const rssGrowth = last.rss_mb - first.rss_mb;
const rssSlope = slope(afterWarmup.map((s) => s.t_s / 3600), afterWarmup.map((s) => s.rss_mb));
const idleFds = afterWarmup.filter((s) => !s.recording).map((s) => s.fds);
const fdSpread = idleFds.length ? Math.max(...idleFds) - Math.min(...idleFds) : null;
const elapsedS = (last.t_s - samples[0].t_s) || 1;
const result = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, load_start: samples[0].load1, load_max: Math.max(...samples.map((s) => s.load1)) },
  settings: { minutes: MINUTES, viewers: VIEWERS, record_every_min: RECORD_EVERY_MS / 60_000, record_s: RECORD_MS / 1000, sample_s: SAMPLE_MS / 1000, warmup_min: WARMUP_MS / 60_000, source: args.source },
  server_restarts: serverExited ? 1 : 0,
  server_exit: exit,
  rss_mb: { start: samples[0].rss_mb, after_warmup: first.rss_mb, end: last.rss_mb, max: Math.max(...samples.map((s) => s.rss_mb)), growth_after_warmup: Math.round(rssGrowth * 10) / 10, slope_mb_per_h: Math.round(rssSlope * 10) / 10 },
  fds: { idle_min: Math.min(...idleFds), idle_max: Math.max(...idleFds), idle_spread: fdSpread, recording_max: Math.max(0, ...samples.filter((s) => s.recording).map((s) => s.fds)) },
  frames: { processed: last.processed, dropped: last.dropped, processed_fps: Math.round(((last.processed - samples[0].processed) / elapsedS) * 10) / 10, per_viewer: viewers.map((v) => ({ frames: v.frames, mb: Math.round(v.bytes / 1e5) / 10, reconnects: v.reconnects })) },
  recordings: { count: recordings.length, failed: recordings.filter((r) => r.error).length, total_mb_on_disk: Math.round(recordingBytes / 1e5) / 10, each: recordings },
  targets: {
    rss_growth_below_20_mb: rssGrowth < RSS_GROWTH_TARGET_MB ? 'met' : 'missed',
    flat_descriptor_count: fdSpread !== null && fdSpread <= 2 ? 'met' : 'missed',
    no_server_restart: serverExited ? 'missed' : 'met',
  },
  samples,
};
console.log('| minute | RSS MB | fds | recording | processed | dropped | load |');
console.log('|---|---|---|---|---|---|---|');
for (const s of samples) console.log(`| ${(s.t_s / 60).toFixed(1)} | ${s.rss_mb} | ${s.fds} | ${s.recording ? 'yes' : ''} | ${s.processed} | ${s.dropped} | ${s.load1} |`);
console.log(`RSS ${first.rss_mb} -> ${last.rss_mb} MB after warm-up (growth ${result.rss_mb.growth_after_warmup} MB, slope ${result.rss_mb.slope_mb_per_h} MB/h, target < ${RSS_GROWTH_TARGET_MB} MB: ${result.targets.rss_growth_below_20_mb});` +
  ` descriptors outside recordings ${result.fds.idle_min}-${result.fds.idle_max} (${result.targets.flat_descriptor_count}); ${recordings.length} recordings, ${result.recordings.failed} failed; processed ${result.frames.processed_fps} fps, dropped ${last.dropped}`);
if (args.json) await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`);
process.exit(Object.values(result.targets).every((v) => v === 'met') ? 0 : 1);
