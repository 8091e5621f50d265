/** Tiny real media made with ffmpeg at test time, in a fresh temp directory per test file. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';

const run = promisify(execFile);

export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-sources-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function ffmpeg(...args: string[]): Promise<void> {
  await run(await ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

/** An H.264 MP4 of `frames` grey test-pattern frames. */
export async function makeClip(file: string, frames: number, size = '64x48', rate = 10): Promise<string> {
  await ffmpeg(
    '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}`, '-frames:v', String(frames),
    '-vf', 'format=gray', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file,
  );
  return file;
}

/** A single still of one grey level. */
export async function makeImage(file: string, size: string, level: number): Promise<string> {
  const hex = level.toString(16).padStart(2, '0');
  await ffmpeg('-f', 'lavfi', '-i', `color=c=0x${hex}${hex}${hex}:s=${size}`, '-frames:v', '1', file);
  return file;
}

export function mean(data: Uint8Array): number {
  let sum = 0;
  for (const v of data) sum += v;
  return sum / data.length;
}
