/** A folder of .png/.jpg images played as frames in natural name order (frame2 before frame10).
 * One ffmpeg concat run decodes a whole stretch of same-format images (a process per image would cap the
 * rate at a few frames per second); a folder mixing formats runs one ffmpeg per stretch. Frames must
 * share one size, so images of another size are scaled to the first image's size, with a warning. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg, type RawFrame } from './ffmpeg-process.js';
import { forcedSize, scaleFilter } from './forced-size.js';
import { readImageHeader, type ImageFormat, type ImageHeader } from './image-header.js';
import { makeSource } from './make-source.js';
import type { CommonSourceOptions, FrameSize, Source } from '../../src/core/contracts/source.js';

export interface ImagesSourceOptions extends CommonSourceOptions {
  /** Frames per second (default 25, ffmpeg's default for image sequences). */
  readonly fps?: number;
  /** Pace at `fps` (default true); false decodes every image at full speed. */
  readonly realtime?: boolean;
  /** Start again after the last image, forever (default false). */
  readonly loop?: boolean;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

export async function imagesSource(dir: string, options: ImagesSourceOptions = {}): Promise<Source> {
  const found = await stat(dir).catch(() => undefined);
  if (!found?.isDirectory()) throw new Error(`${dir}: not a directory of images`);
  const fps = options.fps ?? 25;
  if (!(fps > 0)) throw new Error(`${dir}: fps must be a positive number (got ${fps})`);
  const collator = new Intl.Collator(undefined, { numeric: true });
  const names = (await readdir(dir)).filter((name) => IMAGE_FILE.test(name)).sort(collator.compare);
  if (names.length === 0) throw new Error(`${dir}: no .png or .jpg images in this directory`);
  const files = names.map((name) => path.resolve(dir, name));
  const headers = await Promise.all(files.map(readImageHeader));

  const forced = forcedSize(options, dir);
  const size = forced ?? { width: headers[0]!.width, height: headers[0]!.height };
  const odd = headers.findIndex((h) => h.width !== size.width || h.height !== size.height);
  if (odd >= 0 && !forced) {
    const count = headers.filter((h) => h.width !== size.width || h.height !== size.height).length;
    (options.onWarning ?? console.warn)(
      `${dir}: ${count} of ${files.length} images are not ${size.width}x${size.height} like the first ` +
        `(e.g. ${names[odd]} is ${headers[odd]!.width}x${headers[odd]!.height}); they are scaled to ${size.width}x${size.height}`,
    );
  }

  const stretches = sameFormatStretches(files, headers);
  const realtime = options.realtime ?? true;
  const decodeAll = async function* (signal: AbortSignal): AsyncGenerator<RawFrame> {
    do {
      for (const stretch of stretches) yield* decodeStretch(dir, stretch, size, fps, realtime, signal);
    } while (options.loop && !signal.aborted);
  };
  return makeSource(
    { uri: dir, kind: 'images', live: realtime, info: { ...size, fps, frameCount: files.length } },
    decodeAll,
  );
}

interface Stretch {
  readonly format: ImageFormat;
  readonly files: string[];
}

/** Consecutive images of one format: ffmpeg's concat demuxer keeps the first file's decoder. */
function sameFormatStretches(files: readonly string[], headers: readonly ImageHeader[]): Stretch[] {
  const stretches: Stretch[] = [];
  files.forEach((file, i) => {
    const format = headers[i]!.format;
    const last = stretches.at(-1);
    if (last?.format === format) last.files.push(file);
    else stretches.push({ format, files: [file] });
  });
  return stretches;
}

function decodeStretch(
  dir: string,
  stretch: Stretch,
  size: FrameSize,
  fps: number,
  realtime: boolean,
  signal: AbortSignal,
): AsyncIterable<RawFrame> {
  // The list goes through stdin (no temp file); `file:` keeps paths from resolving against "pipe:".
  const list = ['ffconcat version 1.0', ...stretch.files.flatMap((f) => [`file ${quote(`file:${f}`)}`, `duration ${1 / fps}`])];
  const inputArgs = [
    ...(realtime ? ['-re'] : []),
    '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0',
  ];
  return runFfmpeg({ label: dir, inputArgs, stdin: `${list.join('\n')}\n`, size, filter: scaleFilter(size) }, signal);
}

/** ffconcat quoting: single quotes, with a quote written as '\''. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
