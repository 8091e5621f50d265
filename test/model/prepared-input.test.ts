/** Work done ahead or skipped gives the same masks: a mask painted only where its logit cells can pass the
 * threshold equals one sampled everywhere; the ellipse prior on a reused region is the same; a frame
 * prepared ahead (letterbox into pooled buffers, here or on the worker thread) segments exactly as one
 * prepared inside `process`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterboxGeometry, type Letterbox } from '../../plugins/model/letterbox.js';
import { paintMask } from '../../plugins/model/mask-upsample.js';
import { paintEllipseMask } from '../../plugins/model/shape-prior.js';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { SegmentationSession } from '../../plugins/model/segmentation-session.js';
import { readGreyImage } from '../../src/core/frames/read-image.js';
import type { Frame } from '../../src/core/frames/frame.js';
import { MODEL_DIR } from '../helpers/model-dir.js';

/** paintMask as it was: every pixel sampled. */
function paintEverywhere(logits: Float32Array, m: number, box: Letterbox, value: number, out: Uint8Array, threshold = 0): number {
  const { sourceWidth: w, sourceHeight: h, scale, size } = box;
  const cell = size / m;
  let area = 0;
  for (let y = 0; y < h; y++) {
    const v = ((y + 0.5) * scale) / cell - 0.5;
    const by = Math.floor(v);
    const fy = v - by;
    const r0 = Math.min(m - 1, Math.max(0, by)) * m;
    const r1 = Math.min(m - 1, Math.max(0, by + 1)) * m;
    for (let x = 0; x < w; x++) {
      const u = ((x + 0.5) * scale) / cell - 0.5;
      const bx = Math.floor(u);
      const a = Math.fround(u - bx);
      const c0 = Math.min(m - 1, Math.max(0, bx));
      const c1 = Math.min(m - 1, Math.max(0, bx + 1));
      const top = logits[r0 + c0]! * (1 - a) + logits[r0 + c1]! * a;
      const bottom = logits[r1 + c0]! * (1 - a) + logits[r1 + c1]! * a;
      if (top * (1 - fy) + bottom * fy > threshold) {
        out[y * w + x] = value;
        area++;
      }
    }
  }
  return area;
}

function randomLogits(m: number, seed: number, blobs: number): Float32Array {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const logits = new Float32Array(m * m).fill(-6);
  for (let b = 0; b < blobs; b++) {
    const [cx, cy, r] = [rnd() * m, rnd() * m, 2 + rnd() * m * 0.3];
    for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) logits[y * m + x] = Math.max(logits[y * m + x]!, (r - Math.hypot(x - cx, y - cy)) * (0.5 + rnd()));
  }
  return logits;
}

describe('masks painted where they can be', () => {
  it('equal masks sampled at every pixel, whatever the frame size, threshold and blobs (edges included)', () => {
    const m = 64;
    for (const [w, h] of [[458, 638], [1000, 918], [1920, 1080], [37, 23]] as const) {
      const box = letterboxGeometry(w, h, 256);
      for (let seed = 1; seed <= 6; seed++) {
        const logits = randomLogits(m, seed * 7 + w, seed % 3);
        if (seed === 6) logits[0] = logits[m * m - 1] = 5; // corners: clamped cells
        for (const threshold of [0, -0.25, -0.5, 0.7]) {
          const fast = new Uint8Array(w * h);
          const slow = new Uint8Array(w * h);
          expect(paintMask(logits, m, box, 3, fast, threshold)).toBe(paintEverywhere(logits, m, box, 3, slow, threshold));
          expect(Buffer.from(fast).equals(Buffer.from(slow))).toBe(true);
        }
      }
    }
    // Cells exactly at the threshold: a blend of them never passes it.
    const flat = new Float32Array(m * m).fill(-0.25);
    const box = letterboxGeometry(300, 200, 256);
    expect(paintMask(flat, m, box, 1, new Uint8Array(300 * 200), -0.25)).toBe(paintEverywhere(flat, m, box, 1, new Uint8Array(300 * 200), -0.25));
  });

  it('fit the same ellipse call after call on a reused region', () => {
    const m = 64;
    const box = letterboxGeometry(640, 432, 256);
    const first = randomLogits(m, 3, 1);
    const a = paintEllipseMask(first, m, box, 1, new Uint8Array(640 * 432), -0.5);
    paintEllipseMask(randomLogits(m, 11, 2), m, box, 1, new Uint8Array(640 * 432), -0.5);
    const again = paintEllipseMask(first, m, box, 1, new Uint8Array(640 * 432), -0.5);
    expect(again).toEqual(a);
  });
});

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
