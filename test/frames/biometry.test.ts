/** Fetal head biometry (HC, BPD, OFD) from a fitted ellipse, its calibration, and where it goes: the frame
 * message, stream definitions, the ROI of a calibrated region and eval's HC references. */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrated, ellipseBiometry, ellipsePerimeter, scaledSemiAxes, type FrameCalibration } from '../../src/core/frames/biometry.js';
import type { Frame, SegmentedFrame } from '../../src/core/frames/frame.js';
import { roiCropper } from '../../src/core/frames/roi-crop.js';
import { parseStreamDefinition } from '../../src/app/pipeline/stream-definition.js';
import { decodeFrameMessage, encodeFrame } from '../../src/app/server/wire-format.js';
import { findHcProvenance, parseHcProvenance, quantile, scoreHc, summariseHc } from '../../src/app/eval/hc-eval.js';
import { Recorder } from '../../plugins/sinks/recorder.js';
import type { RecordingMetadata } from '../../plugins/sinks/recording-format.js';
import { syntheticFrame } from '../server/synthetic-frames.js';

/** The perimeter by summing 200000 chords. */
function numericPerimeter(a: number, b: number): number {
  const n = 200_000;
  let length = 0;
  for (let i = 0; i < n; i++) {
    const t0 = (2 * Math.PI * i) / n;
    const t1 = (2 * Math.PI * (i + 1)) / n;
    length += Math.hypot(a * (Math.cos(t1) - Math.cos(t0)), b * (Math.sin(t1) - Math.sin(t0)));
  }
  return length;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-biometry-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ellipse biometry', () => {
  it("Ramanujan's perimeter matches the integral for head-like ellipses, and is 2 pi r for a circle", () => {
    expect(ellipsePerimeter(10, 10)).toBeCloseTo(2 * Math.PI * 10, 10);
    for (const [a, b] of [[120, 100], [150, 90], [200, 60]] as const) {
      expect(Math.abs(ellipsePerimeter(a, b) / numericPerimeter(a, b) - 1)).toBeLessThan(1e-4);
    }
  });

  it('gives HC, BPD (minor axis) and OFD (major axis) in pixels, and in mm on a calibrated frame', () => {
    const ellipse = { cx: 300, cy: 200, a: 150, b: 110, angle: 0.4 };
    const px = ellipseBiometry(ellipse);
    expect(px).toMatchObject({ bpdPx: 220, ofdPx: 300, hcMm: null, bpdMm: null, ofdMm: null, mmPerPixel: null, calibration: null });
    expect(px.hcPx).toBeCloseTo(ellipsePerimeter(150, 110), 1);
    const mm = ellipseBiometry(ellipse, { mmPerPixel: { x: 0.1, y: 0.1 }, source: 'stream' });
    expect(mm).toMatchObject({ bpdMm: 22, ofdMm: 30, mmPerPixel: { x: 0.1, y: 0.1 }, calibration: 'stream', inRegion: true });
    expect(mm.hcMm).toBeCloseTo(ellipsePerimeter(15, 11), 1);
  });

  it('scales the semi-axes by the axis scale before measuring (the manifest\'s biometry_axis_scales)', () => {
    const ellipse = { cx: 300, cy: 200, a: 150, b: 110, angle: 0.4 };
    const scaled = ellipseBiometry(ellipse, { mmPerPixel: { x: 0.1, y: 0.1 }, source: 'stream' }, 0.99);
    expect(scaled).toMatchObject({ bpdPx: 217.8, ofdPx: 297, bpdMm: 21.78, ofdMm: 29.7 });
    expect(scaled.hcMm).toBeCloseTo(0.99 * ellipsePerimeter(15, 11), 1);
    expect(ellipseBiometry(ellipse, undefined, 1)).toEqual(ellipseBiometry(ellipse));
  });

  it('applies a spacing that differs along x and y to the ellipse itself', () => {
    // Axis-aligned: the axes scale independently; the major axis may change sides.
    expect(scaledSemiAxes({ cx: 0, cy: 0, a: 100, b: 50, angle: 0 }, 0.1, 0.3)).toEqual({ a: expect.closeTo(15, 9), b: expect.closeTo(10, 9) });
    // Rotated by 90 degrees: the major axis lies along y.
    const turned = scaledSemiAxes({ cx: 0, cy: 0, a: 100, b: 50, angle: Math.PI / 2 }, 0.1, 0.3);
    expect(turned.a).toBeCloseTo(30, 9);
    expect(turned.b).toBeCloseTo(5, 9);
    // A circle of radius 10 at 45 degrees under (0.2, 0.1) mm per pixel: the ellipse with axes 2 and 1 mm.
    const circle = scaledSemiAxes({ cx: 0, cy: 0, a: 10, b: 10, angle: Math.PI / 4 }, 0.2, 0.1);
    expect(circle.a).toBeCloseTo(2, 9);
    expect(circle.b).toBeCloseTo(1, 9);
  });

  it('flags an ellipse that reaches outside the calibrated region', () => {
    const region = { x: 100, y: 50, width: 400, height: 300 };
    const calibration: FrameCalibration = { mmPerPixel: { x: 0.2, y: 0.2 }, source: 'dicom', region };
    expect(ellipseBiometry({ cx: 300, cy: 200, a: 100, b: 80, angle: 0 }, calibration).inRegion).toBe(true);
    expect(ellipseBiometry({ cx: 300, cy: 200, a: 250, b: 80, angle: 0 }, calibration).inRegion).toBe(false);
  });

  it("calibrated() keeps a frame's own calibration (a DICOM region wins over a configured spacing)", () => {
    const frame: Frame = { index: 0, width: 4, height: 4, data: new Uint8Array(16), timestamps: {} };
    const stream: FrameCalibration = { mmPerPixel: { x: 0.3, y: 0.3 }, source: 'stream' };
    const dicom: FrameCalibration = { mmPerPixel: { x: 0.1, y: 0.1 }, source: 'dicom' };
    expect(calibrated(frame, stream).calibration).toBe(stream);
    expect(calibrated({ ...frame, calibration: dicom }, stream).calibration).toBe(dicom);
  });

  it('auto ROI crops the calibrated region of a frame that has one, and detects otherwise', () => {
    const region = { x: 2, y: 1, width: 5, height: 4 };
    const frame: Frame = { index: 0, width: 10, height: 8, data: new Uint8Array(80).fill(100), timestamps: {}, calibration: { mmPerPixel: { x: 1, y: 1 }, source: 'dicom', region } };
    const cropped = roiCropper('auto')(frame);
    expect(cropped.roi).toEqual(region);
    expect(cropped.calibration).toBe(frame.calibration);
  });
});

describe('biometry in the frame message', () => {
  it('each result with an ellipse carries its biometry to the client', () => {
    const ellipse = { cx: 4, cy: 3, a: 3, b: 2, angle: 0 };
    const biometry = ellipseBiometry(ellipse, { mmPerPixel: { x: 0.5, y: 0.5 }, source: 'dicom' });
    const frame: SegmentedFrame = {
      index: 7, width: 8, height: 6, data: new Uint8Array(48), classMap: new Uint8Array(48), timestamps: { decoded: 1, sent: 2 },
      results: [
        { className: 'fetal_head', value: 1, objectScore: 5, box: [1, 1, 7, 5], area: 19, ellipse, biometry },
        { className: 'lumbar_bone', value: 2, objectScore: 3, box: [0, 0, 1, 1], area: 1 },
      ],
    };
    const { header } = decodeFrameMessage(encodeFrame(frame, (n) => new Uint8Array(n)));
    expect(header.results[0]!.biometry).toEqual(biometry);
    expect(header.results[0]!.biometry).toMatchObject({ bpdMm: 2, ofdMm: 3, calibration: 'dicom' });
    expect(header.results[1]!.biometry).toBeUndefined();
  });
});

describe('stream definition pixelSpacingMm', () => {
  const file = () => path.join(dir, 'scanner.json');
  it('takes a number (isotropic) or {x, y}', () => {
    expect(parseStreamDefinition({ name: 'a', source: 'demo', pixelSpacingMm: 0.12 }, file()).pixelSpacingMm).toEqual({ x: 0.12, y: 0.12 });
    expect(parseStreamDefinition({ name: 'a', source: 'demo', pixelSpacingMm: { x: 0.1, y: 0.2 } }, file()).pixelSpacingMm).toEqual({ x: 0.1, y: 0.2 });
    expect(parseStreamDefinition({ name: 'a', source: 'demo' }, file()).pixelSpacingMm).toBeUndefined();
  });
  it.each([-1, 0, '0.1', { x: 0.1 }, { x: 0.1, y: 0.1, z: 1 }])('refuses %j, naming the field', (value) => {
    expect(() => parseStreamDefinition({ name: 'a', source: 'demo', pixelSpacingMm: value }, file())).toThrow(/pixelSpacingMm/);
  });
});

describe('HC references for sam2rad eval', () => {
  const CSV = 'stem,subject_id,split,pixel_size_mm,head_circumference_mm,fill_method\n000_HC,000,train,0.069135804,44.3,flood\n"002_HC",002,dev,0.062032563,68.75,flood\n';

  it('reads stem, pixel size and HC from provenance.csv; other CSVs give none', () => {
    const refs = parseHcProvenance(CSV, 'p.csv')!;
    expect(refs.get('000_HC')).toEqual({ pixelSizeMm: 0.069135804, hcMm: 44.3 });
    expect(refs.get('002_HC')).toEqual({ pixelSizeMm: 0.062032563, hcMm: 68.75 });
    expect(parseHcProvenance('stem,source\na,b\n', 'p.csv')).toBeUndefined();
    expect(() => parseHcProvenance('stem,pixel_size_mm,head_circumference_mm\na,,3\n', 'p.csv')).toThrow('p.csv:2: expected positive');
  });

  it('finds provenance.csv beside images/, or beside the folder the images link to', async () => {
    const dataset = path.join(dir, 'dataset');
    const split = path.join(dir, 'split');
    await mkdir(path.join(dataset, 'images'), { recursive: true });
    await mkdir(path.join(split, 'images'), { recursive: true });
    await writeFile(path.join(dataset, 'images', '000_HC.png'), 'x');
    await writeFile(path.join(dataset, 'provenance.csv'), CSV);
    await symlink(path.join(dataset, 'images', '000_HC.png'), path.join(split, 'images', '000_HC.png'));
    const found = await findHcProvenance(split, [path.join(split, 'images', '000_HC.png')]);
    expect(found?.file).toBe(path.join(dataset, 'provenance.csv'));
    expect(found?.references.size).toBe(2);
    expect(await findHcProvenance(path.join(dir, 'nowhere'), [])).toBeUndefined();
  });

  it('scores the HC of the fitted ellipse at the image pixel size, and summarises the differences', () => {
    const reference = { pixelSizeMm: 0.1, hcMm: 100 };
    // a circle of radius 160 px = 16 mm: HC 100.53 mm
    const hit = scoreHc({ cx: 0, cy: 0, a: 160, b: 160, angle: 0 }, reference);
    expect(hit).toEqual({ hc_mm: 100.53, hc_truth_mm: 100, hc_abs_diff_mm: 0.53, pixel_size_mm: 0.1 });
    // The manifest's axis scale shrinks the measured ellipse as the runtime does: 0.99 x 100.53 mm.
    expect(scoreHc({ cx: 0, cy: 0, a: 160, b: 160, angle: 0 }, reference, 0.99).hc_mm).toBe(99.53);
    const miss = scoreHc(undefined, reference);
    expect(miss).toMatchObject({ hc_mm: null, hc_abs_diff_mm: 100 });
    const summary = summariseHc([hit, miss], 'p.csv');
    expect(summary).toMatchObject({ hc_mad_mm: 50.265, hc_missing: 1, hc_abs_diff_mm: { median: 50.265, max: 100, count: 2 } });
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
    expect(quantile([4], 0.9)).toBe(4);
  });
});

describe('biometry in recordings', () => {
  it('metadata.json carries each frame\'s biometry by class, only for frames with an ellipse', { timeout: 30_000 }, async () => {
    const recorder = await Recorder.start({ dir, context: { sourceUri: 'synthetic://biometry', model: null }, fps: 10 });
    const ellipse = { cx: 30, cy: 24, a: 12, b: 9, angle: 0 };
    const biometry = ellipseBiometry(ellipse, { mmPerPixel: { x: 0.2, y: 0.2 }, source: 'stream' });
    for (let i = 0; i < 3; i++) {
      const frame = syntheticFrame(i);
      const results = i === 1 ? frame.results : frame.results.map((r) => ({ ...r, ellipse, biometry }));
      recorder.write({ ...frame, results });
    }
    await recorder.stop();
    const metadata = JSON.parse(await readFile(path.join(recorder.folder, 'metadata.json'), 'utf8')) as RecordingMetadata;
    const className = syntheticFrame(0).results[0]!.className;
    expect(metadata.frames.map((f) => f.biometry)).toEqual([{ [className]: biometry }, undefined, { [className]: biometry }]);
    expect(metadata.frames[0]!.biometry![className]).toMatchObject({ bpdMm: 3.6, ofdMm: 4.8, calibration: 'stream' });
  });
});
