/** `sam2rad segment`: every input frame gets exactly one mask, in a recording's folder layout, and a
 * prompts file (the offline form of the viewer's prompts) is applied on its frame. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';

const run = promisify(execFile);
let root: string;
let clip: string;

async function frameCount(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

describe('sam2rad segment', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-segment-'));
    clip = path.join(root, 'clip.mp4');
    // 25 frames of the real lumbar sweep (used in tests, never shipped).
    // FFMPEG_PATH, then PATH, then the npm build: the same ffmpeg the CLI runs (npm run test:ffmpeg-fallback).
    await run(await ffmpegPath(), ['-v', 'error', '-i', '../shared/datasets/videos/lumbar_spine_sweep_f0001-0209.mp4',
      '-frames:v', '25', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes one mask per input frame, overlay and source videos of the same length, and metadata', async () => {
    const out = path.join(root, 'auto');
    await run('node', ['dist/src/app/cli/main.js', 'segment', clip, '--out', out, '--class', 'lumbar_bone'], { timeout: 120_000 });
    const input = await frameCount(clip);
    const masks = (await readdir(path.join(out, 'masks'))).sort();
    const metadata = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8'));
    expect(input).toBe(25);
    expect(masks).toHaveLength(input);
    expect(masks[0]).toBe('000000.png');
    expect(metadata.frameCount).toBe(input);
    expect(metadata.complete).toBe(true);
    // Which graphs made the masks: the shipped model's CPU default unless --precision says otherwise.
    expect(metadata.model).toMatchObject({ name: 'sam2rad-us-small', precision: 'int8' });
    expect(metadata.model.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await frameCount(path.join(out, 'overlay.mp4'))).toBe(input);
    expect(await frameCount(path.join(out, 'source.mp4'))).toBe(input);
  }, 150_000);

  it('applies a prompts file on the frame it names', async () => {
    const prompts = path.join(root, 'prompts.json');
    await writeFile(prompts, JSON.stringify([{ frame: 5, class: 'lumbar_bone', box: [50, 100, 200, 190], points: [{ x: 120, y: 140, label: 1 }] }]));
    const out = path.join(root, 'manual');
    await run('node', ['dist/src/app/cli/main.js', 'segment', clip, '--out', out, '--class', 'lumbar_bone', '--mode', 'manual', '--prompts', prompts], { timeout: 120_000 });
    const area = async (n: number) => {
      const png = PNG.sync.read(await readFile(path.join(out, 'masks', `${String(n).padStart(6, '0')}.png`)));
      let count = 0;
      for (let i = 0; i < png.width * png.height; i++) if (png.data[i * 4]! > 0) count++;
      return count;
    };
    // Manual mode: nothing before the prompt; the prompted object from frame 5 on.
    expect(await area(4)).toBe(0);
    expect(await area(5)).toBeGreaterThan(500);
    expect(await area(6)).toBeGreaterThan(0);
  }, 150_000);

  it('names the problem in a bad prompts file', async () => {
    const prompts = path.join(root, 'bad.json');
    await writeFile(prompts, JSON.stringify([{ frame: 2, class: 'lumbar_bone', points: [{ x: 'left', y: 3 }] }]));
    await expect(run('node', ['dist/src/app/cli/main.js', 'segment', clip, '--out', path.join(root, 'bad'), '--prompts', prompts]))
      .rejects.toMatchObject({ stderr: expect.stringContaining('bad.json[0].points[0]: expected numeric x and y') });
  });
});
