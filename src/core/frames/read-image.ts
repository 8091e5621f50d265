/** Still images from disk as grey frames: PNG masks through pngjs, any picture through ffmpeg. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { ffmpegPath } from './ffmpeg.js';
import type { Frame } from './frame.js';

const run = promisify(execFile);

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A still image as a one-frame sequence (no timestamps: it was never decoded from a stream). */
export function stillFrame(image: GreyImage): Frame {
  return { index: 0, width: image.width, height: image.height, data: image.data, timestamps: {} };
}

/** Decodes a PNG and keeps its first channel (masks are 0/255 grey or class-value maps). */
export async function readPngChannel(file: string): Promise<GreyImage> {
  let png: PNG;
  try {
    png = PNG.sync.read(await readFile(file));
  } catch (err) {
    throw new Error(`${file}: cannot read PNG (${(err as Error).message})`);
  }
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i * 4]!;
  return { width: png.width, height: png.height, data };
}

/** Decodes any image ffmpeg reads (PNG, JPEG, ...) to 8-bit grey: one ffmpeg run writing a binary PGM,
 * whose header carries the size. */
export async function readGreyImage(file: string): Promise<GreyImage> {
  try {
    const decoded = await run(await ffmpegPath(), ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'pgm', '-pix_fmt', 'gray', '-'], {
      encoding: 'buffer',
      maxBuffer: 1 << 28,
    });
    return parsePgm(decoded.stdout);
  } catch (err) {
    const message = (err as { stderr?: Buffer | string }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`${file}: cannot decode image (${message.split('\n')[0]})`);
  }
}

/** Binary PGM (P5, maxval 255) as ffmpeg writes it: "P5\n<width> <height>\n255\n" then the pixels. */
function parsePgm(bytes: Buffer): GreyImage {
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('ffmpeg did not return an 8-bit PGM image');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + header[0].length, bytes.length - header[0].length);
  if (data.length !== width * height) throw new Error(`decoded ${data.length} bytes for ${width}x${height}`);
  return { width, height, data };
}
