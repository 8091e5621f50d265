/** The fp16 and int8 graphs segment like the fp32 ones, on a real image through the memory bank, and are
 * hash-checked like them. Each variant is made here by its script (Debian python3-onnx) from a copy of
 * SAM2RAD_MODEL (default models/sam2rad-us), so the converters themselves are under test; the int8
 * graphs the model ships must be exactly what training/export/quantize_int8.py makes of its fp32 graphs. */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGreyImage, type GreyImage } from '../../src/core/frames/read-image.js';
import { loadManifest, type GraphFile, type GraphName, type Precision } from '../../src/core/runtime/manifest.js';
import type { ObjectResult } from '../../plugins/model/object-query.js';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { MODEL_DIR, copyModelDir, flipMiddleByte } from '../helpers/model-dir.js';

const run = promisify(execFile);

const IMAGE = '../shared/datasets/hc18_fetal_head_us/images/000_HC.png';
/** The same image three times: the first frame runs on an empty bank, the others attend to memory; the
 * last one carries a click, so the mask refiner (an If branch in the decoder graph) is compared too. */
const FRAMES = 3;

async function segment(dir: string, precision: Precision, image: GreyImage): Promise<ObjectResult[]> {
  const model = await Sam2RadModel.load(dir, { ep: 'cpu', intraOpThreads: 1, precision });
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

/** How far one frame's variant logits are from fp32's: largest difference, fp32's range, and the share
 * of cells on the same side of 0. */
function compareLogits(fp32: Float32Array, variant: Float32Array): { maxDiff: number; range: number; agreement: number } {
  let maxDiff = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let same = 0;
  for (let i = 0; i < fp32.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(fp32[i]! - variant[i]!));
    lo = Math.min(lo, fp32[i]!);
    hi = Math.max(hi, fp32[i]!);
    if (fp32[i]! > 0 === variant[i]! > 0) same++;
  }
  return { maxDiff, range: hi - lo, agreement: same / fp32.length };
}

const VARIANTS = [
  { precision: 'fp16', module: 'training.export.convert_fp16' },
  { precision: 'int8', module: 'training.export.quantize_int8' },
] as const;

describe.each(VARIANTS)('$precision variant', ({ precision, module }) => {
  let dir = '';
  beforeAll(async () => {
    dir = await copyModelDir(`sam2rad-${precision}-`);
    await run('/usr/bin/python3', ['-m', module, dir], { timeout: 120_000 });
  }, 150_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The variant the script recorded, or an error that says how to make it. */
  async function variantFiles(modelDir: string): Promise<Readonly<Record<GraphName, GraphFile>>> {
    const variant = (await loadManifest(modelDir)).manifest.variants?.[precision];
    if (!variant) throw new Error(`${modelDir} has no ${precision} variant in its manifest: run /usr/bin/python3 -m ${module} ${modelDir}`);
    return variant;
  }

  let outputs: Promise<{ fp32: ObjectResult[]; variant: ObjectResult[] }> | undefined;
  /** Both precisions on the same frames, computed once for the tests that compare them. */
  function segmentBoth(): Promise<{ fp32: ObjectResult[]; variant: ObjectResult[] }> {
    outputs ??= (async () => {
      await variantFiles(dir);
      const image = await readGreyImage(IMAGE);
      return { fp32: await segment(dir, 'fp32', image), variant: await segment(dir, precision, image) };
    })();
    return outputs;
  }

  it('is listed in the manifest', async () => {
    expect((await variantFiles(dir)).mask_decoder.file).toBe(`mask_decoder.${precision}.onnx`);
  });

  it('keeps the mask logits close to fp32 relative to their range, frame after frame', async () => {
    const { fp32, variant } = await segmentBoth();
    for (let f = 0; f < FRAMES; f++) {
      const { maxDiff, range } = compareLogits(fp32[f]!.maskLogits, variant[f]!.maskLogits);
      expect(maxDiff, `frame ${f}: max |fp32 - ${precision}| ${maxDiff} over a range of ${range}`).toBeLessThan(0.02 * range);
      expect(Math.sign(variant[f]!.objectScore)).toBe(Math.sign(fp32[f]!.objectScore));
    }
  });

  it('agrees with fp32 on more than 98 % of mask pixels (logit > 0)', async () => {
    const { fp32, variant } = await segmentBoth();
    for (let f = 0; f < FRAMES; f++) {
      expect(compareLogits(fp32[f]!.maskLogits, variant[f]!.maskLogits).agreement, `frame ${f}`).toBeGreaterThan(0.98);
    }
    // The image holds a head: a real mask is compared, not two empty ones.
    expect(fp32[0]!.maskLogits.some((x) => x > 0)).toBe(true);
  });

  if (precision === 'int8') {
    it('is, byte for byte, the int8 variant the model ships', async () => {
      expect(await variantFiles(dir)).toEqual(await variantFiles(MODEL_DIR));
    });
  }

  describe('files', () => {
    let broken: string;
    beforeAll(async () => {
      broken = await copyModelDir(`sam2rad-${precision}-broken-`, dir);
    });
    afterAll(() => rm(broken, { recursive: true, force: true }));

    it(`names a corrupt ${precision} graph, which fp32 loading never reads`, async () => {
      await flipMiddleByte(path.join(broken, (await variantFiles(dir)).mask_decoder.file));
      await expect(loadManifest(broken, precision)).rejects.toThrow(new RegExp(`${precision} graph "mask_decoder" does not match the manifest`));
      await expect(loadManifest(broken, 'fp32')).resolves.toMatchObject({ precision: 'fp32' });
    });

    it('names the missing variant and how to make it', async () => {
      const { variants: _variants, precision_defaults: _defaults, ...without } = (await loadManifest(dir)).manifest;
      await writeFile(path.join(broken, 'manifest.json'), JSON.stringify(without));
      await expect(loadManifest(broken, precision)).rejects.toThrow(new RegExp(`has no "${precision}" variant \\(make one with: /usr/bin/python3 -m ${module.replaceAll('.', '\\.')} `));
    });
  });
});
