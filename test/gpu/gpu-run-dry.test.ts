/** scripts/gpu-run.sh --dry-run: the GPU run's script end to end on this CPU machine. It packs the archive
 * (cached after the first time; the first pack runs xz -9e on Node and onnxruntime for a few minutes), unpacks it,
 * probes (no GPU here), tries webgpu and cuda with --require-ep (they must not start, and the JSON must say why),
 * benches the cpu provider with the carried Node, exports the small preset, times the PyTorch graphs on the CPU,
 * and checks its own JSON. Here the test reads those files again. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const out = mkdtempSync(path.join(os.tmpdir(), 'gpu-run-dry-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const json = (name: string) => JSON.parse(readFileSync(path.join(out, name), 'utf8'));

describe('scripts/gpu-run.sh --dry-run', () => {
  it('runs the whole GPU run on the CPU and leaves probe.json and summary.json in shape', async () => {
    const { stdout } = await run('bash', ['scripts/gpu-run.sh', '--dry-run', '--out', out], {
      maxBuffer: 64 << 20,
      env: { ...process.env, OUT: '' },
    });
    expect(stdout).toMatch(/check: probe\.json and summary\.json complete/);
    expect(stdout).toMatch(/transfer: tracked [\d.]+ MiB/);
    // Everything comes back from the device machine: at most 8 files, one folder level.
    const files = readdirSync(out);
    expect(files.length).toBeLessThanOrEqual(8);
    expect(files).toEqual(expect.arrayContaining(['probe.json', 'summary.json', 'torch-reference.json', 'run.log', 'transfer.json']));

    const probe = json('probe.json');
    expect(probe.mode).toBe('dry-run');
    expect(probe.gpu.gpus).toEqual([]);
    expect(probe.providers.cpu.expected_to_start).toBe(true);
    for (const ep of ['webgpu', 'cuda']) {
      expect(probe.providers[ep].expected_to_start).toBe(false);
      expect(probe.providers[ep].reasons.join(' ')).toMatch(/no NVIDIA GPU/);
    }
    expect(probe.providers.cuda.reasons.join(' ')).toMatch(/CUDA provider files missing/);

    const summary = json('summary.json');
    expect(summary.format).toBe('sam2rad-gpu-run-summary/1');
    expect(summary.archive.node).toMatch(/^v\d+/);
    const cpu = summary.table.find((row: { run: string }) => row.run === 'cpu__sam2rad-us__int8');
    expect(cpu).toBeDefined();
    expect(cpu.ep).toBe('cpu');
    expect(cpu.model_fps).toBeGreaterThan(0);
    expect(Object.keys(cpu.stage_p50_ms)).toEqual(
      expect.arrayContaining(['image_encoder', 'memory_attention', 'prompt_predictor', 'mask_decoder', 'memory_encoder']),
    );
    expect(summary.runs['cpu__sam2rad-us__int8'].provider.used).toBe('cpu');
    // The GPU providers were tried with --require-ep and did not start; the summary says why.
    for (const ep of ['webgpu', 'cuda']) {
      expect(summary.providers[ep].started).toBe(false);
      const attempt = summary.providers[ep].attempts[0];
      expect(attempt.outcome).toBe('unavailable');
      expect(attempt.reason.length).toBeGreaterThan(5);
    }
    expect(summary.torch_reference.configs.default.modes.fp32.graphs_ms).toHaveProperty('image_encoder');

    const transfer = json('transfer.json');
    expect(transfer.archive_bytes).toBeGreaterThan(10 << 20);
    // Each half of the archive travels beside the tracked tree within the 64 MiB a call carries.
    expect(transfer.fits_parts).toBe(true);
  }, 900_000);
});
