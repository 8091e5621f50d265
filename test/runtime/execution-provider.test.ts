/** Asking for a GPU provider on a machine without one fails over to the CPU with one clear log line. */
import { describe, expect, it } from 'vitest';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { loadModel } from '../../src/app/cli/load-model.js';
import { defaultPrecision } from '../../src/core/runtime/manifest.js';
import { MODEL_DIR } from '../helpers/model-dir.js';


describe('execution provider fallback', () => {
  it.each(['cuda', 'webgpu'] as const)('%s -> cpu with one message, and the model still runs', async (ep) => {
    const lines: string[] = [];
    const model = await Sam2RadModel.load(MODEL_DIR, { ep, intraOpThreads: 1 }, (line) => lines.push(line));
    try {
      expect(model.provider.requested).toBe(ep);
      // On a machine with a working GPU provider there is nothing to fall back from.
      if (model.provider.used === ep) return;
      expect(model.provider.used).toBe('cpu');
      // The CPU's own default graphs, as if the CPU had been asked for.
      const cpuDefault = defaultPrecision(model.manifest, 'cpu');
      expect(model.precision).toBe(cpuDefault);
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^execution provider: ${ep} unavailable \\(.+\\); falling back to cpu; ${cpuDefault} graphs$`))]);
      const grey = new Uint8Array(64 * 48).fill(80);
      const result = await model.infer(grey, 64, 48, [{ classIndex: 0, bank: model.newBank(), mode: 'auto', updateMemory: true }]);
      expect(result.objects).toHaveLength(1);
    } finally {
      await model.release();
    }
  });

  it('names the valid choices for an unknown provider or precision', () => {
    const options = { model: MODEL_DIR, ep: 'cpu', precision: 'fp32', threads: '1' };
    expect(() => loadModel({ ...options, ep: 'tpu' })).toThrow('--ep: "tpu" is not one of cpu, cuda, webgpu');
    expect(() => loadModel({ ...options, precision: 'int4' })).toThrow('--precision: "int4" is not one of fp32, fp16, int8');
  });
});
