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
// encoder retries; recovery is timed from its first start. The source types, processes and frame watching are in
// scripts/lib/feed-faults.mjs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { flowing, freePort, health, log, sourceMetrics, startServe, stopProcess, summary, supervisedSender, TYPES, watchFrames } from './lib/feed-faults.mjs';

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

const types = args.types.split(',').map((t) => t.trim()).filter(Boolean);
for (const type of types) if (!(type in TYPES)) throw new Error(`unknown type "${type}" (known: ${Object.keys(TYPES).join(', ')})`);

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
  const serve = await startServe(args.bin, serveArgs, args.verbose);
  const frames = watchFrames(serve.url);
  const result = { type, source: spec.source, cycles: [] };
  let sender = supervisedSender(FFMPEG, CLIP, spec.sender);
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
      sender = supervisedSender(FFMPEG, CLIP, spec.sender);
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

const work = await mkdtemp(path.join(tmpdir(), 'sam2rad-faults-'));
const results = [];
try {
  for (const type of types) {
    log(`${type}: starting serve and sender`);
    const result = await runType(type, work);
    results.push({ ...result, summary: summary(result.cycles, MAX_MS) });
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
