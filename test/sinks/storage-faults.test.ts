/** Storage faults while recording (issue 19): a disk that fills up (a 4 MB tmpfs, mounted when the tests
 * run as root) and a write error (ffmpeg under a file-size limit) stop that recording with a clear error in
 * /healthz, keep what was written playable, mark metadata.json incomplete, and the live stream goes on;
 * --record-quota removes the oldest recordings first and stops one that alone passes the quota. */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Recorder } from '../../plugins/sinks/recorder.js';
import { RecordingController } from '../../plugins/sinks/recording-control.js';
import { listRecordings } from '../../plugins/sinks/recording-catalogue.js';
import type { RecordingContext, RecordingMetadata } from '../../plugins/sinks/recording-format.js';
import { parseBytes } from '../../plugins/sinks/recording-quota.js';
import { LiveServer } from '../../src/app/server/server.js';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';
import type { SegmentedFrame } from '../../src/core/frames/frame.js';
import type { RecordingEvent } from '../../src/core/contracts/live-status.js';
import { syntheticFrame } from '../server/synthetic-frames.js';

const run = promisify(execFile);
const context: RecordingContext = { sourceUri: 'synthetic://storage', model: null };

/** A frame of noise: it does not compress, so files grow fast. */
function noisyFrame(index: number): SegmentedFrame {
  const frame = syntheticFrame(index, { width: 320, height: 240 });
  const data = frame.data as Uint8Array;
  let seed = index * 7919 + 1;
  for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return frame;
}

async function videoFrames(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

/** The folder of a recording that failed: what the issue asks of it. */
async function checkKept(folder: string, error: string, frames: number): Promise<void> {
  const metadata = JSON.parse(await readFile(path.join(folder, 'metadata.json'), 'utf8')) as RecordingMetadata;
  expect(metadata).toMatchObject({ complete: false, error, frameCount: frames });
  expect(metadata.endedAt).not.toBeNull();
  expect(await readdir(path.join(folder, 'masks'))).toHaveLength(frames);
  // Playable up to the last complete fragment (a keyframe every half second); one video may also hold the
  // frame that was being written when the other one failed.
  for (const video of ['overlay.mp4', 'source.mp4']) {
    const n = await videoFrames(path.join(folder, video));
    expect(n, video).toBeGreaterThan(0);
    expect(n, video).toBeLessThanOrEqual(frames + 1);
  }
  expect((await readdir(folder)).filter((name) => name.startsWith('.'))).toEqual([]); // no reserve or temp file left
}

describe('a full disk', () => {
  let mount: string | undefined;
  let skip = '';

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-full-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
      mount = dir;
    } catch (err) {
      skip = `cannot mount a tmpfs (needs root): ${(err as Error).message.split('\n')[0]}`;
      await rm(dir, { recursive: true, force: true });
    }
  });

  afterAll(async () => {
    if (!mount) return;
    await run('umount', [mount]);
    await rm(mount, { recursive: true, force: true });
  });

  it('stops the recording with a clear error in /healthz while the live stream goes on', { timeout: 60_000 }, async (ctx) => {
    if (!mount) return ctx.skip(skip);
    const frames = new Subject<SegmentedFrame>();
    const recording = new RecordingController({ dir: mount, frames, context: () => context, fps: () => 30, metadataIntervalMs: 200, log: () => {} });
    const events: RecordingEvent[] = [];
    recording.events.subscribe((e) => events.push(e));
    const server = await LiveServer.listen({ port: 0, frames, recording, log: () => {} });
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    let received = 0;
    ws.on('message', (_data, isBinary) => isBinary && received++);
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      await recording.start();
      let index = 0;
      for (; index < 3000 && recording.state().active; index++) {
        frames.next(noisyFrame(index));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (let i = 0; i < 100 && events.every((e) => e.type !== 'failed'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const state = recording.state();
      expect(state.active).toBe(false);
      expect(state.error).toMatch(/the recording disk is full/);
      expect(events.map((e) => e.type)).toEqual(['started', 'failed']);

      // The live stream goes on after the recording stopped.
      const before = received;
      for (let i = 0; i < 10; i++) {
        frames.next(syntheticFrame(index + i));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (let i = 0; i < 50 && received < before + 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toBe(before + 10);
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { recording: { error: string } };
      expect(health.recording.error).toBe(state.error);

      await checkKept(path.join(mount, state.id!), state.error!, state.frames);
      const [listed] = await listRecordings(mount);
      expect(listed).toMatchObject({ complete: false, error: state.error, frameCount: state.frames });
    } finally {
      ws.terminate();
      await recording.close();
      await server.close();
    }
  });
});

describe('a write error', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-write-error-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a video that reaches the file-size limit stops the recording and keeps what was written', { timeout: 60_000 }, async () => {
    // ffmpeg under `ulimit -f` (about 200 KB per file): the kernel stops its writes there (SIGXFSZ).
    const wrapper = path.join(dir, 'ffmpeg-limited');
    await writeFile(wrapper, `#!/bin/sh\nulimit -f 400\nexec '${await ffmpegPath()}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const recorder = await Recorder.start({ dir, context, fps: 30, ffmpegPath: wrapper, metadataIntervalMs: 200 });
    for (let i = 0; i < 1000 && recorder.error === null; i++) {
      recorder.write(noisyFrame(i));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const state = await recorder.stop();
    expect(state.error).toMatch(/^recording failed at source frame \d+: a recording file reached the size limit: ffmpeg writing .*(overlay|source)\.mp4 was killed by SIGXFSZ/);
    await checkKept(recorder.folder, state.error!, state.frames);
  });
});

describe('--record-quota', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-quota-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('removes the oldest recordings first, then stops one that alone passes the quota', { timeout: 60_000 }, async () => {
    const old = ['2026-01-01T09-00-00-000Z', '2026-01-01T10-00-00-000Z', '2026-01-02T08-00-00-000Z'];
    for (const id of old) {
      await mkdir(path.join(dir, id, 'masks'), { recursive: true });
      await writeFile(path.join(dir, id, 'source.mp4'), Buffer.alloc(300_000));
      await writeFile(path.join(dir, id, 'metadata.json'), '{}');
    }
    const logged: string[] = [];
    const frames = new Subject<SegmentedFrame>();
    const recording = new RecordingController({
      dir, frames, context: () => context, fps: () => 30, quotaBytes: 700_000, quotaIntervalMs: 100, log: (line) => logged.push(line),
    });
    const events: RecordingEvent[] = [];
    recording.events.subscribe((e) => events.push(e));
    await recording.start();
    // 900 KB before the start: the oldest goes.
    expect(logged[0]).toMatch(/^recording quota: removed 2026-01-01T09-00-00-000Z \(300\d{3} bytes, the oldest\) to keep .* under 700000 bytes$/);
    for (let i = 0; i < 2000 && recording.state().active; i++) {
      frames.next(noisyFrame(i));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let i = 0; i < 100 && events.every((e) => e.type !== 'failed'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const state = recording.state();
    expect(state.error).toMatch(/^recording stopped after \d+ frames: the recording quota of 700000 bytes is reached \(\d+ bytes; no older recording left to remove\)$/);
    expect(logged.map((line) => /removed (\S+)/.exec(line)?.[1])).toEqual(old); // oldest first
    expect(events.filter((e) => e.type === 'removed').map((e) => e.id)).toEqual(old);
    expect(await readdir(dir)).toEqual([state.id]);
    await checkKept(path.join(dir, state.id!), state.error!, state.frames);
    await recording.close();
  });

  it('reads sizes as bytes or with K, M, G, T', () => {
    expect([parseBytes('500000'), parseBytes('500K'), parseBytes('2M'), parseBytes('1.5G'), parseBytes('10GiB')]).toEqual([
      500_000, 512_000, 2 * 1024 ** 2, 1.5 * 1024 ** 3, 10 * 1024 ** 3,
    ]);
    expect(() => parseBytes('lots')).toThrow(/such as 500000000, 500M or 10G/);
  });
});
