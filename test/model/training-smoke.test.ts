/** A few real training steps of the PyTorch model (Debian's python3-torch): the loss goes down; the
 * checkpoint survives the split into parts that the GPU machine returns; fine-tuning stages that train
 * only the point-label embeddings, only the mask refiner or only some classes' query tokens leave every
 * other weight and batch-norm statistic untouched, and --batch-norm frozen keeps the statistics of a
 * whole-model one; two checkpoints average into their midpoint; the shipped model imports back into a
 * checkpoint. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const ENV = { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1' };

function train(out: string, extra: string[]) {
  return run(PYTHON, ['-m', 'training.train', '--out', out, '--batch', '2', '--frames', '2', '--log-every', '1', '--minutes', '10',
    '--threads', '2', '--seed', '1', '--images-per-class', '4', '--skip-dev', ...extra], { env: ENV, timeout: 300_000 });
}

/** Python that prints the names of the state-dict entries that differ between two checkpoints. */
const DIFFERING = `
import sys, torch
a, b = (torch.load(p, map_location="cpu", weights_only=False)["state_dict"] for p in sys.argv[1:3])
assert a.keys() == b.keys(), "different entries"
print(",".join(k for k in a if not torch.equal(a[k], b[k])))`;

/** Per class-query table: which class rows differ between two checkpoints. */
const CHANGED_ROWS = `
import sys, torch
a, b = (torch.load(p, map_location="cpu", weights_only=False)["state_dict"] for p in sys.argv[1:3])
for k in ("prompt_predictor.class_queries", "prompt_predictor.class_query_pe"):
    print(",".join(str(not torch.equal(x, y)) for x, y in zip(a[k], b[k])))`;

/** Python that prints the largest distance of a third checkpoint's float weights from the first two's midpoint. */
const MIDPOINT_ERROR = `
import sys, torch
a, b, m = (torch.load(p, map_location="cpu", weights_only=False)["state_dict"] for p in sys.argv[1:4])
print(max(float((m[k] - (a[k] + b[k]) / 2).abs().max()) for k in a if a[k].is_floating_point()))`;

async function differing(first: string, second: string): Promise<string[]> {
  const { stdout } = await run(PYTHON, ['-c', DIFFERING, first, second], { env: ENV });
  return stdout.trim().split(',').filter(Boolean);
}

describe('training smoke run', () => {
  let out: string;
  let checkpoint: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-train-'));
    checkpoint = path.join(out, 'base', 'checkpoint.pt');
    await train(path.join(out, 'base'), ['--max-steps', '10']);
  }, 320_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('runs 10 steps and the loss falls', async () => {
    const losses = (await readFile(path.join(out, 'base', 'train.log'), 'utf8'))
      .trim().split('\n').map((line) => Number(/loss=([\d.]+)/.exec(line)![1]));
    expect(losses).toHaveLength(10);
    const first = (losses[0]! + losses[1]! + losses[2]!) / 3;
    const last = (losses[7]! + losses[8]! + losses[9]!) / 3;
    expect(last).toBeLessThan(first);
    expect(existsSync(checkpoint)).toBe(true);
  });

  it('splits a checkpoint into parts under the size limit and joins it back unchanged', async () => {
    const parts = path.join(out, 'parts');
    await mkdir(parts);
    await run(PYTHON, ['-m', 'training.gpu.checkpoint_parts', 'split', checkpoint, path.join(parts, 'model'), '--max-mib', '8'], { env: ENV });
    const files = (await readdir(parts)).sort();
    expect(files.length).toBeGreaterThanOrEqual(3); // 27 MiB of weights in parts of <= 8 MiB
    for (const file of files) expect((await readFile(path.join(parts, file))).length).toBeLessThan(8.5 * 2 ** 20);
    const joined = path.join(out, 'joined.pt');
    await run(PYTHON, ['-m', 'training.gpu.checkpoint_parts', 'join', joined, ...files.map((f) => path.join(parts, f))], { env: ENV });
    expect(await differing(checkpoint, joined)).toEqual([]);
  }, 120_000);

  it('a point-labels fine-tune changes only the point label embeddings', async () => {
    const tuned = path.join(out, 'tuned');
    await train(tuned, ['--max-steps', '3', '--init', checkpoint, '--trainable', 'point-labels', '--correction-p', '1']);
    expect(await differing(checkpoint, path.join(tuned, 'checkpoint.pt'))).toEqual(['prompt_encoder.label_embeddings']);
  }, 320_000);

  it('a refiner fine-tune changes only the mask refiner', async () => {
    const tuned = path.join(out, 'refiner');
    await train(tuned, ['--max-steps', '3', '--init', checkpoint, '--trainable', 'refiner', '--correction-p', '1']);
    const changed = await differing(checkpoint, path.join(tuned, 'checkpoint.pt'));
    expect(changed.length).toBeGreaterThan(0);
    for (const name of changed) expect(name).toMatch(/^mask_decoder\.refiner\./);
  }, 320_000);

  it('averaging two checkpoints leaves the weights they share bit-identical and takes the midpoint of the rest', async () => {
    const tuned = path.join(out, 'refiner-for-average');
    await train(tuned, ['--max-steps', '2', '--init', checkpoint, '--trainable', 'refiner', '--correction-p', '1']);
    const other = path.join(tuned, 'checkpoint.pt');
    const average = path.join(out, 'average.pt');
    await run(PYTHON, ['-m', 'training.train.average_checkpoints', checkpoint, other, '--weight', '0.5', '--out', average], { env: ENV });
    const changed = await differing(checkpoint, other);
    expect(changed.length).toBeGreaterThan(0);
    expect(await differing(checkpoint, average)).toEqual(changed);
    const { stdout } = await run(PYTHON, ['-c', MIDPOINT_ERROR, checkpoint, other, average], { env: ENV });
    expect(Number(stdout)).toBeLessThan(1e-6);
  }, 320_000);

  it('a class-queries fine-tune changes only the listed classes\' query tokens', async () => {
    const tuned = path.join(out, 'queries');
    await train(tuned, ['--max-steps', '6', '--init', checkpoint, '--trainable', 'class-queries', '--query-classes', 'hip_bone', '--correction-p', '0']);
    const after = path.join(tuned, 'checkpoint.pt');
    expect(await differing(checkpoint, after)).toEqual(['prompt_predictor.class_queries', 'prompt_predictor.class_query_pe']);
    // Rows in class order (fetal_head, lumbar_bone, hip_bone): only hip_bone's moved.
    const { stdout } = await run(PYTHON, ['-c', CHANGED_ROWS, checkpoint, after], { env: ENV });
    expect(stdout.trim()).toBe('False,False,True\nFalse,False,True');
  }, 320_000);

  it('a whole-model fine-tune with --batch-norm frozen keeps every batch-norm statistic', async () => {
    const tuned = path.join(out, 'bn-frozen');
    await train(tuned, ['--max-steps', '2', '--init', checkpoint, '--trainable', 'all', '--batch-norm', 'frozen']);
    const changed = await differing(checkpoint, path.join(tuned, 'checkpoint.pt'));
    expect(changed.some((n) => n.startsWith('image_encoder.'))).toBe(true); // the encoder did train
    expect(changed.filter((n) => /running_mean|running_var|num_batches_tracked/.test(n))).toEqual([]);
  }, 320_000);

  it('a memory fine-tune on sequences with artefacts and carried corrections trains all but the image encoder', async () => {
    const tuned = path.join(out, 'memory');
    await train(tuned, ['--max-steps', '3', '--init', checkpoint, '--trainable', 'memory', '--frames', '3',
      '--artefact-p', '1', '--carry-p', '0.5', '--clip-below', '100']);
    const changed = await differing(checkpoint, path.join(tuned, 'checkpoint.pt'));
    for (const stage of ['memory_attention.', 'memory_encoder.', 'prompt_predictor.', 'mask_decoder.']) {
      expect(changed.some((n) => n.startsWith(stage)), stage).toBe(true);
    }
    expect(changed.filter((n) => n.startsWith('image_encoder.'))).toEqual([]);
  }, 320_000);

  it('imports the shipped model back into a checkpoint whose export matches its graphs', async () => {
    const imported = path.join(out, 'imported.pt');
    const { stdout } = await run(PYTHON, ['-m', 'training.export.import_onnx', '--model', 'models/sam2rad-us', '--out', imported],
      { env: ENV, timeout: 300_000 });
    const within = Number(/re-exported weights within (\S+) of the shipped graphs/.exec(stdout)![1]);
    expect(within).toBeLessThanOrEqual(1e-6);
    expect(existsSync(imported)).toBe(true);
  }, 320_000);
});
