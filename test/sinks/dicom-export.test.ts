/** `sam2rad export RECORDING --dicom OUT [--deidentify]` through the real CLI, on recordings that
 * `sam2rad segment` makes at test time from a DICOM cine and from a video clip (HC18 frames, see
 * test/sources/dicom-fixtures.ts). The files are checked by other implementations: dicom3tools' dciodvfy
 * (no errors), dcmtk's dcmdump (reads them) and pydicom (test/fixtures/dicom/read_dicom.py: the SEG's
 * frames equal the PNG masks, each references its cine frame; the cine's pixels). De-identification: a
 * cine carrying a value for every attribute of the Basic Profile comes out with none of them, with new
 * UIDs consistent across both files, and zero pixels outside the ultrasound region. */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngChannel } from '../../src/core/frames/read-image.js';
import { profileAttributes } from '../../plugins/sinks/dicom/deidentify.js';
import { ffmpeg, makeTempDir } from '../sources/clips.js';
import { cineFrames, dicomToolsMissing, makeDicomFixtures, PYTHON, REGION, writeUsCine, type DicomFixtures } from '../sources/dicom-fixtures.js';

const run = promisify(execFile);
const CLI = 'dist/src/app/cli/main.js';
const READ = path.resolve('test/fixtures/dicom/read_dicom.py');
const missing = dicomToolsMissing() ?? (existsSync('/usr/bin/dciodvfy') ? undefined : 'missing dciodvfy (apt-get install dicom3tools)');

interface Read {
  sop_class: string;
  sop_instance: string;
  study: string;
  series: string;
  patient_name: string;
  frames: number;
  rows: number;
  columns: number;
  frame_sha1: string[];
  refs: [string, number, number][];
  values: string[];
}

async function readDicom(file: string): Promise<Read> {
  const { stdout } = await run(PYTHON, [READ, file], { maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as Read;
}

/** dciodvfy's errors (it writes errors and warnings to stderr and exits 0 either way). */
async function dciodvfyErrors(file: string): Promise<string[]> {
  const result = await run('dciodvfy', [file]).catch((err: { stdout: string; stderr: string }) => err);
  return `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => /^Error/.test(l));
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

async function segment(input: string, out: string): Promise<string> {
  await run('node', [CLI, 'segment', input, '--out', out], { timeout: 120_000 });
  return out;
}

async function exportDicom(recording: string, out: string, ...flags: string[]): Promise<{ cine: string; seg: string; stdout: string }> {
  const { stdout } = await run('node', [CLI, 'export', recording, '--dicom', out, ...flags], { timeout: 120_000 });
  return { cine: path.join(out, 'cine.dcm'), seg: path.join(out, 'seg.dcm'), stdout };
}

/** The recording's masks as 0/1 bytes (one class, binary PNGs). */
async function maskSha1s(recording: string, frames: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: frames }, async (_, n) => {
      const mask = await readPngChannel(path.join(recording, 'masks', `${String(n).padStart(6, '0')}.png`));
      return sha1(mask.data.map((v) => (v > 0 ? 1 : 0)));
    }),
  );
}

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let fixtures: DicomFixtures;

describe.skipIf(missing)('sam2rad export --dicom', () => {
  // Several segment and export runs of the real CLI.
  beforeAll(async () => {
    temp = await makeTempDir();
    fixtures = await makeDicomFixtures(path.join(temp.dir, 'dicom'));
  }, 60_000);
  afterAll(() => temp?.remove());

  it('a DICOM-source recording: US Multi-frame keeping its study, and a SEG whose frames are the masks', async () => {
    const recording = await segment(fixtures.rle, path.join(temp.dir, 'rec-dicom'));
    const { cine, seg, stdout } = await exportDicom(recording, path.join(temp.dir, 'out-dicom'));
    expect(stdout).toContain('US Multi-frame');
    expect(await dciodvfyErrors(cine)).toEqual([]);
    expect(await dciodvfyErrors(seg)).toEqual([]);
    for (const file of [cine, seg]) await run('dcmdump', ['-q', file], { maxBuffer: 1 << 26 });

    const [source, cineRead, segRead] = await Promise.all([readDicom(fixtures.explicit), readDicom(cine), readDicom(seg)]);
    expect(cineRead).toMatchObject({ sop_class: '1.2.840.10008.5.1.4.1.1.3.1', study: source.study, patient_name: 'SECRET^PATIENT', frames: 3, rows: 540, columns: 800 });
    expect(cineRead.series).not.toBe(source.series);
    expect(cineRead.sop_instance).not.toBe(source.sop_instance);
    // Exactly the frames the model saw (RLE is lossless).
    expect(cineRead.frame_sha1).toEqual(fixtures.frames.map(sha1));

    expect(segRead).toMatchObject({ sop_class: '1.2.840.10008.5.1.4.1.1.66.4', study: source.study, frames: 3, rows: 540, columns: 800 });
    expect(segRead.frame_sha1).toEqual(await maskSha1s(recording, 3));
    expect(segRead.refs).toEqual([1, 2, 3].map((frame) => [cineRead.sop_instance, frame, 1]));
  }, 180_000);

  it('a video recording: Multi-frame Secondary Capture from source.mp4, and its SEG', async () => {
    const { width, height, frames } = await cineFrames();
    const raw = path.join(temp.dir, 'clip.gray');
    await writeFile(raw, Buffer.concat(frames.slice(0, 2).map((f) => Buffer.from(f))));
    const clip = path.join(temp.dir, 'clip.mp4');
    await ffmpeg('-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${width}x${height}`, '-r', '10', '-i', raw, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip);
    const recording = await segment(clip, path.join(temp.dir, 'rec-video'));
    const { cine, seg, stdout } = await exportDicom(recording, path.join(temp.dir, 'out-video'));
    expect(stdout).toContain('Multi-frame Secondary Capture');
    expect(await dciodvfyErrors(cine)).toEqual([]);
    expect(await dciodvfyErrors(seg)).toEqual([]);
    for (const file of [cine, seg]) await run('dcmdump', ['-q', file], { maxBuffer: 1 << 26 });
    const [cineRead, segRead] = await Promise.all([readDicom(cine), readDicom(seg)]);
    expect(cineRead).toMatchObject({ sop_class: '1.2.840.10008.5.1.4.1.1.7.2', frames: 2, rows: 540, columns: 800 });
    expect(segRead).toMatchObject({ study: cineRead.study, frames: 2 });
    expect(segRead.frame_sha1).toEqual(await maskSha1s(recording, 2));
    expect(segRead.refs).toEqual([[cineRead.sop_instance, 1, 1], [cineRead.sop_instance, 2, 1]]);
  }, 180_000);

  it('--deidentify: no value of any Basic Profile attribute survives, UIDs are new and consistent, text outside the region is gone', async () => {
    const attributes = profileAttributes();
    const list = path.join(temp.dir, 'profile.json');
    await writeFile(list, JSON.stringify(attributes.map((a) => [parseInt(a.tag.slice(0, 4), 16), parseInt(a.tag.slice(4), 16), a.keyword])));
    const { width, height, frames } = await cineFrames();
    await mkdir(path.join(temp.dir, 'identified'), { recursive: true });
    const identified = await writeUsCine(path.join(temp.dir, 'identified', 'cine.dcm'), width, height, frames, ['--every-profile-attribute', list]);
    const source = await readDicom(identified);
    // The fixture really carries the identifying values (the check below is not vacuous).
    const secrets = (values: string[]) => values.filter((v) => /SECRET|1\.2\.999\.|20240229|19900101|101112|031Y/.test(v));
    expect(secrets(source.values).length).toBeGreaterThan(attributes.length * 0.6);

    const recording = await segment(identified, path.join(temp.dir, 'rec-identified'));
    const { cine, seg } = await exportDicom(recording, path.join(temp.dir, 'out-deid'), '--deidentify');
    // The fixture's made-up values leave some modules incomplete (e.g. a Frame of Reference UID without its
    // module's other attributes): de-identification must add no error to those of the plain export.
    const plain = await exportDicom(recording, path.join(temp.dir, 'out-plain'));
    for (const [deidentified, original] of [[cine, plain.cine], [seg, plain.seg]] as const) {
      const before = await dciodvfyErrors(original);
      expect((await dciodvfyErrors(deidentified)).filter((e) => !before.includes(e))).toEqual([]);
    }
    expect(await dciodvfyErrors(seg)).toEqual([]);
    const [cineRead, segRead] = await Promise.all([readDicom(cine), readDicom(seg)]);
    for (const read of [cineRead, segRead]) {
      expect(secrets(read.values)).toEqual([]);
      expect(read.values.some((v) => v.endsWith('PatientIdentityRemoved YES'))).toBe(true);
      expect(read.patient_name).toBe('');
    }
    // New UIDs, the same study in both files, and the SEG still references the cine's frames.
    expect(cineRead.study).not.toBe(source.study);
    expect(segRead.study).toBe(cineRead.study);
    expect(segRead.refs.map((r) => r[0])).toEqual([cineRead.sop_instance, cineRead.sop_instance, cineRead.sop_instance]);
    expect(cineRead.values.some((v) => v.includes(source.sop_instance))).toBe(false);

    // Pixels: zero outside the ultrasound region (the burned-in bars), the frame inside it.
    const blanked = frames.map((f) => {
      const out = new Uint8Array(f.length);
      for (let y = REGION.y; y < REGION.y + REGION.height; y++) {
        out.set(f.subarray(y * width + REGION.x, y * width + REGION.x + REGION.width), y * width + REGION.x);
      }
      return out;
    });
    expect(cineRead.frame_sha1).toEqual(blanked.map(sha1));
  }, 180_000);
});
