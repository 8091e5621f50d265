#!/usr/bin/env node
// Packs the one archive that scripts/gpu-run.sh unpacks on a GPU machine without Node, npm or network
// (docs/gpu.md, "The measured GPU run"). The repository's tracked files travel anyway (models/, training/,
// the demo clip), so the archive holds only what they lack:
//
//   node.xz            this Node binary (process.execPath), debug symbols stripped
//   libs.tar.xz        cxx/: the shared libraries Node needs beyond glibc (libstdc++, libgcc_s); vulkan/: a Vulkan
//                      loader and libGLdispatch; each used only where the machine has none
//   ort.tar.xz         onnxruntime-node's bin/napi-v6/linux/x64 (libonnxruntime.so.1 with the cpu and webgpu
//                      providers, onnxruntime_binding.node)
//   app.tar.xz         the CLI bundled by esbuild (app/sam2rad.mjs), the viewer the server needs, onnxruntime-node's
//                      JS and onnxruntime-common, and a stand-in `sharp` that throws if called (bench never encodes
//                      compressed frames; sharp's libvips would cost 8 MiB)
//   archive.json       versions, member sizes, the commit it was packed from
//
// Output: dist-gpu/whole/sam2rad-gpu-run.tar, plus the same bytes cut in two (dist-gpu/part1/, dist-gpu/part2/)
// for when the tracked tree and the whole archive exceed the 64 MiB that one `run` call carries. Prints the
// transfer sizes. node.xz and ort.tar.xz (the slow xz -9e runs) are rebuilt only when their input changed.
//
//   node scripts/gpu-run/pack.mjs [--out DIR]
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleCli } from '../lib/bundle-cli.mjs';
import { buildViewer } from '../build-viewer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({ options: { out: { type: 'string', default: path.join(root, 'dist-gpu') } } });
const out = path.resolve(args.out);
const cache = path.join(out, 'cache');
const MiB = 2 ** 20;
const LIMIT = 64 * MiB;
const ORT = path.join(root, 'node_modules/onnxruntime-node');
const ORT_NATIVE = path.join(ORT, 'bin/napi-v6/linux/x64');
const NAME = 'sam2rad-gpu-run.tar';

const sh = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { maxBuffer: 1 << 30, ...opts });

/** xz -9e on one thread, in a child process, so that two packs run side by side on two cores. */
function xz(input, target) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'xz -9e -T1 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"', 'xz', input, target], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`xz ${input}: exit ${code}`))));
  });
}

/** Rebuilds `target` unless it is newer than every input and was made from the same list of inputs. */
async function once(target, inputs, make) {
  const record = `${target}.inputs`;
  const list = inputs.map((f) => `${path.resolve(f)} ${statSync(f).size}`).join('\n') + '\n';
  if (existsSync(target) && existsSync(record) && readFileSync(record, 'utf8') === list &&
    inputs.every((f) => statSync(f).mtimeMs < statSync(target).mtimeMs)) return;
  console.log(`packing ${path.relative(root, target)} ...`);
  await make();
  writeFileSync(record, list);
}

function tarTo(dir, names, tarFile) {
  sh('tar', ['--sort=name', '--owner=0', '--group=0', '-cf', tarFile, '-C', dir, ...names]);
}

async function packNode(target) {
  await once(target, [process.execPath], async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'gpu-run-node-'));
    try {
      const stripped = path.join(tmp, 'node');
      try {
        sh('strip', ['--strip-all', '-o', stripped, process.execPath]);
      } catch {
        cpSync(process.execPath, stripped);
      }
      await xz(stripped, target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

async function packOrt(target) {
  const names = readdirSync(ORT_NATIVE).sort();
  await once(target, names.map((n) => path.join(ORT_NATIVE, n)), async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'gpu-run-ort-'));
    try {
      tarTo(ORT_NATIVE, names, path.join(tmp, 'ort.tar'));
      await xz(path.join(tmp, 'ort.tar'), target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

/** Where the dynamic loader finds a library here (ldconfig's cache). */
function libraryPath(soname) {
  const line = sh('/sbin/ldconfig', ['-p']).toString().split('\n').find((l) => l.trim().startsWith(`${soname} (`) && l.includes('x86-64'));
  return line ? line.split('=>')[1].trim() : null;
}

async function packLibs(target, staging) {
  const dir = path.join(staging, 'libs');
  const found = [];
  // cxx/: what this Node needs beyond glibc; vulkan/: the Vulkan loader and libglvnd's dispatcher, which NVIDIA's
  // Vulkan driver (libGLX_nvidia.so.0) links against. gpu-run.sh uses each group only where the machine lacks it.
  for (const [group, sonames] of [['cxx', ['libstdc++.so.6', 'libgcc_s.so.1']], ['vulkan', ['libvulkan.so.1', 'libGLdispatch.so.0']]]) {
    mkdirSync(path.join(dir, group), { recursive: true });
    for (const soname of sonames) {
      const file = libraryPath(soname);
      if (file) {
        cpSync(file, path.join(dir, group, soname), { dereference: true });
        found.push(`${group}/${soname}`);
      }
    }
  }
  tarTo(dir, found, path.join(staging, 'libs.tar'));
  sh('xz', ['-9', '-T1', '-f', path.join(staging, 'libs.tar')]);
  cpSync(path.join(staging, 'libs.tar.xz'), target);
  return found;
}

async function packApp(target, staging) {
  const app = path.join(staging, 'app');
  await bundleCli(app, { minify: true, external: ['sharp'] });
  await buildViewer(path.join(app, 'viewer'));
  const jsOnly = (src) => !/\.(map|ts)$/.test(src);
  const modules = path.join(app, 'node_modules');
  cpSync(path.join(ORT, 'package.json'), path.join(modules, 'onnxruntime-node/package.json'));
  cpSync(path.join(ORT, 'dist'), path.join(modules, 'onnxruntime-node/dist'), { recursive: true, filter: jsOnly });
  const common = path.join(root, 'node_modules/onnxruntime-common');
  cpSync(path.join(common, 'package.json'), path.join(modules, 'onnxruntime-common/package.json'));
  cpSync(path.join(common, 'dist/cjs'), path.join(modules, 'onnxruntime-common/dist/cjs'), { recursive: true, filter: jsOnly });
  mkdirSync(path.join(modules, 'sharp'), { recursive: true });
  writeFileSync(path.join(modules, 'sharp/package.json'), JSON.stringify({ name: 'sharp', version: '0.0.0-gpu-run-stub', main: 'index.cjs' }));
  writeFileSync(path.join(modules, 'sharp/index.cjs'),
    // The server calls sharp.cache(false) and sharp.concurrency(n) when it loads; those do nothing here.
    "const sharp = () => { throw new Error('sharp is not in the GPU run archive (compressed frames are not benchmarked)'); };\n" +
      'module.exports = Object.assign(sharp, { cache() {}, concurrency() { return 0; }, simd() { return false; }, counters() { return {}; } });\n');
  tarTo(staging, ['app'], path.join(staging, 'app.tar'));
  sh('xz', ['-9', '-T1', '-f', path.join(staging, 'app.tar')]);
  cpSync(path.join(staging, 'app.tar.xz'), target);
}

function gitBytes(listArgs) {
  const names = sh('git', ['ls-files', '-z', ...listArgs], { cwd: root }).toString().split('\0').filter(Boolean);
  return names.reduce((sum, n) => {
    const f = path.join(root, n);
    return sum + (existsSync(f) && statSync(f).isFile() ? statSync(f).size : 0);
  }, 0);
}

const mib = (b) => (b / MiB).toFixed(2);

mkdirSync(cache, { recursive: true });
const staging = mkdtempSync(path.join(os.tmpdir(), 'gpu-run-pack-'));
try {
  await Promise.all([packNode(path.join(cache, 'node.xz')), packOrt(path.join(cache, 'ort.tar.xz'))]);
  const libs = await packLibs(path.join(cache, 'libs.tar.xz'), staging);
  await packApp(path.join(cache, 'app.tar.xz'), staging);
  const members = ['node.xz', 'libs.tar.xz', 'ort.tar.xz', 'app.tar.xz'];
  const sizes = Object.fromEntries(members.map((m) => [m, statSync(path.join(cache, m)).size]));
  let commit = null;
  try {
    commit = sh('git', ['rev-parse', 'HEAD'], { cwd: root }).toString().trim();
  } catch {}
  const ortVersion = JSON.parse(readFileSync(path.join(ORT, 'package.json'), 'utf8')).version;
  writeFileSync(path.join(cache, 'archive.json'), JSON.stringify({
    format: 'sam2rad-gpu-run/1', packed: new Date().toISOString(), commit, node: process.version,
    onnxruntime_node: ortVersion, libs, member_bytes: sizes,
  }, null, 2) + '\n');
  for (const dir of ['whole', 'part1', 'part2']) rmSync(path.join(out, dir), { recursive: true, force: true });
  mkdirSync(path.join(out, 'whole'), { recursive: true });
  const whole = path.join(out, 'whole', NAME);
  tarTo(cache, ['archive.json', ...members], whole);
  const bytes = readFileSync(whole);
  const half = Math.ceil(bytes.length / 2);
  for (const [i, part] of [bytes.subarray(0, half), bytes.subarray(half)].entries()) {
    mkdirSync(path.join(out, `part${i + 1}`), { recursive: true });
    writeFileSync(path.join(out, `part${i + 1}`, `${NAME}.${i + 1}`), part);
  }
  const sha = sh('sha256sum', [whole]).toString().split(' ')[0];
  writeFileSync(path.join(out, 'part2', `${NAME}.sha256`), `${sha}\n`);

  const tracked = gitBytes([]);
  const untracked = gitBytes(['--others', '--exclude-standard']);
  const tree = tracked + untracked;
  for (const m of members) console.log(`  ${mib(sizes[m]).padStart(6)} MiB  ${m}`);
  const report = {
    archive_bytes: bytes.length,
    tracked_bytes: tracked,
    untracked_not_ignored_bytes: untracked,
    transfer_whole_bytes: tree + bytes.length,
    transfer_per_part_bytes: tree + half + 100,
    limit_bytes: LIMIT,
    fits_whole: tree + bytes.length <= LIMIT,
    fits_parts: tree + half + 100 <= LIMIT,
  };
  writeFileSync(path.join(out, 'transfer.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`archive ${mib(bytes.length)} MiB (${path.relative(root, whole)}); tracked files ${mib(tracked)} MiB, untracked not ignored ${mib(untracked)} MiB`);
  console.log(`transfer with the whole archive: ${mib(report.transfer_whole_bytes)} MiB (limit 64 MiB): ${report.fits_whole ? 'fits' : 'DOES NOT FIT'}`);
  console.log(`transfer with one half (dist-gpu/part1 or part2): ${mib(report.transfer_per_part_bytes)} MiB: ${report.fits_parts ? 'fits' : 'DOES NOT FIT'}`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
