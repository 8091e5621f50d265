#!/usr/bin/env node
// Many scanners on NATS, measured (issue 21, docs/nats.md): for each worker count (--workers, default 1,2,4) a
// private nats-server (JetStream, temp store), `sam2rad serve --nats`, --scanners ingests (default 8) of the
// demo clip re-encoded at --fps (default 10) and looped, and N `sam2rad worker`s, all real processes of
// dist/src/app/cli/main.js. After every scanner has results it measures --seconds (default 20):
//   processed fps per scanner   results per second on scanners.ID.results (a NATS subscriber in this script)
//   end to end latency          frame decoded at the ingest -> result received here (2 NATS hops + the worker),
//                               p50/p99 from the frames' epoch stamps (one machine: one clock)
//   serve frame_to_ws           decoded at the ingest -> handed to serve's WebSockets, p50/p99 interpolated from
//                               serve's /metrics histogram sam2rad_stage_latency_seconds{stage="frame_to_ws"}
// then (2+ workers) SIGKILLs the worker holding the most scanners and times, per scanner it held, the first
// result from another worker after the kill (failover). For comparison the single-process `sam2rad serve
// --source CLIP --loop` runs one scanner for the same time (its /metrics frame_to_ws and processed fps).
//
//   npm run build && node scripts/bench-nats.mjs --json benchmarks/results/DATE-nats-cpu-2core.json
//
// Options: --workers LIST (1,2,4), --scanners N (8), --fps N (10), --seconds S (20), --threads-total N (2:
// intra-op threads split over the workers, at least 1 each), --json FILE, --bin PATH, --no-inprocess.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,4' },
    scanners: { type: 'string', default: '8' },
    fps: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    'threads-total': { type: 'string', default: '2' },
    json: { type: 'string' },
    bin: { type: 'string', default: 'dist/src/app/cli/main.js' },
    'no-inprocess': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const SCANNERS = Number(args.scanners);
const FPS = Number(args.fps);
const SECONDS = Number(args.seconds);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const children = [];
function start(cmd, argv, name) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1' } });
  child.log = '';
  const add = (d) => {
    child.log = (child.log + d.toString()).slice(-20000);
    if (args.verbose) process.stderr.write(`[${name}] ${d}`);
  };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  children.push(child);
  return child;
}
async function stopAll() {
  await Promise.all(
    children.splice(0).map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }),
  );
}
async function until(what, read, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
const round = (x, d = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

/** serve's frame_to_ws histogram (/metrics): cumulative counts per bucket bound (s). */
async function frameToWsBuckets(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = [];
  for (const m of text.matchAll(/sam2rad_stage_latency_seconds_bucket\{([^}]*)\} (\S+)/g)) {
    if (!m[1].includes('stage="frame_to_ws"')) continue;
    const le = /le="([^"]+)"/.exec(m[1])[1];
    buckets.push({ le: le === '+Inf' ? Infinity : Number(le), n: Number(m[2]) });
  }
  return buckets.sort((a, b) => a.le - b.le);
}

/** p50/p99 (ms) of the frames observed between two scrapes, interpolated linearly within a bucket. */
function frameToWs(before, after) {
  const buckets = after.map((b, i) => ({ le: b.le, n: b.n - (before[i]?.n ?? 0) }));
  const total = buckets.at(-1)?.n ?? 0;
  const q = (p) => {
    let prevLe = 0;
    let prevN = 0;
    for (const b of buckets) {
      if (total > 0 && b.n >= p * total) {
        if (b.le === Infinity) return prevLe * 1000;
        return (prevLe + ((p * total - prevN) / Math.max(1, b.n - prevN)) * (b.le - prevLe)) * 1000;
      }
      prevLe = b.le;
      prevN = b.n;
    }
    return null;
  };
  return { frames: total, p50: round(q(0.5)), p99: round(q(0.99)) };
}

function readHeader(data) {
  const n = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  return JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + n)));
}

async function runNats(clip, workers) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-bench-nats-'));
  const port = await freePort();
  const natsServer = start('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], 'nats');
  await until('nats-server', () => /Server is ready/.test(natsServer.log), 10000);
  const url = `nats://127.0.0.1:${port}`;
  const nc = await connect({ servers: url });
  const seen = [];
  nc.subscribe('scanners.*.results', {
    callback: (_e, msg) => {
      const h = readHeader(msg.data);
      seen.push({ scanner: h.scanner, worker: h.worker, decoded: h.timestamps.decoded, at: performance.timeOrigin + performance.now() });
    },
  });
  const serve = start(process.execPath, [args.bin, 'serve', '--nats', url, '--port', '0', '--record-dir', path.join(dir, 'rec')], 'serve');
  const ids = Array.from({ length: SCANNERS }, (_, i) => `scanner-${i + 1}`);
  for (const id of ids) start(process.execPath, [args.bin, 'ingest', '--nats', url, '--scanner', id, '--source', clip, '--loop', '--report-every', '0'], id);
  const threads = Math.max(1, Math.floor(Number(args['threads-total']) / workers));
  const workerProcs = new Map();
  for (let i = 0; i < workers; i++) workerProcs.set(`w${i + 1}`, start(process.execPath, [args.bin, 'worker', '--nats', url, '--id', `w${i + 1}`, '--threads', String(threads)], `w${i + 1}`));
  const serveUrl = await until('serve', () => /\(many scanners\): (http:\/\/\S+)/.exec(serve.log)?.[1], 30000);
  const t0 = Date.now();
  await until('results from every scanner', () => ids.every((id) => seen.some((s) => s.scanner === id && s.at > Date.now() - 3000)), 120000).catch(() => false);
  const warmupS = (Date.now() - t0) / 1000;
  await sleep(2000);
  const before = await frameToWsBuckets(serveUrl);
  const from = performance.timeOrigin + performance.now();
  await sleep(SECONDS * 1000);
  const to = performance.timeOrigin + performance.now();
  const after = await frameToWsBuckets(serveUrl);
  const window = seen.filter((s) => s.at >= from && s.at < to);
  const latencies = window.map((s) => s.at - s.decoded).sort((a, b) => a - b);
  const perScanner = Object.fromEntries(ids.map((id) => [id, round(window.filter((s) => s.scanner === id).length / SECONDS, 2)]));
  const fpsValues = Object.values(perScanner);
  const holders = {};
  for (const s of window) holders[s.scanner] = s.worker;
  const result = {
    workers,
    intra_op_threads_per_worker: threads,
    warmup_s: round(warmupS),
    processed_fps_per_scanner: perScanner,
    processed_fps_per_scanner_mean: round(fpsValues.reduce((a, b) => a + b, 0) / fpsValues.length, 2),
    processed_fps_per_scanner_min: Math.min(...fpsValues),
    processed_fps_total: round(window.length / SECONDS, 2),
    offered_fps_total: SCANNERS * FPS,
    end_to_end_latency_ms: { frames: latencies.length, p50: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)) },
    serve_frame_to_ws_ms: frameToWs(before, after),
    scanners_per_worker: Object.fromEntries([...workerProcs.keys()].map((w) => [w, Object.values(holders).filter((x) => x === w).length])),
  };
  if (workers >= 2) {
    const counts = result.scanners_per_worker;
    const victim = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
    const moved = Object.entries(holders).filter(([, w]) => w === victim).map(([id]) => id);
    const killedAt = performance.timeOrigin + performance.now();
    workerProcs.get(victim).kill('SIGKILL');
    await until('failover', () => moved.every((id) => seen.some((s) => s.scanner === id && s.worker !== victim && s.at > killedAt)), 20000).catch(() => false);
    const times = Object.fromEntries(moved.map((id) => {
      const first = seen.find((s) => s.scanner === id && s.worker !== victim && s.at > killedAt);
      return [id, first ? round(first.at - killedAt, 0) : null];
    }));
    const values = Object.values(times).filter((v) => v !== null);
    result.failover = { killed: victim, scanners: moved.length, first_result_after_kill_ms: times, max_ms: values.length ? Math.max(...values) : null, all_within_5s: values.length === moved.length && values.every((v) => v < 5000) };
  }
  await nc.close();
  await stopAll();
  await rm(dir, { recursive: true, force: true });
  return result;
}

async function runInProcess(clip) {
  const port = await freePort();
  const serve = start(process.execPath, [args.bin, 'serve', '--source', clip, '--loop', '--port', String(port)], 'serve-inprocess');
  const url = `http://127.0.0.1:${port}`;
  await until('in-process serve', async () => {
    try {
      return (await (await fetch(`${url}/healthz`)).json()).frames.processed > 0;
    } catch {
      return false;
    }
  }, 60000);
  await sleep(2000);
  const h0 = await (await fetch(`${url}/healthz`)).json();
  const before = await frameToWsBuckets(url);
  await sleep(SECONDS * 1000);
  const h1 = await (await fetch(`${url}/healthz`)).json();
  const after = await frameToWsBuckets(url);
  await stopAll();
  void serve;
  return {
    scanners: 1,
    processed_fps: round((h1.frames.processed - h0.frames.processed) / SECONDS, 2),
    serve_frame_to_ws_ms: frameToWs(before, after),
  };
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-bench-clip-'));
const clip = path.join(tmp, `demo-${FPS}fps.mp4`);
const made = spawnSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-i', 'assets/demo/demo.mp4', '-r', String(FPS), '-c:v', 'libx264', '-g', String(FPS), '-pix_fmt', 'yuv420p', '-y', clip]);
if (made.status !== 0) throw new Error(`could not make the ${FPS} fps clip: ${made.stderr}`);
const out = {
  benchmark: 'many scanners on NATS JetStream (issue 21)',
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), shared; every process (nats-server, serve, ${SCANNERS} ingests with their ffmpeg, the workers, this script) on it`,
  clip: `assets/demo/demo.mp4 (640x432) re-encoded at ${FPS} fps, looped, JPEG q80 on the wire`,
  scanners: SCANNERS,
  fps_per_scanner_offered: FPS,
  seconds: SECONDS,
  runs: [],
};
try {
  for (const workers of args.workers.split(',').map(Number)) {
    console.error(`-- ${workers} worker(s), ${SCANNERS} scanners at ${FPS} fps`);
    const r = await runNats(clip, workers);
    console.error(JSON.stringify(r));
    out.runs.push(r);
  }
  if (!args['no-inprocess']) {
    console.error('-- in-process serve, 1 scanner');
    out.inprocess = await runInProcess(clip);
    console.error(JSON.stringify(out.inprocess));
  }
} finally {
  await stopAll();
  await rm(tmp, { recursive: true, force: true });
}
const text = JSON.stringify(out, null, 2);
if (args.json) await writeFile(args.json, `${text}\n`);
console.log(text);
