/** A DICOM cine as a source: one file (US Multi-frame or any single- or multi-frame image) or a folder of
 * DICOM files of one series (by Instance Number, then name), decoded to 8-bit grey without ffmpeg and
 * replayed at the cine's own rate (Frame Time Vector, Frame Time, Cine Rate or Recommended Display
 * Frame Rate; a folder of single frames: `fps`, default 25). Each frame carries the calibration of its
 * ultrasound region (Sequence of Ultrasound Regions: the region's rectangle, which --roi auto crops,
 * and PhysicalDeltaX/Y in cm as mm per pixel), else of Pixel Spacing. Transfer syntaxes: Implicit and
 * Explicit VR Little Endian, RLE Lossless, JPEG Baseline; any other is refused at open with its UID and
 * name. Files are read when played, so a long series is not held in memory at once. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CommonSourceOptions, Source } from '../../../src/core/contracts/source.js';
import { makeSource, type DecodedFrame } from '../make-source.js';
import { dicomFilesIn, isDicomFile, readDicomFrames, readDicomInfo, type DicomImageInfo } from './dicom-file.js';
import { decodeFrameToGrey } from './dicom-pixels.js';

export interface DicomSourceOptions extends CommonSourceOptions {
  /** Pace frames at the cine's rate (default true); false decodes every frame at full speed. */
  readonly realtime?: boolean;
  /** Start again after the last frame, forever (default false). */
  readonly loop?: boolean;
  /** Frames per second, instead of the files' own timing (which a folder of single frames may lack). */
  readonly fps?: number;
}

const DEFAULT_FPS = 25;

/** The files a DICOM source plays, in order, with their headers: what the source and DICOM export read. */
export interface DicomCine {
  readonly uri: string;
  readonly files: readonly DicomImageInfo[];
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  /** Milliseconds from each frame to the next. */
  readonly intervalsMs: readonly number[];
}

/** Whether `target` is a DICOM file, or a folder holding DICOM files and no .png/.jpg images. */
export async function isDicomTarget(target: string): Promise<boolean> {
  const found = await stat(target).catch(() => undefined);
  if (!found) return false;
  if (found.isFile()) return isDicomFile(target);
  if (!found.isDirectory()) return false;
  if ((await readdir(target)).some((n) => /\.(png|jpe?g)$/i.test(n))) return false;
  return (await dicomFilesIn(target)).length > 0;
}

/** Reads the headers of a DICOM file or folder and checks they make one cine. */
export async function openDicomCine(target: string, fps?: number): Promise<DicomCine> {
  const found = await stat(target).catch(() => undefined);
  if (!found) throw new Error(`${target}: no such file or directory`);
  let files: DicomImageInfo[];
  if (found.isDirectory()) {
    const paths = await dicomFilesIn(target);
    if (paths.length === 0) throw new Error(`${target}: no DICOM files in this directory`);
    files = await Promise.all(paths.map(readDicomInfo));
    const series = [...new Set(files.map((f) => f.seriesInstanceUid ?? '(none)'))];
    if (series.length > 1) {
      throw new Error(`${target}: the folder holds ${series.length} series (${series.slice(0, 3).join(', ')}${series.length > 3 ? ', ...' : ''}); give one series' folder or file`);
    }
    const order = new Map(paths.map((p, i) => [p, i]));
    files.sort((a, b) => (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) || order.get(a.file)! - order.get(b.file)!);
  } else {
    if (!(await isDicomFile(target))) throw new Error(`${target}: not a DICOM Part 10 file (no "DICM" at byte 128)`);
    files = [await readDicomInfo(target)];
  }
  const { rows, columns } = files[0]!;
  const odd = files.find((f) => f.rows !== rows || f.columns !== columns);
  if (odd) throw new Error(`${target}: ${path.basename(odd.file)} is ${odd.columns}x${odd.rows}, the first file ${columns}x${rows}; a cine has one frame size`);
  if (fps !== undefined && !(fps > 0)) throw new Error(`${target}: fps must be a positive number (got ${fps})`);
  const intervalsMs = files.flatMap((f) => (fps === undefined && f.frameIntervalsMs ? [...f.frameIntervalsMs] : Array<number>(f.frames).fill(1000 / (fps ?? DEFAULT_FPS))));
  return { uri: target, files, width: columns, height: rows, frameCount: intervalsMs.length, intervalsMs };
}

/** Every frame of the cine in order, as 8-bit grey with its calibration (one file's frames decoded at a time). */
export async function* dicomFrames(cine: DicomCine, signal?: AbortSignal): AsyncGenerator<DecodedFrame & { file: DicomImageInfo; frameInFile: number }> {
  for (const header of cine.files) {
    if (signal?.aborted) return;
    const { info, frames } = await readDicomFrames(header.file);
    for (let i = 0; i < frames.length; i++) {
      if (signal?.aborted) return;
      const grey = decodeFrameToGrey(info, frames[i]!, i + 1);
      // A copy: decoded planes may be views of the file's bytes, and consumers may keep or change a frame.
      const data = grey.buffer === frames[i]!.buffer ? grey.slice() : grey;
      yield { width: info.columns, height: info.rows, data, ...(info.calibration ? { calibration: info.calibration } : {}), file: info, frameInFile: i + 1 };
    }
  }
}

export async function dicomSource(target: string, options: DicomSourceOptions = {}): Promise<Source> {
  if (options.width !== undefined || options.height !== undefined) {
    throw new Error(`${target}: a DICOM source keeps its own frame size (its calibration is per pixel); remove width/height`);
  }
  const cine = await openDicomCine(target, options.fps);
  const realtime = options.realtime ?? true;
  const meanInterval = cine.intervalsMs.reduce((a, b) => a + b, 0) / cine.intervalsMs.length;
  const decode = async function* (signal: AbortSignal): AsyncGenerator<DecodedFrame> {
    const start = performance.now();
    let due = 0;
    do {
      let n = 0;
      for await (const frame of dicomFrames(cine, signal)) {
        if (realtime) {
          const wait = start + due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          if (signal.aborted) return;
        }
        due += cine.intervalsMs[n++]!;
        yield { width: frame.width, height: frame.height, data: frame.data, ...(frame.calibration ? { calibration: frame.calibration } : {}) };
      }
    } while (options.loop && !signal.aborted);
  };
  return makeSource(
    {
      uri: target,
      kind: 'dicom',
      live: realtime,
      info: { width: cine.width, height: cine.height, fps: Math.round((1000 / meanInterval) * 1000) / 1000, frameCount: cine.frameCount },
    },
    decode,
  );
}
