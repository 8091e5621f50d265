// Shared by the release scripts: running `sam2rad eval` (the runtime path) and scoring a model
// directory's graphs under an edited manifest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs `sam2rad eval --model MODEL --json JSON ...args` and returns its report. */
export function runEval(model, json, args) {
  execFileSync('node', ['dist/src/app/cli/main.js', 'eval', '--model', model, '--json', json, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  return JSON.parse(readFileSync(json, 'utf8'));
}

/** Calls fn(dir) with a temporary model directory: MODEL's graphs (linked) under the manifest that
 * edit(manifest) returns. */
export function withManifestVariant(model, edit, fn) {
  const manifest = JSON.parse(readFileSync(path.join(model, 'manifest.json'), 'utf8'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam2rad-variant-'));
  try {
    for (const file of readdirSync(model)) if (file.endsWith('.onnx')) symlinkSync(path.resolve(model, file), path.join(dir, file));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(edit(manifest)));
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const round = (x) => Math.round(x * 10000) / 10000;
