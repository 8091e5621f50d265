/** The fp16 graphs segment like the fp32 ones, on a real image through the memory bank, and are
 * hash-checked like them. The variant is made here by training/convert_fp16.py (Debian python3-onnx) from
 * a copy of SAM2RAD_MODEL (default models/sam2rad-us), so the converter itself is under test. */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGreyImage, type GreyImage } from '../../src/frames/read-image.js';
import { loadManifest, type GraphFile, type GraphName } from '../../src/runtime/manifest.js';
import { Sam2RadModel, type ObjectResult } from '../../plugins/model/sam2rad-model.js';
import { copyModelDir, flipMiddleByte } from '../helpers/model-dir.js';

const run = promisify(execFile);

let MODEL_DIR = '';

beforeAll(async () => {
  MODEL_DIR = await copyModelDir('sam2rad-fp16-');
  await run('/usr/bin/python3', ['training/convert_fp16.py', MODEL_DIR], { timeout: 120_000 });
}, 150_000);
afterAll(() => rm(MODEL_DIR, { recursive: true, force: true }));
const IMAGE = '../shared/datasets/hc18_fetal_head_us/images/000_HC.png';
/** The same image three times: the first frame runs on an empty bank, the others attend to memory; the
 * last one carries a click, so the mask refiner (an If branch in the decoder graph) is compared too. */
const FRAMES = 3;

async function segment(precision: 'fp32' | 'fp16', image: GreyImage): Promise<ObjectResult[]> {
  const model = await Sam2RadModel.load(MODEL_DIR, { ep: 'cpu', intraOpThreads: 1, precision });
  try {
    const bank = model.newBank();
    const classIndex = model.classIndex('fetal_head');
    const results: ObjectResult[] = [];
    const prompts = { points: [{ x: image.width / 2, y: image.height / 2, label: 1 as const }] };
    for (let i = 0; i < FRAMES; i++) {
      const query = i === FRAMES - 1 ? { mode: 'semi' as const, prompts } : { mode: 'auto' as const };
      const out = await model.infer(image.data, image.width, image.height, [{ classIndex, bank, updateMemory: true, ...query }]);
      results.push(out.objects[0]!);
    }
    return results;
  } finally {
    await model.release();
  }
}

/** The manifest's fp16 variant, or an error that says how to make it. */
async function fp16Files(): Promise<Readonly<Record<GraphName, GraphFile>>> {
  const variant = (await loadManifest(MODEL_DIR)).manifest.variants?.fp16;
  if (!variant) throw new Error(`${MODEL_DIR} has no fp16 variant in its manifest: run /usr/bin/python3 training/convert_fp16.py ${MODEL_DIR}`);
  return variant;
}

let outputs: Promise<{ fp32: ObjectResult[]; fp16: ObjectResult[] }> | undefined;
/** Both precisions on the same frames, computed once for the tests that compare them. */
function segmentBoth(): Promise<{ fp32: ObjectResult[]; fp16: ObjectResult[] }> {
  outputs ??= (async () => {
    await fp16Files();
    const image = await readGreyImage(IMAGE);
    return { fp32: await segment('fp32', image), fp16: await segment('fp16', image) };
  })();
  return outputs;
}

describe('fp16 variant', () => {
  it('is listed in the manifest', async () => {
    expect((await fp16Files()).mask_decoder.file).toMatch(/\.onnx$/);
  });

  it('keeps the mask logits close to fp32 relative to their range, frame after frame', async () => {
    const { fp32, fp16 } = await segmentBoth();
    for (let f = 0; f < FRAMES; f++) {
      const a = fp32[f]!.maskLogits;
      const b = fp16[f]!.maskLogits;
      let maxDiff = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
        lo = Math.min(lo, a[i]!);
        hi = Math.max(hi, a[i]!);
      }
      expect(maxDiff, `frame ${f}: max |fp32 - fp16| ${maxDiff} over a range of ${hi - lo}`).toBeLessThan(0.02 * (hi - lo));
      expect(Math.sign(fp16[f]!.objectScore)).toBe(Math.sign(fp32[f]!.objectScore));
    }
  });

  it('agrees with fp32 on more than 98 % of mask pixels (logit > 0)', async () => {
    const { fp32, fp16 } = await segmentBoth();
    for (let f = 0; f < FRAMES; f++) {
      const a = fp32[f]!.maskLogits;
      const b = fp16[f]!.maskLogits;
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i]! > 0 === b[i]! > 0) same++;
      expect(same / a.length, `frame ${f}`).toBeGreaterThan(0.98);
    }
    // The image holds a head: a real mask is compared, not two empty ones.
    expect(fp32[0]!.maskLogits.some((x) => x > 0)).toBe(true);
  });

  describe('files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await copyModelDir('sam2rad-fp16-', MODEL_DIR);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('names a corrupt fp16 graph, which fp32 loading never reads', async () => {
      await flipMiddleByte(path.join(dir, (await fp16Files()).mask_decoder.file));
      await expect(loadManifest(dir, 'fp16')).rejects.toThrow(/fp16 graph "mask_decoder" does not match the manifest/);
      await expect(loadManifest(dir, 'fp32')).resolves.toMatchObject({ precision: 'fp32' });
    });

    it('names the missing variant and how to make it', async () => {
      const { variants: _variants, ...without } = (await loadManifest(MODEL_DIR)).manifest;
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(without));
      await expect(loadManifest(dir, 'fp16')).rejects.toThrow(/has no "fp16" variant \(make one with: .*convert_fp16\.py/);
    });
  });
});
