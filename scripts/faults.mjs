#!/usr/bin/env node
// Feed faults, measured end to end: for each source type a real `sam2rad serve` (node dist/src/app/cli/main.js,
// run as `node <bin>`) reads a live feed sent by a real ffmpeg (the demo clip, x264, GOP 15, in real time);
// each cycle kills the sender (SIGKILL: a cut cable, a crashed encoder), waits --cut-ms, starts it again and
// times how long until the server publishes a new processed frame (first binary frame on the WebSocket /ws).
// Prints one table with every cycle's recovery time per source type (and max / median), writes JSON with
// --json FILE, and exits 1 if a cycle did not recover within --max-ms (default 2000).
//
//   npm run faults                                   # udp, srt, rtsp, tcp; 20 cycles each
//   npm run faults -- --cycles 3 --types udp,srt --json faults.json
//
// Options: --cycles N (20), --types LIST (udp,srt,rtsp,tcp), --cut-ms MS (5000: how long the sender is gone),
// --up-ms MS (2000: streaming before each cut), --give-up-ms MS (30000), --max-ms MS (2000), --json FILE,
// --bin PATH (dist/src/app/cli/main.js), --model DIR, --verbose (serve's log on stderr).
//
// Senders (ffmpeg from FFMPEG_PATH or PATH; the srt type needs one built with libsrt):
//   udp   serve reads udp://127.0.0.1:P                    sender -f mpegts udp://127.0.0.1:P
//   tcp   serve listens tcp://127.0.0.1:P?listen=1         sender -f mpegts tcp://127.0.0.1:P
//   srt   serve listens srt://127.0.0.1:P?mode=listener    sender -f mpegts srt://127.0.0.1:P (caller)
//   rtsp  serve listens rtsp://127.0.0.1:P/live (stream definition with inputArgs -rtsp_flags listen)
//         sender -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:P/live (an encoder pushing RTSP)
//   tcp-caller, srt-caller (not in the default list): the sender listens and serve dials it
// A sender that cannot connect yet (the listener is being reopened) is started again every 100 ms, as an
// encoder retries; recovery is timed from its first start.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';

const { values: args } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    types: { type: 'string', default: 'udp,srt,rtsp,tcp' },
    'cut-ms': { type: 'string', default: '5000' },
    'up-ms': { type: 'string', default: '2000' },
    'give-up-ms': { type: 'string', default: '30000' },
    'max-ms': { type: 'string', default: '2000' },
    json: { type: 'string' },
    bin: { type: 'string', default: 'dist/src/app/cli/main.js' },
    model: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: node scripts/faults.mjs [--cycles N] [--types udp,srt,rtsp,tcp] [--cut-ms MS] [--up-ms MS] [--give-up-ms MS] [--max-ms MS] [--json FILE] [--bin PATH]');
  process.exit(0);
}
const number = (name) => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number (got ${args[name]})`);
  return value;
};
const CYCLES = number('cycles');
const CUT_MS = number('cut-ms');
const UP_MS = number('up-ms');
const GIVE_UP_MS = number('give-up-ms');
const MAX_MS = number('max-ms');
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const CLIP = 'assets/demo/demo.mp4';

const TYPES = {
  udp: (port) => ({ source: `udp://127.0.0.1:${port}`, sender: ['-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`] }),
  tcp: (port) => ({ source: `tcp://127.0.0.1:${port}?listen=1`, sender: ['-f', 'mpegts', `tcp://127.0.0.1:${port}`] }),
  srt: (port) => ({
    source: `srt://127.0.0.1:${port}?mode=listener`,
    sender: ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=caller&pkt_size=1316`],
  }),
  // Callers: the sender listens and serve dials it (a camera or encoder serving its stream).
  'tcp-caller': (port) => ({ source: `tcp://127.0.0.1:${port}`, sender: ['-f', 'mpegts', `tcp://127.0.0.1:${port}?listen=1`] }),
  'srt-caller': (port) => ({
    source: `srt://127.0.0.1:${port}`,
    sender: ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener&pkt_size=1316`],
  }),
  rtsp: (port) => ({
    source: `rtsp://127.0.0.1:${port}/live`,
    inputArgs: ['-rtsp_flags', 'listen'],
    sender: ['-f', 'rtsp', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${port}/live`],
  }),
};
const types = args.types.split(',').map((t) => t.trim()).filter(Boolean);
for (const type of types) if (!(type in TYPES)) throw new Error(`unknown type "${type}" (known: ${Object.keys(TYPES).join(', ')})`);

/** A TCP port that was free a moment ago (UDP and SRT use the same number; collisions are unlikely). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function log(line) {
  process.stderr.write(`[faults] ${line}\n`);
}

/** `node <bin> serve` on a free port; resolves with the process and its URL once it printed it. */
async function startServe(serveArgs) {
  const child = spawn(process.execPath, [args.bin, 'serve', '--port', '0', '--host', '127.0.0.1', ...serveArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  child.stderr.on('data', (d) => {
    tail = (tail + d.toString()).slice(-4000);
    if (args.verbose) process.stderr.write(d);
  });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const match = /(https?:\/\/127\.0\.0\.1:\d+)/.exec(d.toString());
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${tail}`)));
  });
  return { child, url, tail: () => tail };
}

async function stopProcess(child, signal = 'SIGKILL') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A sender that is started again (after 100 ms) whenever it exits, until stop(). */
function supervisedSender(senderArgs) {
  let child;
  let stopped = false;
  let starts = 0;
  const start = () => {
    if (stopped) return;
    starts++;
    child = spawn(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', CLIP, '-an',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p',
      ...senderArgs,
    ], { stdio: 'ignore' });
    child.once('exit', () => {
      if (!stopped) setTimeout(start, 100);
    });
  };
  start();
  return {
    get starts() {
      return starts;
    },
    async stop() {
      stopped = true;
      await stopProcess(child);
    },
  };
}

/** Arrival times (performance.now()) of the frames the server publishes. */
function watchFrames(url) {
  const state = { frames: 0, last: -Infinity, waiters: [], ws: undefined, closed: false };
  const connect = () => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    state.ws = ws;
    ws.on('message', (_data, isBinary) => {
      if (!isBinary) return;
      const now = performance.now();
      state.frames++;
      state.last = now;
      for (const waiter of state.waiters.splice(0)) waiter(now);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!state.closed) setTimeout(connect, 200);
    });
  };
  connect();
  return {
    get frames() {
      return state.frames;
    },
    get last() {
      return state.last;
    },
    /** The arrival time of the next frame, or undefined after `ms`. */
    next(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          state.waiters = state.waiters.filter((w) => w !== waiter);
          resolve(undefined);
        }, ms);
        const waiter = (t) => {
          clearTimeout(timer);
          resolve(t);
        };
        state.waiters.push(waiter);
      });
    },
    close() {
      state.closed = true;
      state.ws?.terminate();
    },
  };
}

/** sam2rad_source_up and the sam2rad_source_state series from /metrics. */
async function sourceMetrics(url) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const up = /^sam2rad_source_up (\S+)$/m.exec(text)?.[1];
    const state = /^sam2rad_source_state\{state="([^"]+)"\} 1$/m.exec(text)?.[1];
    return { up: up === undefined ? null : Number(up), state: state ?? null };
  } catch {
    return { up: null, state: null };
  }
}

async function health(url) {
  try {
    return await (await fetch(`${url}/healthz`)).json();
  } catch {
    return undefined;
  }
}

/** Waits until frames flow (one arrived in the last 500 ms), at most `ms`; true if they do. */
async function flowing(frames, ms) {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (performance.now() - frames.last < 500) return true;
    await frames.next(Math.min(1000, Math.max(1, deadline - performance.now())));
  }
  return performance.now() - frames.last < 500;
}

async function runType(type, work) {
  const port = await freePort();
  const spec = TYPES[type](port);
  const serveArgs = [...(args.model ? ['--model', args.model] : [])];
  if (spec.inputArgs) {
    const definition = path.join(work, `${type}.json`);
    await writeFile(definition, JSON.stringify({ name: `faults-${type}`, source: { uri: spec.source, inputArgs: spec.inputArgs } }));
    serveArgs.push('--stream', definition);
  } else {
    serveArgs.push('--source', spec.source);
  }
  const serve = await startServe(serveArgs);
  const frames = watchFrames(serve.url);
  const result = { type, source: spec.source, cycles: [] };
  let sender = supervisedSender(spec.sender);
  try {
    if (!(await flowing(frames, 90_000))) throw new Error(`${type}: no frame in 90 s after start; serve log: ${serve.tail()}`);
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await sleep(UP_MS);
      const streamed = performance.now() - frames.last < 500;
      await sender.stop();
      await sleep(CUT_MS);
      const during = await health(serve.url);
      const metricsDuring = await sourceMetrics(serve.url);
      const quietFor = performance.now() - frames.last;
      const restarted = performance.now();
      sender = supervisedSender(spec.sender);
      let first;
      while (first === undefined && performance.now() - restarted < GIVE_UP_MS) {
        const t = await frames.next(GIVE_UP_MS - (performance.now() - restarted));
        if (t !== undefined && t > restarted) first = t;
      }
      const after = await health(serve.url);
      const entry = {
        cycle,
        recoveryMs: first === undefined ? null : Math.round(first - restarted),
        streamedBeforeCut: streamed,
        quietBeforeRestartMs: Math.round(quietFor),
        stateDuringCut: during?.source?.state ?? null,
        metricsDuringCut: metricsDuring,
        stateAfter: after?.source?.state ?? null,
        metricsAfter: await sourceMetrics(serve.url),
        reconnects: after?.source?.reconnects ?? null,
        senderStarts: sender.starts,
      };
      result.cycles.push(entry);
      log(`${type} cycle ${cycle}/${CYCLES}: ${entry.recoveryMs === null ? `no frame in ${GIVE_UP_MS} ms` : `${entry.recoveryMs} ms`}` +
        ` (state while cut: ${entry.stateDuringCut}, sender starts: ${entry.senderStarts})`);
      if (first === undefined && !(await flowing(frames, GIVE_UP_MS))) {
        log(`${type}: the feed did not come back; the remaining cycles are skipped`);
        break;
      }
    }
  } finally {
    await sender.stop();
    frames.close();
    await stopProcess(serve.child, 'SIGTERM');
  }
  return result;
}

function summary(cycles) {
  const times = cycles.map((c) => c.recoveryMs);
  const ok = times.filter((t) => t !== null).sort((a, b) => a - b);
  const median = ok.length === 0 ? null : ok.length % 2 ? ok[(ok.length - 1) / 2] : Math.round((ok[ok.length / 2 - 1] + ok[ok.length / 2]) / 2);
  return {
    cycles: cycles.length,
    recovered: ok.length,
    minMs: ok[0] ?? null,
    medianMs: median,
    maxMs: ok.at(-1) ?? null,
    withinMax: times.every((t) => t !== null && t <= MAX_MS),
  };
}

const work = await mkdtemp(path.join(tmpdir(), 'sam2rad-faults-'));
const results = [];
try {
  for (const type of types) {
    log(`${type}: starting serve and sender`);
    const result = await runType(type, work);
    results.push({ ...result, summary: summary(result.cycles) });
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

// One table: a row per cycle, a column per source type (recovery in ms; "-" = did not recover).
const cell = (v) => (v === null || v === undefined ? '-' : String(v));
const rows = [['cycle', ...results.map((r) => r.type)]];
const most = Math.max(0, ...results.map((r) => r.cycles.length));
for (let i = 0; i < most; i++) rows.push([String(i + 1), ...results.map((r) => cell(r.cycles[i]?.recoveryMs))]);
rows.push(['max', ...results.map((r) => cell(r.summary.maxMs))]);
rows.push(['median', ...results.map((r) => cell(r.summary.medianMs))]);
rows.push([`<=${MAX_MS}`, ...results.map((r) => `${r.cycles.filter((c) => c.recoveryMs !== null && c.recoveryMs <= MAX_MS).length}/${r.cycles.length}`)]);
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
console.log(`recovery time (ms) from the sender restarting to the next processed frame; cut ${CUT_MS} ms`);
for (const row of rows) console.log(row.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));

if (args.json) {
  const report = {
    date: new Date().toISOString(),
    settings: { cycles: CYCLES, cutMs: CUT_MS, upMs: UP_MS, giveUpMs: GIVE_UP_MS, maxMs: MAX_MS, clip: CLIP, ffmpeg: FFMPEG },
    results,
  };
  await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
}
process.exit(results.every((r) => r.summary.withinMax) ? 0 : 1);
