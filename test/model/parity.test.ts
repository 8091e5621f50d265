/** Torch vs onnxruntime-node on fixed probe inputs: every output of every graph within 1e-4. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/core/runtime/manifest.js';
import { probeTensor } from './probe.js';
import { MODEL_DIR } from '../helpers/model-dir.js';

const FIXTURES = process.env.SAM2RAD_PARITY ?? 'test/fixtures/parity';

interface ParityIndex {
  graphs: Record<string, { inputs: Record<string, number[]>; outputs: Record<string, number[]> }>;
}

describe('ONNX graphs match PyTorch', async () => {
  const loaded = await loadManifest(MODEL_DIR);
  const index = JSON.parse(readFileSync(path.join(FIXTURES, 'parity.json'), 'utf8')) as ParityIndex;
  for (const [name, spec] of Object.entries(index.graphs)) {
    it(`${name}: max |torch - ort| <= 1e-4`, async () => {
      const graph = loaded.manifest.graphs[name as keyof typeof loaded.manifest.graphs];
      const session = await ort.InferenceSession.create(path.join(MODEL_DIR, graph.file), { intraOpNumThreads: 1 });
      const feeds: Record<string, ort.Tensor> = {};
      for (const [input, shape] of Object.entries(spec.inputs)) {
        feeds[input] = probeTensor(input, graph.inputs[input]!.dtype, shape);
      }
      const outputs = await session.run(feeds);
      for (const [output, shape] of Object.entries(spec.outputs)) {
        const file = readFileSync(path.join(FIXTURES, `${name}.${output}.f32`));
        const expected = new Float32Array(file.buffer, file.byteOffset, file.byteLength / 4);
        const actual = outputs[output]!;
        expect(actual.dims).toEqual(shape);
        const data = actual.data as Float32Array;
        let maxDiff = 0;
        for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - data[i]!));
        expect(maxDiff, `${name}.${output}`).toBeLessThanOrEqual(1e-4);
      }
      await session.release();
    });
  }
});
