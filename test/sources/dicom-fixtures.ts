/** DICOM files made at test time from HC18 frames (CC BY 4.0, ../shared/datasets/hc18_fetal_head_us):
 * a US Multi-frame cine written by pydicom (Debian python3-pydicom; test/fixtures/dicom/make_us_cine.py)
 * in Explicit VR Little Endian, converted by dcmtk to Implicit VR Little Endian (dcmconv +ti), RLE Lossless
 * (dcmcrle), JPEG Baseline (dcmcjpeg +eb) and JPEG-LS (dcmcjpls, which the source refuses), and a folder
 * of single-frame Secondary Capture files made by dcmtk's img2dcm from BMP and JPEG stills. Burned-in
 * "text" (white bars) lies outside the ultrasound region. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { readPngChannel } from '../../src/core/frames/read-image.js';
import { ffmpeg } from './clips.js';

const run = promisify(execFile);
export const HC18 = path.resolve('../shared/datasets/hc18_fetal_head_us');
/** HC18 dev frames, 800 x 540; the first one's pixel size calibrates the cine. */
export const STEMS = ['080_HC', '155_HC', '091_HC'] as const;
export const PIXEL_SIZE_MM = 0.054731881;
export const REGION = { x: 40, y: 30, width: 720, height: 480 };
export const FRAME_TIME_MS = 50;
export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve('test/fixtures/dicom/make_us_cine.py');

/** Whether the tools the fixtures need are installed (dcmtk, python3-pydicom). */
export function dicomToolsMissing(): string | undefined {
  const missing = ['/usr/bin/dcmconv', '/usr/bin/dcmcrle', '/usr/bin/dcmcjpeg', '/usr/bin/dcmcjpls', '/usr/bin/img2dcm', '/usr/bin/dcmdump'].filter((f) => !existsSync(f));
  if (!existsSync('/usr/lib/python3/dist-packages/pydicom')) missing.push('python3-pydicom');
  return missing.length ? `missing ${missing.join(', ')} (apt-get install dcmtk python3-pydicom)` : undefined;
}

export interface DicomFixtures {
  readonly width: number;
  readonly height: number;
  /** The grey frames as written (with the burned-in bars). */
  readonly frames: Uint8Array[];
  readonly explicit: string;
  readonly implicit: string;
  readonly rle: string;
  readonly jpeg: string;
  readonly jpegLs: string;
  /** Three single-frame Secondary Capture files (BMP -> uncompressed, JPEG -> JPEG Baseline), instance numbers in reverse name order. */
  readonly singleFrames: string;
}

/** White bars where a scanner writes the patient's name and the date: outside the region. */
export function burnInText(frame: Uint8Array, width: number): void {
  for (let y = 6; y < 20; y++) for (let x = 60; x < 400; x++) if ((x >> 3) % 2 === 0) frame[y * width + x] = 255;
  for (let y = 518; y < 534; y++) for (let x = 500; x < 780; x++) if ((x >> 2) % 3 !== 0) frame[y * width + x] = 250;
}

export async function cineFrames(): Promise<{ width: number; height: number; frames: Uint8Array[] }> {
  const images = await Promise.all(STEMS.map((s) => readPngChannel(path.join(HC18, 'images', `${s}.png`))));
  const { width, height } = images[0]!;
  const frames = images.map((i) => {
    const frame = Uint8Array.from(i.data);
    burnInText(frame, width);
    return frame;
  });
  return { width, height, frames };
}

/** The explicit-VR US cine from `frames`; extra args go to make_us_cine.py. */
export async function writeUsCine(out: string, width: number, height: number, frames: readonly Uint8Array[], extra: string[] = []): Promise<string> {
  const raw = `${out}.gray`;
  await writeFile(raw, Buffer.concat(frames.map((f) => Buffer.from(f))));
  const { x, y, width: w, height: h } = REGION;
  await run(PYTHON, [
    SCRIPT, '--raw', raw, '--width', String(width), '--height', String(height), '--frames', String(frames.length), '--out', out,
    '--pixel-size-mm', String(PIXEL_SIZE_MM), '--region', `${x},${y},${x + w - 1},${y + h - 1}`, '--frame-time-ms', String(FRAME_TIME_MS), ...extra,
  ]);
  return out;
}

export async function makeDicomFixtures(dir: string): Promise<DicomFixtures> {
  await mkdir(dir, { recursive: true });
  const { width, height, frames } = await cineFrames();
  const file = (name: string) => path.join(dir, name);
  const explicit = await writeUsCine(file('us-explicit.dcm'), width, height, frames);
  await run('dcmconv', ['+ti', explicit, file('us-implicit.dcm')]);
  await run('dcmcrle', [explicit, file('us-rle.dcm')]);
  await run('dcmcjpeg', ['+eb', explicit, file('us-jpeg.dcm')]);
  await run('dcmcjpls', [explicit, file('us-jpegls.dcm')]);

  const singles = file('single-frames');
  await mkdir(singles, { recursive: true });
  for (const [i, stem] of STEMS.entries()) {
    // BMP -> uncompressed, JPEG -> JPEG Baseline (img2dcm keeps the JPEG stream); instance numbers run
    // against the names, so the source must order by Instance Number.
    const still = file(`${stem}.${i === 1 ? 'jpg' : 'bmp'}`);
    await ffmpeg('-i', path.join(HC18, 'images', `${stem}.png`), ...(i === 1 ? ['-q:v', '2', '-pix_fmt', 'yuvj444p'] : ['-pix_fmt', 'gray']), still);
    const target = path.join(singles, `IM${i}`);
    await run('img2dcm', ['-i', i === 1 ? 'JPEG' : 'BMP', still, target, '-k', `InstanceNumber=${3 - i}`, '-k', 'SeriesInstanceUID=1.2.826.0.1.3680043.10.1.1', '-k', 'StudyInstanceUID=1.2.826.0.1.3680043.10.1.2']);
  }
  return {
    width, height, frames, explicit,
    implicit: file('us-implicit.dcm'), rle: file('us-rle.dcm'), jpeg: file('us-jpeg.dcm'), jpegLs: file('us-jpegls.dcm'),
    singleFrames: singles,
  };
}

/** US-PAL-8-10x-echo.dcm, a real ultrasound cine (10 frames, PALETTE COLOR, RLE Lossless; from GDCM's test
 * data) shipped in Debian's octave-dicom package: installed, or unpacked by .ci/run from the package
 * without installing Octave. Undefined when neither is there. */
export function realUltrasoundCine(): string | undefined {
  if (process.env.SAM2RAD_US_DICOM_SAMPLE) return process.env.SAM2RAD_US_DICOM_SAMPLE;
  for (const root of ['/usr/share/octave/packages', '/var/cache/sam2rad-test-data/octave-dicom/usr/share/octave/packages']) {
    const found = existsSync(root) ? readdirSync(root).filter((d) => d.startsWith('dicom-')).map((d) => path.join(root, d, 'imdata/US-PAL-8-10x-echo.dcm')).find(existsSync) : undefined;
    if (found) return found;
  }
  return undefined;
}
