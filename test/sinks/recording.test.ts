import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentedFrame } from '../../src/core/frames/frame.js';
import type { RecordingEvent } from '../../src/core/contracts/live-status.js';
import { Recorder } from '../../plugins/sinks/recorder.js';
import { RecordingController } from '../../plugins/sinks/recording-control.js';
import { listRecordings } from '../../plugins/sinks/recording-catalogue.js';
import type { RecordingContext, RecordingMetadata } from '../../plugins/sinks/recording-format.js';
import { syntheticFrame } from '../server/synthetic-frames.js';

const run = promisify(execFile);

async function probe(file: string): Promise<{ frames: number; rate: string; width: number; height: number }> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=nb_read_frames,r_frame_rate,width,height', '-of', 'json', file,
  ]);
  const stream = JSON.parse(stdout).streams[0];
  return { frames: Number(stream.nb_read_frames), rate: stream.r_frame_rate, width: stream.width, height: stream.height };
}

async function readMetadata(folder: string): Promise<RecordingMetadata> {
  return JSON.parse(await readFile(path.join(folder, 'metadata.json'), 'utf8')) as RecordingMetadata;
}

async function maskFiles(folder: string): Promise<string[]> {
  return (await readdir(path.join(folder, 'masks'))).sort();
}

const context: RecordingContext = { sourceUri: 'synthetic://test', model: { name: 'sam2rad-test', version: '1.2', manifestSha256: 'ab'.repeat(32), precision: 'int8' } };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-rec-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Recorder', () => {
  it('writes every frame to overlay.mp4, source.mp4, masks and metadata', { timeout: 30_000 }, async () => {
    const n = 45;
    const recorder = await Recorder.start({ dir, context, fps: 25 });
    for (let i = 0; i < n; i++) {
      // Gaps in source indices (frames dropped upstream) are recorded as such.
      recorder.write(syntheticFrame(i * 2, { width: 65, height: 47 }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const state = await recorder.stop();
    expect(state).toEqual({ active: false, id: recorder.id, frames: n, error: null });

    const overlay = await probe(path.join(recorder.folder, 'overlay.mp4'));
    const source = await probe(path.join(recorder.folder, 'source.mp4'));
    expect(overlay).toEqual({ frames: n, rate: '25/1', width: 66, height: 48 });
    expect(source.frames).toBe(n);
    const masks = await maskFiles(recorder.folder);
    expect(masks).toHaveLength(n);
    expect(masks[0]).toBe('000000.png');
    expect(masks.at(-1)).toBe(`${String(n - 1).padStart(6, '0')}.png`);

    const meta = await readMetadata(recorder.folder);
    expect(meta).toMatchObject({
      id: recorder.id,
      source: { uri: 'synthetic://test' },
      model: context.model,
      fps: 25,
      width: 65,
      height: 47,
      complete: true,
      error: null,
      frameCount: n,
      masks: { encoding: 'binary', classes: [{ className: 'disc', value: 1 }] },
    });
    expect(Date.parse(meta.endedAt!)).toBeGreaterThanOrEqual(Date.parse(meta.startedAt));
    expect(meta.frames).toHaveLength(n);
    expect(meta.frames[3]).toMatchObject({ index: 6, objectScores: { disc: 4.5 }, timestamps: { decoded: expect.any(Number) } });

    // Single-class masks are 0/255 and match the class map of the frame they belong to.
    const png = PNG.sync.read(await readFile(path.join(recorder.folder, 'masks', masks[3]!)));
    const expected = syntheticFrame(6, { width: 65, height: 47 }).classMap;
    expect([png.width, png.height]).toEqual([65, 47]);
    for (let i = 0; i < expected.length; i++) expect(png.data[i * 4]).toBe(expected[i] ? 255 : 0);
  });

  it('writes class-value masks when several classes are segmented', { timeout: 30_000 }, async () => {
    const recorder = await Recorder.start({ dir, context });
    for (let i = 0; i < 5; i++) recorder.write(syntheticFrame(i, { twoClasses: true }));
    await recorder.stop();
    const meta = await readMetadata(recorder.folder);
    expect(meta.masks?.encoding).toBe('class-value');
    expect(meta.fps).toBe(30);
    const png = PNG.sync.read(await readFile(path.join(recorder.folder, 'masks', '000004.png')));
    const values = new Set<number>();
    for (let i = 0; i < png.width * png.height; i++) values.add(png.data[i * 4]!);
    expect([...values].sort()).toEqual([0, 1, 2]);
  });

  it('stops with a clear error instead of dropping frames when its queue overflows', { timeout: 30_000 }, async () => {
    const recorder = await Recorder.start({ dir, context, maxQueue: 4 });
    for (let i = 0; i < 40; i++) recorder.write(syntheticFrame(i));
    const state = await recorder.closed;
    expect(state.error).toMatch(/fell 4 frames behind.*limit 4/);
    // Whatever was accepted is complete and consistent across outputs.
    const meta = await readMetadata(recorder.folder);
    expect(meta.error).toBe(state.error);
    expect(meta.complete).toBe(false);
    expect(meta.frameCount).toBe(state.frames);
    expect(await maskFiles(recorder.folder)).toHaveLength(state.frames);
    expect((await probe(path.join(recorder.folder, 'overlay.mp4'))).frames).toBe(state.frames);
  });

  it('reports an ffmpeg that cannot run', { timeout: 10_000 }, async () => {
    const recorder = await Recorder.start({ dir, context, ffmpegPath: '/nonexistent/ffmpeg' });
    recorder.write(syntheticFrame(0));
    const state = await recorder.closed;
    expect(state.error).toMatch(/cannot run \/nonexistent\/ffmpeg/);
    expect((await readMetadata(recorder.folder)).error).toBe(state.error);
  });

  it('leaves playable video and valid metadata when the process is SIGKILLed mid-recording', { timeout: 30_000 }, async () => {
    const crashDir = path.join(dir, 'crash');
    const fixtures = path.join(import.meta.dirname, 'fixtures');
    // Own process group, so the kill takes ffmpeg down too: nothing gets to finalise the files.
    const child = spawn(process.execPath, ['--import', path.join(fixtures, 'register-ts.mjs'), path.join(fixtures, 'record-until-killed.ts'), crashDir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        const counts = [...c.toString().matchAll(/recorded (\d+)/g)].map((m) => Number(m[1]));
        if (counts.some((count) => count >= 40)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`recorder child exited early (${code}): ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const [folder] = await readdir(crashDir);
    const recording = path.join(crashDir, folder!);
    const overlay = await probe(path.join(recording, 'overlay.mp4'));
    expect(overlay.frames).toBeGreaterThan(0);
    expect(overlay.frames).toBeLessThanOrEqual(40 + 30);
    if (existsSync(path.join(recording, 'metadata.json'))) {
      const meta = await readMetadata(recording);
      expect(meta.complete).toBe(false);
      expect(meta.frames).toHaveLength(meta.frameCount);
    }
    const listed = await listRecordings(crashDir);
    expect(listed).toEqual([expect.objectContaining({ id: folder, complete: false, active: false })]);
  });
});

describe('RecordingController', () => {
  it('records a frame stream between start and stop and lists the result', { timeout: 30_000 }, async () => {
    const frames = new Subject<SegmentedFrame>();
    const controlDir = path.join(dir, 'controller');
    const controller = new RecordingController({ dir: controlDir, frames, context: () => context, fps: () => 15 });
    const events: RecordingEvent[] = [];
    controller.events.subscribe((e) => events.push(e));

    frames.next(syntheticFrame(0)); // before start: not recorded
    const started = await controller.start();
    await expect(controller.start()).rejects.toThrow(/already running/);
    for (let i = 1; i <= 8; i++) frames.next(syntheticFrame(i));
    expect(controller.state()).toMatchObject({ active: true, id: started.id });
    expect((await controller.list())[0]).toMatchObject({ id: started.id, active: true, complete: false });
    const stopped = await controller.stop();
    frames.next(syntheticFrame(9)); // after stop: not recorded
    await expect(controller.stop()).rejects.toThrow(/no recording is running/);

    expect(stopped).toEqual({ active: false, id: started.id, frames: 8, error: null });
    expect(events).toEqual([
      { type: 'started', id: started.id },
      { type: 'stopped', id: started.id, frames: 8 },
    ]);
    const [entry] = await listRecordings(controlDir);
    expect(entry).toMatchObject({ id: started.id, frameCount: 8, maskCount: 8, complete: true, active: false, error: null });
    expect(entry!.files.map((f) => f.name)).toEqual(['metadata.json', 'overlay.mp4', 'source.mp4']);
    expect((await probe(path.join(controlDir, started.id!, 'overlay.mp4'))).rate).toBe('15/1');
    await controller.close();
  });

  it('lists nothing for a folder that does not exist', async () => {
    expect(await listRecordings(path.join(dir, 'missing'))).toEqual([]);
  });
});
