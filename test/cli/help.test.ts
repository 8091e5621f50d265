/** `sam2rad --help` and `sam2rad <command> --help` load no inference runtime: the CLI imports a command's
 * module only when asked for it, and onnxruntime-node only when a command loads the model. Run against the
 * build in dist/ under a preload that fails the process if onnxruntime-node is loaded at all. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FORBID = path.resolve('test/cli/fixtures/forbid-onnxruntime.mjs');
const CLI = 'dist/src/app/cli/main.js';
const COMMANDS = ['serve', 'segment', 'eval', 'roi', 'bench'];

function withoutOnnxruntime(args: string[]) {
  return run(process.execPath, ['--no-warnings', '--import', FORBID, ...args]);
}

describe('sam2rad --help', () => {
  it('the preload really fails a process that imports onnxruntime-node, eagerly or by require', async () => {
    await expect(withoutOnnxruntime(['--input-type=module', '-e', "await import('./dist/src/core/runtime/execution-provider.js')"]))
      .rejects.toMatchObject({ stderr: expect.stringContaining('onnxruntime-node imported from') });
    await expect(withoutOnnxruntime(['--input-type=module', '-e', "import { createRequire } from 'node:module'; createRequire(import.meta.url)('onnxruntime-node')"]))
      .rejects.toMatchObject({ code: 97, stderr: expect.stringContaining('onnxruntime-node was loaded') });
  });

  it('lists every command without loading onnxruntime-node', async () => {
    const { stdout } = await withoutOnnxruntime([CLI, '--help']);
    expect(stdout).toMatch(/^Usage: sam2rad <command> \[options\]/);
    for (const name of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it.each(COMMANDS)('%s --help shows its options without loading onnxruntime-node', async (name) => {
    const { stdout } = await withoutOnnxruntime([CLI, name, '--help']);
    expect(stdout).toMatch(new RegExp(`^Usage: sam2rad ${name}\\b`));
    expect(stdout).toContain('--help');
  });
});
