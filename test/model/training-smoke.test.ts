/** A few real training steps of the PyTorch model (Debian's python3-torch): the loss goes down. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

describe('training smoke run', () => {
  it('runs 10 steps and the loss falls', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-train-'));
    try {
      await run(PYTHON, ['training/train.py', '--out', out, '--max-steps', '10', '--batch', '2', '--frames', '2',
        '--log-every', '1', '--minutes', '10', '--threads', '2', '--seed', '1', '--images-per-class', '4', '--skip-dev'],
      { env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1' }, timeout: 300_000 });
      const losses = (await readFile(path.join(out, 'train.log'), 'utf8'))
        .trim().split('\n').map((line) => Number(/loss=([\d.]+)/.exec(line)![1]));
      expect(losses).toHaveLength(10);
      const first = (losses[0]! + losses[1]! + losses[2]!) / 3;
      const last = (losses[7]! + losses[8]! + losses[9]!) / 3;
      expect(last).toBeLessThan(first);
      expect(existsSync(path.join(out, 'checkpoint.pt'))).toBe(true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 320_000);
});
