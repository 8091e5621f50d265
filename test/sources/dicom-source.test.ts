/** DICOM cine sources: every supported transfer syntax of a US Multi-frame cine made at test time (HC18
 * frames, see dicom-fixtures.ts), its ultrasound region as calibration and ROI, its frame time as the
 * replay rate, a folder of single frames in Instance Number order, a refused syntax named by UID and
 * name, and a real multi-frame ultrasound DICOM from a Debian package. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import type { Frame } from '../../src/core/frames/frame.js';
import { readPngChannel } from '../../src/core/frames/read-image.js';
import { roiCropper } from '../../src/core/frames/roi-crop.js';
import { openSource } from '../../plugins/sources/index.js';
import { makeTempDir } from './clips.js';
import { dicomToolsMissing, FRAME_TIME_MS, HC18, makeDicomFixtures, STEMS, PIXEL_SIZE_MM, realUltrasoundCine, REGION, type DicomFixtures } from './dicom-fixtures.js';

const missing = dicomToolsMissing();
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let fixtures: DicomFixtures;

async function pullAll(uri: string): Promise<Frame[]> {
  const source = await openSource(uri, { realtime: false });
  const frames: Frame[] = [];
  for await (const frame of source.pull()) frames.push(frame);
  return frames;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe.skipIf(missing)('DICOM sources', () => {
  beforeAll(async () => {
    temp = await makeTempDir();
    fixtures = await makeDicomFixtures(temp.dir);
  }, 60_000);
  afterAll(() => temp?.remove());

  it.each(['explicit', 'implicit', 'rle'] as const)('%s: a US Multi-frame cine decodes to its exact frames, calibrated by its region', async (syntax) => {
    const source = await openSource(fixtures[syntax], { realtime: false });
    expect(source.kind).toBe('dicom');
    expect(source.info).toEqual({ width: 800, height: 540, fps: 1000 / FRAME_TIME_MS, frameCount: 3 });
    const frames = await pullAll(fixtures[syntax]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    frames.forEach((frame, i) => {
      expect([frame.width, frame.height]).toEqual([800, 540]);
      expect(Buffer.from(frame.data).equals(Buffer.from(fixtures.frames[i]!))).toBe(true);
      expect(frame.calibration).toEqual({ mmPerPixel: { x: expect.closeTo(PIXEL_SIZE_MM, 9), y: expect.closeTo(PIXEL_SIZE_MM, 9) }, source: 'dicom', region: REGION });
      expect(frame.timestamps.decoded).toBeGreaterThan(0);
    });
    // --roi auto crops the ultrasound region instead of detecting one.
    expect(roiCropper('auto')(frames[0]!).roi).toEqual(REGION);
  });

  it('JPEG Baseline: frames within JPEG loss of the originals', async () => {
    const frames = await pullAll(fixtures.jpeg);
    expect(frames).toHaveLength(3);
    frames.forEach((frame, i) => expect(meanAbsDiff(frame.data, fixtures.frames[i]!)).toBeLessThan(3));
    expect(frames[0]!.calibration?.region).toEqual(REGION);
  });

  it('refuses another transfer syntax, naming its UID and name', async () => {
    await expect(openSource(fixtures.jpegLs)).rejects.toThrow(/transfer syntax 1\.2\.840\.10008\.1\.2\.4\.80 \(JPEG-LS Lossless Image Compression\) is not supported/);
  });

  it('replays at the cine\'s own rate (Frame Time), and loops', async () => {
    const source = await openSource(fixtures.explicit, { loop: true });
    expect(source.live).toBe(true);
    const started = performance.now();
    const { take } = await import('rxjs');
    const frames = await firstValueFrom(source.frames.pipe(take(5), toArray()));
    const elapsed = performance.now() - started;
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(Buffer.from(frames[3]!.data).equals(Buffer.from(fixtures.frames[0]!))).toBe(true);
    // 5 frames at 50 ms: the 5th is due 200 ms after the first.
    expect(elapsed).toBeGreaterThanOrEqual(4 * FRAME_TIME_MS - 10);
  });

  it('a folder of single-frame files plays in Instance Number order (BMP- and JPEG-made)', async () => {
    const source = await openSource(fixtures.singleFrames, { realtime: false });
    expect(source.kind).toBe('dicom');
    expect(source.info.frameCount).toBe(3);
    const frames = await pullAll(fixtures.singleFrames);
    // IM2 (instance 1), IM1 (instance 2, from the JPEG), IM0 (instance 3): the stills without burned-in bars.
    const originals = await Promise.all([2, 1, 0].map(async (i) => (await readPngChannel(path.join(HC18, 'images', `${STEMS[i]}.png`))).data));
    expect(Buffer.from(frames[0]!.data).equals(Buffer.from(originals[0]!))).toBe(true);
    expect(meanAbsDiff(frames[1]!.data, originals[1]!)).toBeLessThan(3);
    expect(Buffer.from(frames[2]!.data).equals(Buffer.from(originals[2]!))).toBe(true);
    expect(frames[0]!.calibration).toBeUndefined();
  });

  it('a DICOM source refuses width/height scaling', async () => {
    await expect(openSource(fixtures.explicit, { width: 64, height: 48 })).rejects.toThrow('keeps its own frame size');
  });

  const real = realUltrasoundCine();
  it.skipIf(!real)('a real ultrasound cine (US-PAL-8-10x-echo.dcm: RLE, PALETTE COLOR, 10 frames at 76 ms)', async () => {
    const source = await openSource(real!, { realtime: false });
    expect(source.info).toEqual({ width: 600, height: 430, fps: expect.closeTo(1000 / 76, 2), frameCount: 10 });
    const frames = await pullAll(real!);
    expect(frames).toHaveLength(10);
    for (const frame of frames) {
      const mean = frame.data.reduce((a, b) => a + b, 0) / frame.data.length;
      expect(mean).toBeGreaterThan(5);
      expect(mean).toBeLessThan(200);
    }
    // Frames differ (a beating heart), and the source says nothing of calibration.
    expect(meanAbsDiff(frames[0]!.data, frames[5]!.data)).toBeGreaterThan(1);
    expect(frames[0]!.calibration).toBeUndefined();
  });
});

if (!realUltrasoundCine()) console.warn('dicom-source.test: no US-PAL-8-10x-echo.dcm (Debian octave-dicom); the real-cine test is skipped');
