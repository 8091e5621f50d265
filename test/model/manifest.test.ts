/** The runtime refuses a broken model directory with an error that names the file and the problem. */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifest, validateManifest } from '../../src/core/runtime/manifest.js';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { MODEL_DIR, copyModelDir, flipMiddleByte } from '../helpers/model-dir.js';

describe('model manifest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await copyModelDir('sam2rad-model-');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('loads the shipped model and checks every graph hash', async () => {
    const loaded = await loadManifest(dir);
    expect(Object.keys(loaded.graphs)).toHaveLength(5);
    expect(loaded.manifest.classes).toContain('fetal_head');
  });

  it('names a missing graph file', async () => {
    await rm(path.join(dir, 'memory_attention.onnx'));
    await expect(loadManifest(dir)).rejects.toThrow(/memory_attention\.onnx: graph "memory_attention" is missing/);
  });

  it('names a corrupt graph file', async () => {
    await flipMiddleByte(path.join(dir, 'mask_decoder.onnx'));
    await expect(loadManifest(dir)).rejects.toThrow(/mask_decoder\.onnx: graph "mask_decoder" does not match the manifest/);
  });

  it('names a graph swapped in from another model', async () => {
    await cp(path.join(dir, 'image_encoder.onnx'), path.join(dir, 'memory_encoder.onnx'));
    await expect(loadManifest(dir)).rejects.toThrow(/memory_encoder\.onnx: .*does not match/);
  });

  it('names an unparsable manifest', async () => {
    await writeFile(path.join(dir, 'manifest.json'), '{"format": ');
    await expect(loadManifest(dir)).rejects.toThrow(/manifest\.json: not valid JSON/);
  });

  it('names the missing field of an incomplete manifest', async () => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    delete manifest.graphs.prompt_predictor.outputs.mask_prompt;
    expect(() => validateManifest(manifest, 'm.json')).toThrow('m.json: "graphs.prompt_predictor.outputs.mask_prompt" is missing');
    delete manifest.memory.frames;
    expect(() => validateManifest(manifest, 'm.json')).toThrow('"memory.frames" must be a positive integer');
    manifest.mask.threshold_logit = '0';
    expect(() => validateManifest(manifest, 'm.json')).toThrow('"mask.threshold_logit" must be a number');
  });

  it('names a shape prior for an unknown class or of an unknown kind', async () => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    manifest.mask.shape_priors = { kidney: 'ellipse' };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('m.json: "mask.shape_priors" names "kidney", which is not one of the classes');
    manifest.mask.shape_priors = { fetal_head: 'circle' };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('"mask.shape_priors.fetal_head" is "circle" (expected one of ellipse)');
  });

  it('names a class threshold for an unknown class or that is not a number', async () => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    manifest.mask.class_threshold_logits = { kidney: -0.5 };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('m.json: "mask.class_threshold_logits" names "kidney", which is not one of the classes');
    manifest.mask.class_threshold_logits = { fetal_head: '-0.5' };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('"mask.class_threshold_logits.fetal_head" is "-0.5" (expected a number)');
  });

  it('names a biometry axis scale for an unknown class or out of range', async () => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    manifest.mask.biometry_axis_scales = { kidney: 0.99 };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('m.json: "mask.biometry_axis_scales" names "kidney", which is not one of the classes');
    manifest.mask.biometry_axis_scales = { fetal_head: 3 };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('"mask.biometry_axis_scales.fetal_head"');
  });

  it('names a precision default for an unknown provider or a variant the model lacks', async () => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    manifest.precision_defaults = { tpu: 'fp32' };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('m.json: "precision_defaults" names "tpu", which is not an execution provider (cpu, cuda, webgpu)');
    manifest.precision_defaults = { cpu: 'int4' };
    expect(() => validateManifest(manifest, 'm.json')).toThrow('"precision_defaults.cpu" is "int4", which is neither fp32 nor one of the manifest\'s variants');
  });

  it('loads the precision the manifest names for a provider, and fp32 for the others', async () => {
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.precision_defaults = { cpu: 'int8' };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const cpu = await loadManifest(dir, { defaultFor: 'cpu' });
    expect(cpu.precision).toBe('int8');
    expect(cpu.graphs.mask_decoder.file).toBe(manifest.variants.int8.mask_decoder.file);
    expect((await loadManifest(dir, { defaultFor: 'cuda' })).precision).toBe('fp32');
    // Asking explicitly overrides the default.
    expect((await loadManifest(dir, 'fp32')).graphs.mask_decoder.file).toBe('mask_decoder.onnx');
  });

  it('names the file and every field at fault in a bad manifest.json', async () => {
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.memory.frames = '5';
    manifest.graphs.image_encoder.sha256 = 'not-a-hash';
    manifest.graphs.mask_decoder.inputs.point_coords.dtype = 'float64';
    manifest.variants.int8.memory_encoder.bytes = -1;
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadManifest(dir)).rejects.toThrow(
      `${path.join(dir, 'manifest.json')}: "memory.frames" must be a positive integer (got "5"); ` +
        '"graphs.image_encoder.sha256" must be a hex sha256 (got "not-a-hash"); ' +
        '"graphs.mask_decoder.inputs.point_coords.dtype" must be one of "float32", "float16", "int64" (got "float64"); ' +
        '"variants.int8.memory_encoder.bytes" must be an integer >= 0 (got -1)',
    );
  });

  it('keeps the fields the runtime does not read, and refuses what is not an object', async () => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    const checked = validateManifest(manifest, 'm.json');
    expect(checked.config).toEqual(manifest.config);
    expect(checked.input.grey_to_channels).toBe(manifest.input.grey_to_channels);
    expect(() => validateManifest([manifest], 'm.json')).toThrow('m.json: manifest is not a JSON object');
  });

  it('reports a missing model directory', async () => {
    await expect(Sam2RadModel.load(path.join(dir, 'nope'), { ep: 'cpu', intraOpThreads: 1 })).rejects.toThrow(
      /nope\/manifest\.json: cannot read the model manifest/,
    );
  });
});
