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
//
// Then the server faults (--cases LIST, default all; `--cases none` or `--types none` skips a section), each
// against a real serve on the demo clip looped (scripts/lib/server-faults.mjs, recording-faults.mjs):
//   malformed       --malformed N (20000) malformed control messages on one WebSocket: each answered with an
//                   error (the first of each kind as invalid, the rest mostly by the rate limit), the
//                   connection stays open, frames keep flowing, no recording starts
//   oversized       --oversized N (10) connections each send 20 KiB (an error, stays open) then 2 MiB (closed,
//                   1009); the others are still served
//   stalled         --stalled N (20) clients that never read: processed fps before and during (/healthz,
//                   --fps-window-ms 10000) within --fps-tolerance (0.2), and the reading client's too
//   unauthorised    serve --token --view-token: --unauth-rounds N (50) rounds of every route, /healthz and /ws
//                   without or with a wrong token (401; /healthz status only); a view token's control refused
//   kill-recording  serve --record SIGKILLed after --kill-after-ms (3000): videos (ffprobe), masks, metadata.json
//   disk-full       serve --record on a --tmpfs-mb (4) tmpfs (root only; else skipped) until it is full
//   write-error     serve --record under ulimit -f --file-limit-kb (2048)
// Every case's rows go into the final table (what was done, how many, outcome, figure) and --json
// (serverFaults); a case that fails a check makes the exit status 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { flowing, freePort, health, log, sourceMetrics, startServe, stopProcess, summary, supervisedSender, TYPES, watchFrames } from './lib/feed-faults.mjs';
import { killRecordingCase, storageCase } from './lib/recording-faults.mjs';
import { malformedCase, oversizedCase, stalledCase, unauthorisedCase } from './lib/server-faults.mjs';

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
    cases: { type: 'string', default: 'malformed,oversized,stalled,unauthorised,kill-recording,disk-full,write-error' },
    malformed: { type: 'string', default: '20000' },
    oversized: { type: 'string', default: '10' },
    stalled: { type: 'string', default: '20' },
    'fps-window-ms': { type: 'string', default: '10000' },
    'fps-tolerance': { type: 'string', default: '0.2' },
    'unauth-rounds': { type: 'string', default: '50' },
    'kill-after-ms': { type: 'string', default: '3000' },
    'tmpfs-mb': { type: 'string', default: '4' },
    'file-limit-kb': { type: 'string', default: '2048' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: node scripts/faults.mjs [--cycles N] [--types udp,srt,rtsp,tcp|none] [--cut-ms MS] [--up-ms MS] [--give-up-ms MS] [--max-ms MS] [--json FILE] [--bin PATH]\n' +
    '  [--cases malformed,oversized,stalled,unauthorised,kill-recording,disk-full,write-error|none] [--malformed N] [--oversized N] [--stalled N]\n' +
    '  [--fps-window-ms MS] [--fps-tolerance F] [--unauth-rounds N] [--kill-after-ms MS] [--tmpfs-mb MB] [--file-limit-kb KB]');
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

const list = (value) => value.split(',').map((t) => t.trim()).filter((t) => t && t !== 'none');
const types = list(args.types);
for (const type of types) if (!(type in TYPES)) throw new Error(`unknown type "${type}" (known: ${Object.keys(TYPES).join(', ')})`);
const CASES = ['malformed', 'oversized', 'stalled', 'unauthorised', 'kill-recording', 'disk-full', 'write-error'];
const cases = list(args.cases);
for (const name of cases) if (!CASES.includes(name)) throw new Error(`unknown case "${name}" (known: ${CASES.join(', ')})`);

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

/** The server-fault cases asked for, each against its own or a shared serve on the demo clip looped. */
async function runServerCases(work) {
  const serveArgs = ['--source', CLIP, '--loop', ...(args.model ? ['--model', args.model] : [])];
  const rows = [];
  const one = async (name, fn) => {
    if (!cases.includes(name)) return;
    log(`${name}: running`);
    try {
      rows.push(await fn());
    } catch (err) {
      rows.push({ case: name, done: '', count: 0, outcome: 'FAIL', figure: `error: ${err.message.slice(0, 300)}`, ok: false, failures: ['ran'], details: {} });
    }
    log(`${name}: ${rows.at(-1).outcome} ${rows.at(-1).figure}${rows.at(-1).failures.length ? ` (failed: ${rows.at(-1).failures.join('; ')})` : ''}`);
  };
  // One serve, plain, for the cases on the WebSocket.
  const withServe = async (extra, token, fn) => {
    const serve = await startServe(args.bin, [...serveArgs, '--record-dir', path.join(work, 'recordings'), ...extra], args.verbose);
    const frames = watchFrames(serve.url, token);
    try {
      if (!(await flowing(frames, 90_000))) throw new Error(`no frame in 90 s; serve log: ${serve.tail()}`);
      return await fn(serve.url, frames);
    } finally {
      frames.close();
      await stopProcess(serve.child, 'SIGTERM');
    }
  };
  const plain = cases.filter((c) => ['malformed', 'oversized', 'stalled'].includes(c));
  if (plain.length) {
    await withServe([], undefined, async (url, frames) => {
      await one('malformed', () => malformedCase(url, frames, number('malformed')));
      await one('oversized', () => oversizedCase(url, frames, number('oversized')));
      await one('stalled', () => stalledCase(url, frames, number('stalled'), number('fps-window-ms'), number('fps-tolerance')));
    }).catch((err) => plain.filter((c) => !rows.some((r) => r.case === c)).forEach((c) => rows.push({ case: c, done: '', count: 0, outcome: 'FAIL', figure: `error: ${err.message.slice(0, 300)}`, ok: false, failures: ['ran'], details: {} })));
  }
  const tokens = { control: randomBytes(24).toString('base64url'), view: randomBytes(24).toString('base64url') };
  await one('unauthorised', () =>
    withServe([`--token=${tokens.control}`, `--view-token=${tokens.view}`], tokens.control, (url, frames) => unauthorisedCase(url, frames, number('unauth-rounds'), tokens)));
  const recordingOptions = { bin: args.bin, serveArgs, work, verbose: args.verbose, tmpfsMb: number('tmpfs-mb'), fileLimitKb: number('file-limit-kb') };
  await one('kill-recording', () => killRecordingCase({ ...recordingOptions, killAfterMs: number('kill-after-ms') }));
  await one('disk-full', () => storageCase('tmpfs', recordingOptions));
  await one('write-error', () => storageCase('ulimit', recordingOptions));
  return rows;
}

const work = await mkdtemp(path.join(tmpdir(), 'sam2rad-faults-'));
const loadAtStart = loadavg().map((v) => Math.round(v * 100) / 100);
const results = [];
const serverFaults = [];
try {
  for (const type of types) {
    log(`${type}: starting serve and sender`);
    const result = await runType(type, work);
    results.push({ ...result, summary: summary(result.cycles, MAX_MS) });
  }
  if (cases.length) serverFaults.push(...(await runServerCases(work)));
} finally {
  await rm(work, { recursive: true, force: true });
}

// The feed table: a row per cycle, a column per source type (recovery in ms; "-" = did not recover).
const cell = (v) => (v === null || v === undefined ? '-' : String(v));
const print = (rows, right) => {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((v, c) => (right(c) ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd());
};
if (results.length) {
  const rows = [['cycle', ...results.map((r) => r.type)]];
  const most = Math.max(0, ...results.map((r) => r.cycles.length));
  for (let i = 0; i < most; i++) rows.push([String(i + 1), ...results.map((r) => cell(r.cycles[i]?.recoveryMs))]);
  rows.push(['max', ...results.map((r) => cell(r.summary.maxMs))]);
  rows.push(['median', ...results.map((r) => cell(r.summary.medianMs))]);
  rows.push([`<=${MAX_MS}`, ...results.map((r) => `${r.cycles.filter((c) => c.recoveryMs !== null && c.recoveryMs <= MAX_MS).length}/${r.cycles.length}`)]);
  console.log(`recovery time (ms) from the sender restarting to the next processed frame; cut ${CUT_MS} ms`);
  print(rows, (c) => c > 0);
  console.log('');
}
// The final table: a row per feed type and per server-fault case.
const table = [['case', 'done', 'count', 'outcome', 'figure']];
for (const r of results) {
  table.push([`feed ${r.type}`, `cut ${CUT_MS} ms / restore cycles`, String(r.summary.cycles), r.summary.withinMax ? 'ok' : 'FAIL',
    `${r.summary.recovered}/${r.summary.cycles} recovered <= ${MAX_MS} ms; max ${cell(r.summary.maxMs)} ms, median ${cell(r.summary.medianMs)} ms`]);
}
for (const r of serverFaults) table.push([r.case, r.done, String(r.count), r.outcome, r.figure + (r.failures.length ? ` [failed: ${r.failures.join('; ')}]` : '')]);
if (table.length > 1) {
  console.log('faults: what was done, how many, outcome and figure');
  print(table, (c) => c === 2);
}

if (args.json) {
  const report = {
    date: new Date().toISOString(),
    settings: {
      cycles: CYCLES, cutMs: CUT_MS, upMs: UP_MS, giveUpMs: GIVE_UP_MS, maxMs: MAX_MS, clip: CLIP, ffmpeg: FFMPEG, types, cases,
      malformed: number('malformed'), oversized: number('oversized'), stalled: number('stalled'), fpsWindowMs: number('fps-window-ms'),
      fpsTolerance: number('fps-tolerance'), unauthRounds: number('unauth-rounds'), killAfterMs: number('kill-after-ms'),
      tmpfsMb: number('tmpfs-mb'), fileLimitKb: number('file-limit-kb'),
    },
    load: { start: loadAtStart, end: loadavg().map((v) => Math.round(v * 100) / 100) },
    results,
    serverFaults,
  };
  await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
}
process.exit(results.every((r) => r.summary.withinMax) && serverFaults.every((r) => r.ok) ? 0 : 1);
