/** A class's own mask threshold (manifest `mask.class_threshold_logits`) replaces the default for that
 * class only. Real model and images. */
import { rm, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGreyImage, stillFrame } from '../../src/core/frames/read-image.js';
import { SegmentationSession } from '../../plugins/model/segmentation-session.js';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { copyModelDir, MODEL_DIR } from '../helpers/model-dir.js';

const FETAL = '../shared/datasets/hc18_fetal_head_us/images/080_HC.png';
const LUMBAR = '../shared/datasets/lumbar_spine_bone_us/images/lumbar_f0025.jpg';

let dir: string;
let shipped: Sam2RadModel;
let lowered: Sam2RadModel;

async function segment(model: Sam2RadModel, className: string, file: string): Promise<{ area: number; classMap: Uint8Array }> {
  const session = new SegmentationSession(model, { classes: [className], historyFrames: 1 });
  const result = await session.process(stillFrame(await readGreyImage(file)), []);
  return { area: result.results[0]!.area, classMap: result.classMap };
}

describe('per-class mask thresholds', () => {
  beforeAll(async () => {
    dir = await copyModelDir('sam2rad-class-threshold-');
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    // Only fetal_head's threshold changes; the other classes keep theirs (if any).
    manifest.mask.class_threshold_logits = { ...manifest.mask.class_threshold_logits, fetal_head: -2 };
    await writeFile(file, JSON.stringify(manifest));
    shipped = await Sam2RadModel.load(MODEL_DIR, { ep: 'cpu', intraOpThreads: 2 });
    lowered = await Sam2RadModel.load(dir, { ep: 'cpu', intraOpThreads: 2 });
  }, 60_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('grows the mask of the class it names and leaves other classes as they were', async () => {
    const [before, after] = [await segment(shipped, 'fetal_head', FETAL), await segment(lowered, 'fetal_head', FETAL)];
    expect(before.area).toBeGreaterThan(10_000);
    expect(after.area).toBeGreaterThan(before.area * 1.02);
    const [bone, sameBone] = [await segment(shipped, 'lumbar_bone', LUMBAR), await segment(lowered, 'lumbar_bone', LUMBAR)];
    expect(bone.area).toBeGreaterThan(500);
    expect(Buffer.from(sameBone.classMap).equals(Buffer.from(bone.classMap))).toBe(true);
  }, 60_000);
});
