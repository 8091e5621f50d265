#!/usr/bin/env node
// Builds dist-bundle/: everything needed to benchmark Sam2Rad Live on a Linux x64 GPU machine that has
// no Node, no npm, no ffmpeg and no network (docs/gpu.md). Run it here, after `npm install` (which builds dist/):
//
//   node scripts/build-gpu-bundle.mjs [--model DIR] [--model-precision fp16|fp32] [--frames N] [--out DIR]
//
// Contents: this Node binary (stripped, xz), onnxruntime-node's Linux x64 native libraries (xz) with its
// JS, the CLI bundled by esbuild into app/sam2rad.mjs, the default model's graphs of one precision (xz),
// the first N frames of the demo clip pre-decoded to raw grey (xz, so the machine needs no ffmpeg), the
// PyTorch model code for the full-size export, and run.sh. Needs ffmpeg (found as the runtime finds it),
// tar and xz here. A compressed file is rebuilt only when its list of inputs changed or one of them is newer
// (see buildOnce).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleCli } from './lib/bundle-cli.mjs';
import { buildViewer } from './build-viewer.mjs';
import { probeVideo } from '../dist/plugins/sources/probe.js';
import { ffmpegPath } from '../dist/src/core/frames/ffmpeg.js';
import { loadManifest } from '../dist/src/core/runtime/manifest.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: path.join(root, 'models/sam2rad-us') },
    // What travels to the GPU machine may be capped (64 MiB): fp16 halves the model.
    'model-precision': { type: 'string', default: 'fp16' },
    frames: { type: 'string', default: '45' },
    out: { type: 'string', default: path.join(root, 'dist-bundle') },
  },
});
const out = path.resolve(args.out);
const MiB = 2 ** 20;
const ORT = path.join(root, 'node_modules/onnxruntime-node');
const ORT_NATIVE = path.join(ORT, 'bin/napi-v6/linux/x64');

function run(command, argv, options = {}) {
  const result = spawnSync(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30, ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited with ${result.status}`);
  return result.stdout;
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Runs `build` unless `target` was built from exactly these inputs (their paths are recorded beside it, in
 * `<target>.inputs`) and is newer than each of them: the slow xz runs happen only when something changed. */
function buildOnce(target, inputs, build) {
  const record = `${target}.inputs`;
  const list = inputs.map((f) => path.resolve(f)).join('\n') + '\n';
  const current = existsSync(target) && existsSync(record) && readFileSync(record, 'utf8') === list &&
    inputs.every((f) => statSync(f).mtimeMs < statSync(target).mtimeMs);
  if (current) return;
  build();
  writeFileSync(record, list);
}

/** xz -6 on one core: the machine building the bundle is busy with other work. */
function xzFile(source, target) {
  console.log(`xz ${source} ...`);
  writeFileSync(target, run('xz', ['-6', '-T1', '-c', source]));
}

/** The Node binary without its debug symbols (2 MiB less once compressed); addons still link against its
 * dynamic symbol table, which strip keeps. Packed unstripped where binutils' strip is missing. */
function packNode(target) {
  buildOnce(target, [process.execPath], () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'sam2rad-node-'));
    const stripped = path.join(tmp, 'node');
    try {
      const strip = spawnSync('strip', ['--strip-all', '-o', stripped, process.execPath], { stdio: 'inherit' });
      xzFile(strip.status === 0 ? stripped : process.execPath, target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

function xzTar(dir, names, target) {
  buildOnce(target, names.map((n) => path.join(dir, n)), () => {
    console.log(`tar | xz ${path.relative(root, dir) || dir} ...`);
    const tar = run('tar', ['-cf', '-', '-C', dir, ...names]);
    writeFileSync(target, run('xz', ['-6', '-T1', '-c'], { input: tar, stdio: ['pipe', 'pipe', 'inherit'] }));
  });
}

/** manifest.json and the graphs of one precision, each checked against its sha256 by the runtime's loader. */
async function modelFiles(dir, precision) {
  const { graphs } = await loadManifest(dir, precision);
  return ['manifest.json', ...Object.values(graphs).map((g) => g.file)];
}

async function bundleApp(appDir) {
  await bundleCli(appDir);
  // The live server looks for the viewer beside its module.
  await buildViewer(path.join(appDir, 'viewer'));
  // onnxruntime-node's JS and onnxruntime-common (CommonJS build): small, uncompressed.
  const jsOnly = (src) => !/\.(map|ts)$/.test(src);
  const modules = path.join(appDir, 'node_modules');
  cpSync(path.join(ORT, 'package.json'), path.join(modules, 'onnxruntime-node/package.json'));
  cpSync(path.join(ORT, 'dist'), path.join(modules, 'onnxruntime-node/dist'), { recursive: true, filter: jsOnly });
  const common = path.join(root, 'node_modules/onnxruntime-common');
  cpSync(path.join(common, 'package.json'), path.join(modules, 'onnxruntime-common/package.json'));
  cpSync(path.join(common, 'dist/cjs'), path.join(modules, 'onnxruntime-common/dist/cjs'), { recursive: true, filter: jsOnly });
}

async function decodeFrames(count) {
  const clip = path.join(root, 'assets/demo/demo.mp4');
  const raw = path.join(out, 'frames.gray');
  const probe = await probeVideo(clip);
  const frames = Math.min(count, probe.frameCount ?? count);
  const descriptor = { file: 'frames.gray', width: probe.width, height: probe.height, fps: probe.fps, frames };
  const json = path.join(out, 'frames.json');
  const text = JSON.stringify(descriptor, null, 2) + '\n';
  // Rewritten only when it changes, so that its age says whether the raw frames are current.
  if (!existsSync(json) || readFileSync(json, 'utf8') !== text) writeFileSync(json, text);
  const ffmpeg = await ffmpegPath();
  buildOnce(`${raw}.xz`, [clip, json], () => {
    run(ffmpeg, ['-v', 'error', '-y', '-i', clip, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'gray', raw]);
    xzFile(raw, `${raw}.xz`);
    rmSync(raw);
  });
}

/** The part of the `training` package that run.sh's `python3 -m training.export.export_onnx` and
 * `-m training.export.convert_fp16` import: the model, the export modules and the checkpoint loader. */
function copyTraining() {
  const target = path.join(out, 'training');
  const python = (src) => statSync(src).isDirectory() ? !src.endsWith('__pycache__') : src.endsWith('.py');
  cpSync(path.join(root, 'training/model'), path.join(target, 'model'), { recursive: true, filter: python });
  for (const module of ['__init__.py', 'export/__init__.py', 'export/export_onnx.py', 'export/file_hash.py',
    'export/convert_fp16.py', 'export/graph_variants.py', 'train/__init__.py', 'train/checkpoint.py']) {
    cpSync(path.join(root, 'training', module), path.join(target, module));
  }
}

function gitFilesBytes(listArgs) {
  const names = run('git', ['ls-files', '-z', ...listArgs], { cwd: root }).toString().split('\0').filter(Boolean);
  return names.reduce((sum, name) => sum + (existsSync(path.join(root, name)) ? statSync(path.join(root, name)).size : 0), 0);
}

function printSizes() {
  const rows = readdirSync(out).map((name) => {
    const full = path.join(out, name);
    const bytes = statSync(full).isDirectory() ? filesUnder(full).reduce((s, f) => s + statSync(f).size, 0) : statSync(full).size;
    return [name, bytes];
  });
  for (const [name, bytes] of rows.sort((a, b) => b[1] - a[1])) console.log(`  ${(bytes / MiB).toFixed(2).padStart(7)} MiB  ${name}`);
  const bundle = rows.reduce((s, [, b]) => s + b, 0);
  const tracked = gitFilesBytes([]);
  const untracked = gitFilesBytes(['--others', '--exclude-standard']);
  const total = bundle + tracked + untracked;
  console.log(`bundle ${(bundle / MiB).toFixed(2)} MiB + tracked files ${(tracked / MiB).toFixed(2)} MiB + untracked, not ignored ${(untracked / MiB).toFixed(2)} MiB = ${(total / MiB).toFixed(2)} MiB (limit 64 MiB)`);
  if (total > 64 * MiB) console.log('WARNING: over 64 MiB: what travels with the bundle must shrink (see docs/gpu.md)');
}

const precision = args['model-precision'];
if (!['fp16', 'fp32'].includes(precision)) throw new Error(`--model-precision: fp16 or fp32, not ${precision}`);
const frameCount = Number(args.frames);
if (!Number.isInteger(frameCount) || frameCount < 1) throw new Error(`--frames: a positive integer, not ${args.frames}`);
const model = path.resolve(args.model);
const modelNames = await modelFiles(model, precision);

mkdirSync(out, { recursive: true });
for (const dir of ['app', 'training']) rmSync(path.join(out, dir), { recursive: true, force: true });
await bundleApp(path.join(out, 'app'));
copyTraining();
packNode(path.join(out, 'node.xz'));
xzTar(ORT_NATIVE, readdirSync(ORT_NATIVE), path.join(out, 'ort-linux-x64.tar.xz'));
xzTar(model, modelNames, path.join(out, 'model-sam2rad-us.tar.xz'));
writeFileSync(path.join(out, 'model-precision'), `${precision}\n`);
await decodeFrames(frameCount);
mkdirSync(path.join(out, 'ort-extra'), { recursive: true });
writeFileSync(
  path.join(out, 'ort-extra/README.txt'),
  'Put libonnxruntime_providers_shared.so and libonnxruntime_providers_cuda.so of onnxruntime 1.30.0 for CUDA 12\n' +
    '(lib/ of onnxruntime-linux-x64-gpu-1.30.0.tgz from https://github.com/microsoft/onnxruntime/releases) here;\n' +
    'run.sh copies them beside libonnxruntime.so.1 so that --ep cuda can start. See docs/gpu.md.\n',
);
for (const file of ['run.sh', 'summarize.mjs']) cpSync(path.join(root, 'scripts/gpu-bundle', file), path.join(out, file));
chmodSync(path.join(out, 'run.sh'), 0o755);
cpSync(path.join(root, 'docs/gpu.md'), path.join(out, 'README.md'));
console.log(`built ${path.relative(root, out) || out} (Node ${process.version}, model ${path.relative(root, model) || model} ${precision}, ${frameCount} frames):`);
printSizes();
