/** Still images from disk as grey frames: PNG masks through pngjs, any picture through ffmpeg. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { ffmpegPath, ffprobePath } from './ffmpeg.js';

const run = promisify(execFile);

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
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

/** Decodes any image ffmpeg reads (PNG, JPEG, ...) to 8-bit grey. */
export async function readGreyImage(file: string): Promise<GreyImage> {
  try {
    const probe = await run(await ffprobePath(), [
      '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file,
    ]);
    const [width, height] = probe.stdout.trim().split(',').map(Number);
    const decoded = await run(await ffmpegPath(), ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
      encoding: 'buffer',
      maxBuffer: 1 << 28,
    });
    const data = new Uint8Array(decoded.stdout);
    if (!width || !height || data.length !== width * height) throw new Error(`decoded ${data.length} bytes for ${width}x${height}`);
    return { width, height, data };
  } catch (err) {
    const message = (err as { stderr?: Buffer | string }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`${file}: cannot decode image (${message.split('\n')[0]})`);
  }
}
