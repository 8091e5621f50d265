/** `sam2rad bench` end to end on the demo clip, short: every phase runs and the JSON holds its figures
 * (the speeds themselves are measured by running the command on a quiet machine, never asserted here). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-bench-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('sam2rad bench', () => {
  it('measures the model and the pipeline (a WebSocket client on its own thread) in alternating rounds, and a paced source', async () => {
    const json = path.join(root, 'bench.json');
    await run(process.execPath, ['dist/src/app/cli/main.js', 'bench', '--json', json, '--iterations', '5', '--pipeline-frames', '20', '--rounds', '3', '--seconds', '5'], {
      timeout: 120_000,
    });
    const result = JSON.parse(await readFile(json, 'utf8'));
    expect(result.model_fps).toBeGreaterThan(0);
    expect(result.throughput_detail.frames).toBe(20);
    expect(result.pipeline_fps).toBeGreaterThan(0);
    // The figures are those of the round with the median ratio, and every round is on record.
    expect(result.rounds).toHaveLength(3);
    const ratios = result.rounds.map((r: { ratio: number }) => r.ratio).sort((a: number, b: number) => a - b);
    expect(result.pipeline_to_model_ratio).toBe(ratios[1]);
    expect(result.pipeline_to_model_ratio).toBeCloseTo(result.pipeline_fps / result.model_fps, 2);
    // The client on its worker thread received the paced frames and read their decode -> WebSocket latency.
    expect(result.realtime_detail.frames_sent).toBeGreaterThan(20);
    expect(result.latency_ms.p50).toBeGreaterThan(0);
    expect(result.latency_ms.p99).toBeGreaterThanOrEqual(result.latency_ms.p50);
  }, 150_000);
});
