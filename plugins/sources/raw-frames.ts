/** Frames decoded ahead of time into one raw file (8-bit grey, frame after frame), described by a JSON
 * file: a source that needs no ffmpeg, for benchmarks on machines without it (the offline GPU bundle,
 * scripts/build-gpu-bundle.sh). Paced at its fps like ffmpeg's -re, or as fast as pulled.
 *
 *   frames.json  {"file": "frames.gray", "width": 640, "height": 432, "fps": 30, "frames": 45}
 *
 * `file` is relative to the JSON file. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RawFrame } from './ffmpeg-process.js';
import { makeSource } from './make-source.js';
import type { Source } from '../../src/core/contracts/source.js';

export interface RawFramesDescriptor {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: number;
}

export interface RawFramesOptions {
  /** Pace frames at `fps` (default true); false hands them out as fast as they are pulled. */
  readonly realtime?: boolean;
  /** Start again after the last frame, forever (default false). */
  readonly loop?: boolean;
}

function validDescriptor(value: unknown): value is RawFramesDescriptor {
  const d = value as Record<string, unknown> | null;
  const positive = (x: unknown) => typeof x === 'number' && x > 0;
  return (
    typeof d === 'object' && d !== null && typeof d.file === 'string' &&
    [d.width, d.height, d.frames].every((x) => positive(x) && Number.isInteger(x)) && positive(d.fps)
  );
}

export async function rawFramesSource(descriptorPath: string, options: RawFramesOptions = {}): Promise<Source> {
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(await readFile(descriptorPath, 'utf8'));
  } catch (err) {
    throw new Error(`${descriptorPath}: cannot read the frames descriptor (${(err as Error).message})`);
  }
  if (!validDescriptor(descriptor)) {
    throw new Error(`${descriptorPath}: expected {"file", "width", "height", "fps", "frames"} with positive sizes`);
  }
  const { width, height, fps, frames } = descriptor;
  const rawPath = path.resolve(path.dirname(descriptorPath), descriptor.file);
  const bytes = await readFile(rawPath).catch((err: Error) => {
    throw new Error(`${rawPath}: cannot read the raw frames (${err.message})`);
  });
  const size = width * height;
  if (bytes.length !== size * frames) {
    throw new Error(`${rawPath}: ${bytes.length} bytes, expected ${frames} frames of ${width}x${height} (${size * frames})`);
  }
  const realtime = options.realtime ?? true;

  const decode = async function* (signal: AbortSignal): AsyncGenerator<RawFrame> {
    const start = performance.now();
    let sent = 0;
    do {
      for (let i = 0; i < frames && !signal.aborted; i++, sent++) {
        if (realtime) {
          const wait = start + (sent * 1000) / fps - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        // A copy per frame, as from a decoder: consumers may keep or modify a frame's pixels.
        yield { width, height, data: bytes.subarray(i * size, (i + 1) * size).slice() };
      }
    } while (options.loop && !signal.aborted);
  };
  return makeSource(
    { uri: descriptorPath, kind: 'raw', live: realtime, info: { width, height, fps, frameCount: frames } },
    decode,
  );
}
