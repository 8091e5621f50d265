/**
 * The on-disk form of a segmented cine recording: a folder `<dir>/<id>/` holding
 *   overlay.mp4      H.264, mask burned in colour onto the grey frames
 *   source.mp4       H.264, the grey frames as received
 *   masks/NNNNNN.png one per recorded frame (NNNNNN = 0-based position in the videos)
 *   metadata.json    source, model, per-frame index/timestamps/object scores/biometry; replaced atomically
 * Written by the Recorder (recorder.ts), read back by listRecordings (recording-catalogue.ts).
 */
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Biometry } from '../../src/core/frames/biometry.js';
import type { SegmentedFrame, StageTimestamps } from '../../src/core/frames/frame.js';
import type { ModelIdentity } from '../../src/core/contracts/model-identity.js';

/** Where the frames come from; written into metadata.json. */
export interface RecordingContext {
  readonly sourceUri: string | null;
  readonly model: ModelIdentity | null;
}

export interface RecordedFrame {
  /** Source frame index (gaps are frames the pipeline dropped before recording). */
  readonly index: number;
  readonly timestamps: StageTimestamps;
  readonly objectScores: Readonly<Record<string, number>>;
  /** Classes with a fitted ellipse (fetal_head): HC, BPD and OFD in pixels, and in mm when calibrated. */
  readonly biometry?: Readonly<Record<string, Biometry>>;
}

export interface RecordingMetadata {
  readonly format: 'sam2rad-recording';
  readonly version: 1;
  readonly id: string;
  readonly source: { readonly uri: string | null };
  readonly model: RecordingContext['model'];
  readonly fps: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** True once stop() finalised every file; false in a snapshot taken while recording. */
  readonly complete: boolean;
  readonly error: string | null;
  readonly frameCount: number;
  /** 'binary': 0/255 for a single class; 'class-value': pixel = class value. */
  readonly masks: { readonly encoding: 'binary' | 'class-value'; readonly classes: readonly { readonly className: string; readonly value: number }[] } | null;
  readonly frames: readonly RecordedFrame[];
}

export const METADATA_FILE = 'metadata.json';
const METADATA_TEMP = '.metadata.json.tmp';
export const MASK_DIR = 'masks';

export function maskName(n: number): string {
  return `${MASK_DIR}/${String(n).padStart(6, '0')}.png`;
}

/** Write JSON so readers only ever see the old or the new complete file. */
export async function writeJsonAtomic(folder: string, name: string, value: unknown): Promise<void> {
  const temp = path.join(folder, METADATA_TEMP);
  try {
    await writeFile(temp, JSON.stringify(value));
    await rename(temp, path.join(folder, name));
  } catch (err) {
    // A half-written temp file (a full disk) is not left behind; the previous file stays as it was.
    await unlink(temp).catch(() => {});
    throw err;
  }
}

/** A fresh folder named after the start time (sortable); suffixed if two start in the same millisecond. */
export async function createRecordingFolder(dir: string): Promise<{ id: string; folder: string }> {
  await mkdir(dir, { recursive: true });
  const base = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const id = n === 0 ? base : `${base}-${n}`;
    const folder = path.join(dir, id);
    try {
      await mkdir(folder);
      await mkdir(path.join(folder, MASK_DIR));
      return { id, folder };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export async function createExactFolder(folder: string): Promise<{ id: string; folder: string }> {
  try {
    await mkdir(path.dirname(folder), { recursive: true });
    await mkdir(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${folder}: cannot create the output folder (${code === 'EEXIST' ? 'it already exists' : code})`);
  }
  await mkdir(path.join(folder, MASK_DIR));
  return { id: path.basename(folder), folder };
}

export function encodeMask(frame: SegmentedFrame, binary: boolean): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = binary ? Buffer.from(frame.classMap.map((v) => (v === 0 ? 0 : 255))) : Buffer.from(frame.classMap);
  // Masks are mostly flat: a low deflate level is nearly as small and several times faster.
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, deflateLevel: 3 });
}
