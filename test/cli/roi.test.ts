/** `sam2rad roi`: the crop `--roi auto` gives a screen grab or a clip, as JSON lines (training reads them too). */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';

const run = promisify(execFile);
const CLI = 'dist/src/app/cli/main.js';
let root: string;

/** A 640x480 dark screen with a speckled 300x200 "image" at (250, 150) and a bright label at (10, 10). */
async function screenGrab(file: string): Promise<void> {
  const png = new PNG({ width: 640, height: 480 });
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      const inImage = x >= 250 && x < 550 && y >= 150 && y < 350;
      const inLabel = x >= 10 && x < 90 && y >= 10 && y < 30;
      const v = inImage ? 40 + ((x * 7919 + y * 104729) % 160) : inLabel ? 255 : 5;
      png.data.set([v, v, v, 255], (y * 640 + x) * 4);
    }
  }
  await writeFile(file, PNG.sync.write(png));
}

/** A 40-frame 160x120 clip (lossless FFV1): speckle that changes every frame at (40, 20) 80x60, and a
 * static grey-scale panel right next to it, which only motion tells apart from the image. */
async function screenClip(file: string): Promise<void> {
  const [w, h, frames] = [160, 120, 40];
  const data = new Uint8Array(w * h * frames);
  let seed = 1;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inImage = x >= 40 && x < 120 && y >= 20 && y < 80;
        const inBar = x >= 122 && x < 136 && y >= 20 && y < 80;
        data[f * w * h + y * w + x] = inImage ? 40 + Math.floor(random() * 180) : inBar ? 60 + 2 * y : 0;
      }
    }
  }
  const ffmpeg = spawn(await ffmpegPath(), ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${w}x${h}`, '-r', '30', '-i', '-', '-c:v', 'ffv1', '-y', file]);
  ffmpeg.stdin.end(data);
  await new Promise<void>((done, fail) => ffmpeg.on('close', (code) => (code === 0 ? done() : fail(new Error(`ffmpeg exited ${code}`)))));
}

describe('sam2rad roi', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-roi-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('prints the image rectangle of each screen grab', async () => {
    const file = path.join(root, 'grab.png');
    await screenGrab(file);
    const { stdout } = await run('node', [CLI, 'roi', file, file]);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ file, width: 640, height: 480, rect: { x: 250, y: 150, width: 300, height: 200 }, method: 'brightness' });
  });

  it('--video: prints the ROI in force from each frame on, as serve would crop the clip', async () => {
    const file = path.join(root, 'clip.mkv');
    await screenClip(file);
    const { stdout } = await run('node', [CLI, 'roi', '--video', file]);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    const image = { x: 40, y: 20, width: 80, height: 60 };
    expect(lines).toEqual([
      { file, frame: 0, width: 160, height: 120, rect: { ...image, width: 96 }, method: 'brightness' },
      { file, frame: 28, width: 160, height: 120, rect: image, method: 'motion' },
    ]);
  });

  it('names an image it cannot read', async () => {
    await expect(run('node', [CLI, 'roi', path.join(root, 'missing.png')])).rejects.toMatchObject({
      stderr: expect.stringMatching(/missing\.png: cannot decode image/),
    });
  });
});
