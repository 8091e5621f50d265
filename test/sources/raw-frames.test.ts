/** Pre-decoded raw frames (bench --frames): read without ffmpeg, paced or at full speed, looped. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawFramesSource } from '../../plugins/sources/index.js';

const WIDTH = 4;
const HEIGHT = 2;
const FRAMES = 3;

describe('raw frames source', () => {
  let dir: string;
  let descriptor: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-raw-'));
    // Frame i is filled with the value i.
    const bytes = new Uint8Array(WIDTH * HEIGHT * FRAMES).map((_, j) => Math.floor(j / (WIDTH * HEIGHT)));
    await writeFile(path.join(dir, 'frames.gray'), bytes);
    descriptor = path.join(dir, 'frames.json');
    await writeFile(descriptor, JSON.stringify({ file: 'frames.gray', width: WIDTH, height: HEIGHT, fps: 50, frames: FRAMES }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hands out every frame at full speed, and loops when asked', async () => {
    const source = await rawFramesSource(descriptor, { realtime: false, loop: true });
    expect(source.info).toMatchObject({ width: WIDTH, height: HEIGHT, fps: 50, frameCount: FRAMES });
    const seen: number[] = [];
    for await (const frame of source.pull()) {
      expect([frame.width, frame.height, frame.data.length]).toEqual([WIDTH, HEIGHT, WIDTH * HEIGHT]);
      seen.push(frame.data[0]!);
      if (seen.length === 7) break;
    }
    expect(seen).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('paces frames at their fps', async () => {
    const source = await rawFramesSource(descriptor, { realtime: true });
    const start = performance.now();
    let count = 0;
    for await (const _ of source.pull()) count++;
    expect(count).toBe(FRAMES);
    // Frames at 0, 20 and 40 ms.
    expect(performance.now() - start).toBeGreaterThanOrEqual(38);
  });

  it('names a raw file of the wrong size', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ file: 'frames.gray', width: WIDTH, height: HEIGHT, fps: 50, frames: FRAMES + 1 }));
    await expect(rawFramesSource(bad)).rejects.toThrow(/frames\.gray: 24 bytes, expected 4 frames of 4x2 \(32\)/);
  });
});
