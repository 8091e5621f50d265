// Recording faults, measured end to end (scripts/faults.mjs, issue 19): a `sam2rad serve --record` killed
// (SIGKILL) while it records, and a recording that runs out of room, on a full disk (a small tmpfs, when
// this runs as root) or at a file-size limit (serve under `ulimit -f`). What is checked is what
// docs/protocol.md ("Recordings on disk", "Storage faults") promises: the videos play up to their last
// fragment (ffprobe counts their frames), metadata.json is whole and says complete: false, the masks are
// there, and for a storage fault the error is in /healthz while the live stream goes on.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { flowing, health, startServe, stopProcess, watchFrames } from './feed-faults.mjs';
import { processedFps, round, skipped, verdict } from './server-faults.mjs';

const run = promisify(execFile);
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

/** Frames ffprobe decodes in a video, or null when it cannot read it. */
async function videoFrames(file) {
  try {
    const { stdout } = await run(FFPROBE, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
    const n = Number(stdout.trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** What is on disk for a recording: videos' frames, masks, metadata.json (null if unreadable) and what the
 * catalogue (GET /recordings after a restart) makes of it. */
async function inspect(dir, id, bin) {
  const folder = path.join(dir, id);
  const masks = (await readdir(path.join(folder, 'masks')).catch(() => [])).filter((f) => f.endsWith('.png')).length;
  const metadata = await readFile(path.join(folder, 'metadata.json'), 'utf8').then(JSON.parse).catch(() => null);
  const overlay = await videoFrames(path.join(folder, 'overlay.mp4'));
  const source = await videoFrames(path.join(folder, 'source.mp4'));
  const leftovers = (await readdir(folder).catch(() => [])).filter((f) => f.startsWith('.'));
  let listed = null;
  try {
    const catalogue = path.resolve(path.dirname(bin), '../../../plugins/sinks/recording-catalogue.js');
    const { listRecordings } = await import(pathToFileURL(catalogue).href);
    const entry = (await listRecordings(dir)).find((r) => r.id === id);
    listed = entry ? { complete: entry.complete, frameCount: entry.frameCount, maskCount: entry.maskCount, error: entry.error } : null;
  } catch (err) {
    listed = { error: `catalogue: ${err.message}` };
  }
  return {
    overlay, source, masks, leftovers, listed,
    metadata: metadata && { complete: metadata.complete, endedAt: metadata.endedAt, error: metadata.error, frameCount: metadata.frameCount, frames: metadata.frames?.length },
  };
}

const describe = (disk) =>
  `overlay ${disk.overlay ?? 'unreadable'} / source ${disk.source ?? 'unreadable'} frames, ${disk.masks} masks, metadata.json ${disk.metadata ? `${disk.metadata.frameCount} frames, complete ${disk.metadata.complete}` : 'unreadable'}`;

/** serve --record, SIGKILL once it has recorded for killAfterMs. */
export async function killRecordingCase({ bin, serveArgs, work, verbose, killAfterMs }) {
  const dir = path.join(work, 'kill-recording');
  await mkdir(dir, { recursive: true });
  // Its own process group, so the kill takes serve's ffmpegs down too: nothing gets to finalise the files.
  const serve = await startServe(bin, [...serveArgs, '--record', '--record-dir', dir], verbose, { detached: true });
  const frames = watchFrames(serve.url);
  let atKill;
  try {
    if (!(await flowing(frames, 90_000))) throw new Error(`no frame in 90 s; serve log: ${serve.tail()}`);
    for (let i = 0; i < 100 && !((await health(serve.url))?.recording?.frames > 0); i++) await sleep(100);
    await sleep(killAfterMs);
    atKill = (await health(serve.url))?.recording;
  } finally {
    frames.close();
    if (serve.child.exitCode === null && serve.child.signalCode === null) {
      const exited = new Promise((resolve) => serve.child.once('exit', resolve));
      process.kill(-serve.child.pid, 'SIGKILL');
      await exited;
    }
  }
  await sleep(200);
  const disk = await inspect(dir, atKill.id, bin);
  const recorded = atKill.frames;
  // The recorder may take a frame or two between that /healthz and the kill: the masks are the bound.
  const written = Math.max(recorded, disk.masks);
  const lost = written - Math.min(disk.overlay ?? 0, disk.source ?? 0);
  return verdict('kill-recording', `SIGKILL of serve --record and its ffmpegs after ${round(killAfterMs / 1000)} s recording`, 1,
    `${recorded} frames recorded at the kill (/healthz); ${describe(disk)}; videos ${lost} frames short of the masks`,
    {
      'both videos readable with frames': disk.overlay > 0 && disk.source > 0,
      'videos at most the frames written (+1)': disk.overlay <= written + 1 && disk.source <= written + 1,
      'metadata.json whole, complete: false': disk.metadata !== null && disk.metadata.complete === false,
      'metadata frames = its frameCount <= masks': disk.metadata?.frames === disk.metadata?.frameCount && disk.metadata?.frameCount <= disk.masks && disk.metadata?.frameCount > 0,
      'listed as incomplete after a restart': disk.listed?.complete === false,
    },
    { recordedAtKill: recorded, lostVideoFrames: lost, ...disk });
}

/** serve --record on a store that runs out: a tmpfs of tmpfsMb (root only) or under `ulimit -f fileLimitKb`. */
export async function storageCase(kind, { bin, serveArgs, work, verbose, tmpfsMb, fileLimitKb, giveUpMs = 90_000 }) {
  const name = kind === 'tmpfs' ? 'disk-full' : 'write-error';
  const done = kind === 'tmpfs' ? `serve --record on a ${tmpfsMb} MB tmpfs until it is full` : `serve --record under ulimit -f ${fileLimitKb} (KB)`;
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  if (kind === 'tmpfs') {
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsMb}m`, 'tmpfs', dir]);
    } catch (err) {
      return skipped(name, done, `cannot mount a tmpfs (needs root): ${err.message.split('\n')[0]}`);
    }
  }
  let serve;
  let frames;
  try {
    serve = await startServe(bin, [...serveArgs, '--record', '--record-dir', dir], verbose, kind === 'tmpfs' ? {} : { fileSizeLimitKb: fileLimitKb });
    frames = watchFrames(serve.url);
    if (!(await flowing(frames, 90_000))) throw new Error(`no frame in 90 s; serve log: ${serve.tail()}`);
    const t0 = performance.now();
    let state = (await health(serve.url))?.recording;
    while (!state?.error && performance.now() - t0 < giveUpMs) {
      await sleep(250);
      state = (await health(serve.url))?.recording;
    }
    const failedAfterMs = Math.round(performance.now() - t0);
    const before = frames.frames;
    const after = await processedFps(serve.url, 3000);
    const stillFlowing = (await flowing(frames, 3000)) && frames.frames > before;
    const status = (await health(serve.url))?.status;
    await stopProcess(serve.child, 'SIGTERM');
    const disk = state?.id ? await inspect(dir, state.id, bin) : null;
    const expected = kind === 'tmpfs' ? /the recording disk is full/ : /size limit|File too large|EFBIG|SIGXFSZ/;
    return verdict(name, done, 1,
      state?.error
        ? `stopped after ${state.frames} frames (${round(failedAfterMs / 1000)} s): "${state.error.replace(/\/\S*\//g, '').slice(0, 140)}"; live ${after.fps} fps after; ${disk ? describe(disk) : 'no folder'}`
        : `no recording error in ${giveUpMs / 1000} s`,
      {
        'recording error in /healthz': Boolean(state?.error) && expected.test(state.error),
        'recording stopped': state?.active === false,
        'frames keep flowing after': stillFlowing && after.fps > 0,
        'both videos readable with frames': disk?.overlay > 0 && disk?.source > 0,
        'metadata.json: complete false, the error, frameCount = masks': disk?.metadata?.complete === false && disk.metadata.error === state?.error && disk.metadata.frameCount === disk.masks,
        'no reserve or temp file left': disk !== null && disk.leftovers.length === 0,
      },
      { recording: state, failedAfterMs, fpsAfter: after.fps, healthStatus: status, ...(disk ?? {}) });
  } finally {
    frames?.close();
    if (serve) await stopProcess(serve.child, 'SIGTERM');
    if (kind === 'tmpfs') await run('umount', [dir]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
