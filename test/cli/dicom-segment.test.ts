/** `sam2rad segment` on a DICOM cine (RLE Lossless, made at test time from HC18 frames): every frame is
 * segmented on its ultrasound region and metadata.json carries HC, BPD and OFD in mm from the cine's own
 * calibration. Frame 0 is HC18's 080_HC, whose sonographer-measured HC is 75.9 mm. */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingMetadata } from '../../plugins/sinks/recording-format.js';
import { makeTempDir } from '../sources/clips.js';
import { dicomToolsMissing, makeDicomFixtures, PIXEL_SIZE_MM, type DicomFixtures } from '../sources/dicom-fixtures.js';

const run = promisify(execFile);
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let fixtures: DicomFixtures;

describe.skipIf(dicomToolsMissing())('sam2rad segment on a DICOM cine', () => {
  beforeAll(async () => {
    temp = await makeTempDir();
    fixtures = await makeDicomFixtures(path.join(temp.dir, 'dicom'));
  }, 60_000);
  afterAll(() => temp?.remove());

  it('records every frame with biometry in mm from the ultrasound region', async () => {
    const out = path.join(temp.dir, 'seg');
    await run('node', ['dist/src/app/cli/main.js', 'segment', fixtures.rle, '--out', out], { timeout: 120_000 });
    const metadata = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')) as RecordingMetadata;
    expect(metadata).toMatchObject({ complete: true, frameCount: 3, fps: 20, width: 800, height: 540, source: { uri: path.resolve(fixtures.rle) } });
    expect(await readdir(path.join(out, 'masks'))).toHaveLength(3);
    for (const frame of metadata.frames) {
      expect(frame.biometry?.fetal_head).toMatchObject({ calibration: 'dicom', mmPerPixel: { x: PIXEL_SIZE_MM, y: PIXEL_SIZE_MM } });
      const b = frame.biometry!.fetal_head!;
      expect(b.hcMm!).toBeCloseTo(b.hcPx * PIXEL_SIZE_MM, 1);
      expect(b.bpdMm!).toBeLessThan(b.ofdMm!);
    }
    expect(Math.abs(metadata.frames[0]!.biometry!.fetal_head!.hcMm! - 75.9)).toBeLessThan(4);
  }, 120_000);
});
