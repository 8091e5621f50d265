/** `sam2rad export RECORDING --dicom OUT`: a recording (recording-format.ts) as two DICOM objects in OUT:
 *   cine.dcm  the recorded frames: US Multi-frame when the source was a DICOM cine (its frames decoded
 *             again from the source, exactly what the model saw, keeping its study), else Multi-frame
 *             Secondary Capture from source.mp4 (H.264, so marked lossy);
 *   seg.dcm   the masks as a binary DICOM Segmentation referencing cine.dcm frame by frame.
 * With `deidentify`, both go through the Basic Application Confidentiality Profile (deidentify.ts) with one
 * UID map, and the cine's pixels outside the ultrasound region are set to 0. */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NaturalDataset } from 'dcmjs';
import { readPngChannel } from '../../../src/core/frames/read-image.js';
import { detectRoi } from '../../../src/core/frames/roi-detection.js';
import type { Rect } from '../../../src/core/frames/roi.js';
import { ultrasoundRegions } from '../../sources/dicom/dicom-file.js';
import { dicomFrames, isDicomTarget, openDicomCine } from '../../sources/dicom/dicom-source.js';
import { fileSource } from '../../sources/file.js';
import { METADATA_FILE, maskName, type RecordingMetadata } from '../recording-format.js';
import { cineDataset, type CineInput } from './cine-dataset.js';
import { blankOutside, deidentifyDatasets } from './deidentify.js';
import { writePart10 } from './part10.js';
import { segDataset } from './seg-dataset.js';

export interface DicomExportOptions {
  /** Apply the Basic Application Confidentiality Profile and blank burned-in text outside the region. */
  readonly deidentify?: boolean;
  readonly onWarning?: (message: string) => void;
}

export interface DicomExportResult {
  readonly cine: string;
  readonly seg: string;
  readonly cineSopClassUid: string;
  readonly frames: number;
  readonly segments: number;
  /** The region kept when de-identifying (frame pixels); null otherwise. */
  readonly region: Rect | null;
}

interface SourceFrames {
  readonly frames: Uint8Array[];
  readonly incrementsMs: number[];
  readonly frameTimeMs: number;
  readonly dicom?: CineInput['dicomSource'];
  readonly lossy?: { readonly method: string };
  /** The ultrasound regions of a DICOM source (frame pixels). */
  readonly regions: Rect[];
}

export async function exportRecordingToDicom(recordingDir: string, outDir: string, options: DicomExportOptions = {}): Promise<DicomExportResult> {
  const metadata = await readMetadata(recordingDir);
  const { width, height } = metadata as { width: number; height: number };
  const classes = metadata.masks!.classes;
  const source = await sourceFrames(recordingDir, metadata, options);
  const masks = await Promise.all(
    metadata.frames.map(async (_, n) => {
      const file = path.join(recordingDir, maskName(n));
      const mask = await readPngChannel(file);
      if (mask.width !== width || mask.height !== height) throw new Error(`${file}: mask is ${mask.width}x${mask.height}, the recording ${width}x${height}`);
      return metadata.masks!.encoding === 'binary' ? mask.data.map((v) => (v > 0 ? classes[0]!.value : 0)) : mask.data;
    }),
  );
  let region: Rect | null = null;
  if (options.deidentify) {
    region = source.regions.length ? union(source.regions) : detectRoi(source.frames.slice(0, 16).map((data, i) => ({ index: i, width, height, data, timestamps: {} }))).rect;
    for (const frame of source.frames) blankOutside(frame, width, height, source.regions.length ? source.regions : [region]);
  }
  const description = `Sam2Rad Live recording ${metadata.id}`;
  const cine = cineDataset({
    width, height, frames: source.frames, incrementsMs: source.incrementsMs, frameTimeMs: source.frameTimeMs, startedAt: metadata.startedAt,
    dicomSource: source.dicom, lossy: source.lossy, description,
  });
  const seg = segDataset({ cine, width, height, masks, classes, model: metadata.model, startedAt: metadata.startedAt });
  const [cineOut, segOut]: NaturalDataset[] = options.deidentify ? deidentifyDatasets([cine, seg]) : [cine, seg];
  if (options.deidentify) cineOut!.BurnedInAnnotation = 'NO';
  await mkdir(outDir, { recursive: true });
  const files = { cine: path.join(outDir, 'cine.dcm'), seg: path.join(outDir, 'seg.dcm') };
  await writePart10(files.cine, cineOut!);
  await writePart10(files.seg, segOut!);
  return { ...files, cineSopClassUid: String(cine.SOPClassUID), frames: source.frames.length, segments: classes.length, region };
}

async function readMetadata(dir: string): Promise<RecordingMetadata> {
  const file = path.join(dir, METADATA_FILE);
  let metadata: RecordingMetadata;
  try {
    metadata = JSON.parse(await readFile(file, 'utf8')) as RecordingMetadata;
  } catch (err) {
    throw new Error(`${dir}: not a recording (${METADATA_FILE}: ${(err as Error).message})`);
  }
  if (metadata.format !== 'sam2rad-recording') throw new Error(`${file}: not a sam2rad recording (format ${String(metadata.format)})`);
  if (!metadata.frameCount || !metadata.masks || !metadata.width || !metadata.height) {
    throw new Error(`${dir}: the recording has no frames (frameCount ${metadata.frameCount}); nothing to export`);
  }
  if (metadata.frames.length !== metadata.frameCount) throw new Error(`${file}: ${metadata.frames.length} frame entries for frameCount ${metadata.frameCount}`);
  return metadata;
}

/** The recorded frames' pixels: decoded again from a DICOM source when it is still there (exact), else source.mp4. */
async function sourceFrames(dir: string, metadata: RecordingMetadata, options: DicomExportOptions): Promise<SourceFrames> {
  const uri = metadata.source.uri;
  const width = metadata.width!;
  const height = metadata.height!;
  if (uri && (await isDicomTarget(uri))) {
    const cine = await openDicomCine(uri);
    if (cine.width !== width || cine.height !== height) throw new Error(`${uri}: the DICOM source is ${cine.width}x${cine.height}, the recording ${width}x${height}`);
    const total = cine.frameCount;
    const wanted = new Map<number, Uint8Array | undefined>(metadata.frames.map((f) => [f.index % total, undefined]));
    let i = 0;
    for await (const frame of dicomFrames(cine)) {
      if (wanted.has(i)) wanted.set(i, frame.data);
      i++;
    }
    const indices = metadata.frames.map((f) => f.index);
    const incrementsMs = indices.slice(1).map((index, k) => {
      let sum = 0;
      for (let j = indices[k]!; j < index; j++) sum += cine.intervalsMs[j % total]!;
      return sum;
    });
    const lossyFile = cine.files.find((f) => f.transferSyntax.encoding === 'jpeg-baseline' || String(f.dataset.LossyImageCompression ?? '') === '01');
    // All regions of all files (image, Doppler, M-mode): what lies outside every one is the scanner's text.
    const regions = [...new Map(cine.files.flatMap((f) => ultrasoundRegions(f.dataset, width, height)).map((r) => [JSON.stringify(r), r])).values()];
    return {
      frames: indices.map((index) => Uint8Array.from(wanted.get(index % total)!)),
      incrementsMs,
      frameTimeMs: cine.intervalsMs[0]!,
      dicom: cine.files,
      regions,
      ...(lossyFile ? { lossy: { method: String(lossyFile.dataset.LossyImageCompressionMethod ?? 'ISO_10918_1') } } : {}),
    };
  }
  if (uri && metadata.source.uri !== null && !uri.includes('://') && uri !== 'demo' && uri !== '-') {
    options.onWarning?.(`${uri}: not a DICOM source (or no longer there); exporting source.mp4 as Secondary Capture`);
  }
  const video = await fileSource(path.join(dir, 'source.mp4'), { realtime: false });
  const frames: Uint8Array[] = [];
  for await (const frame of video.pull()) {
    frames.push(cropTo(frame.data, frame.width, width, height));
    if (frames.length === metadata.frameCount) break;
  }
  if (frames.length !== metadata.frameCount) throw new Error(`${dir}/source.mp4: ${frames.length} frames, the recording has ${metadata.frameCount}`);
  const frameTimeMs = 1000 / metadata.fps;
  const indices = metadata.frames.map((f) => f.index);
  return { frames, incrementsMs: indices.slice(1).map((index, k) => (index - indices[k]!) * frameTimeMs), frameTimeMs, lossy: { method: 'ISO_14496_10' }, regions: [] };
}

/** The top-left width x height of a frame `stride` pixels wide (the recorder pads odd sizes by one). */
function cropTo(data: Uint8Array, stride: number, width: number, height: number): Uint8Array {
  if (stride === width && data.length === width * height) return data;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) out.set(data.subarray(y * stride, y * stride + width), y * width);
  return out;
}

function union(rects: readonly Rect[]): Rect {
  const x0 = Math.min(...rects.map((r) => r.x));
  const y0 = Math.min(...rects.map((r) => r.y));
  const x1 = Math.max(...rects.map((r) => r.x + r.width));
  const y1 = Math.max(...rects.map((r) => r.y + r.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
