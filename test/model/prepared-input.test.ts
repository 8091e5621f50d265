/** Work done ahead gives the same masks: a frame prepared ahead (letterbox into pooled buffers, here or on
 * the worker thread) segments exactly as one prepared inside `process`. (Masks painted by spans against
 * per-pixel sampling: mask-upsample.test.ts and shape-prior.test.ts.) */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { SegmentationSession } from '../../plugins/model/segmentation-session.js';
import { readGreyImage } from '../../src/core/frames/read-image.js';
import type { Frame } from '../../src/core/frames/frame.js';
import { MODEL_DIR } from '../helpers/model-dir.js';

describe('a frame prepared ahead', () => {
  let model: Sam2RadModel;
  let frames: Frame[];

  beforeAll(async () => {
    model = await Sam2RadModel.load(MODEL_DIR, { ep: 'cpu', intraOpThreads: 2 });
    const files = ['hc18_fetal_head_us/images/010_HC.png', 'lumbar_spine_bone_us/images/lumbar_f0182.jpg'];
    const images = await Promise.all(files.map((f) => readGreyImage(`../shared/datasets/${f}`)));
    frames = [0, 1, 0, 1].map((k, index) => ({ ...images[k]!, index, timestamps: {} }));
  }, 60_000);
  afterAll(() => model?.release());

  it('segments exactly as one prepared inside process, and a mismatched one is ignored', { timeout: 120_000 }, async () => {
    const plain = new SegmentationSession(model, { classes: ['fetal_head', 'lumbar_bone'] });
    const ahead = new SegmentationSession(model, { classes: ['fetal_head', 'lumbar_bone'] });
    // Prepared two frames ahead, as a pipeline does while the model is busy.
    let next = ahead.prepare(frames[0]!);
    for (let i = 0; i < frames.length; i++) {
      const current = next;
      if (i + 1 < frames.length) next = ahead.prepare(frames[i + 1]!);
      const want = await plain.process(frames[i]!);
      const got = await ahead.process(frames[i]!, [], current);
      expect(Buffer.from(got.classMap).equals(Buffer.from(want.classMap))).toBe(true);
      expect(got.results).toEqual(want.results);
      expect(got.timestamps.preprocessed).toBe(current.preparedAt);
    }
    // Prepared on the worker thread: the same input, stamped on this thread's clock.
    const before = performance.now();
    const onWorker = await ahead.prepareAsync({ ...frames[1]!, index: 20 });
    expect(onWorker.preparedAt).toBeGreaterThanOrEqual(before);
    expect(onWorker.preparedAt).toBeLessThanOrEqual(performance.now());
    const here = ahead.prepare({ ...frames[1]!, index: 20 });
    expect(Buffer.from(onWorker.input.buffer).equals(Buffer.from(here.input.buffer))).toBe(true);
    ahead.discard(here);
    const fromWorker = await ahead.process({ ...frames[1]!, index: 20 }, [], { ...onWorker, source: frames[1]!.data });
    const reference = await plain.process({ ...frames[1]!, index: 20 });
    expect(Buffer.from(fromWorker.classMap).equals(Buffer.from(reference.classMap))).toBe(true);
    // Prepared for other pixels: process prepares its own.
    const wrong = ahead.prepare(frames[1]!);
    const want = await plain.process({ ...frames[0]!, index: 10 });
    const got = await ahead.process({ ...frames[0]!, index: 10 }, [], wrong);
    expect(Buffer.from(got.classMap).equals(Buffer.from(want.classMap))).toBe(true);
  });
});
