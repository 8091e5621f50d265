#!/usr/bin/env node
// Micro-benchmark of painting a mask at source resolution (issue 18): the per-pixel code as it was
// (test/helpers/paint-reference.ts) against the row-span code (plugins/model/mask-upsample.ts,
// shape-prior.ts), for a plain mask (paintMask) and the ellipse prior (paintEllipseMask), on a fetal
// head-like logit blob (64 x 64, ragged edge, threshold 0, model input 256) at 1920x1080 and 640x432.
// Both are bundled from source by esbuild (the reference is not in dist) and timed in alternating
// rounds in one process, so a busy machine slows both alike; the figures are medians over rounds.
//
//   node scripts/bench-paint.mjs [--rounds 9] [--ms 150]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 9);
const MS_PER_BATCH = arg('ms', 150);

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-paint-'));
const outfile = path.join(dir, 'paint.mjs');
await build({
  stdin: {
    contents: [
      "export { letterboxGeometry } from './plugins/model/letterbox.ts';",
      "export { paintMask } from './plugins/model/mask-upsample.ts';",
      "export { paintEllipseMask } from './plugins/model/shape-prior.ts';",
      "export { paintMaskPerPixel, paintEllipseMaskPerPixel } from './test/helpers/paint-reference.ts';",
    ].join('\n'),
    loader: 'ts',
    resolveDir: root,
  },
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
const lib = await import(pathToFileURL(outfile).href);
rmSync(dir, { recursive: true, force: true });

/** A skull-like blob: an ellipse of logits (positive inside) with a ragged edge, over the content area. */
function headLogits(m, box) {
  const logits = new Float32Array(m * m);
  const rows = (box.contentHeight / box.size) * m;
  const cols = (box.contentWidth / box.size) * m;
  const [cx, cy, a, b, t] = [cols * 0.52, rows * 0.48, cols * 0.3, rows * 0.36, 0.35];
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      const u = ((x - cx) * Math.cos(t) + (y - cy) * Math.sin(t)) / a;
      const v = ((y - cy) * Math.cos(t) - (x - cx) * Math.sin(t)) / b;
      logits[y * m + x] = 6 * (1 - Math.hypot(u, v)) + Math.sin(x * 1.7 + y * 2.3) * 0.8;
    }
  }
  return logits;
}

/** ms per call of `fn`, over a batch of about MS_PER_BATCH. */
function batch(fn) {
  const start = performance.now();
  let calls = 0;
  do {
    fn();
    calls++;
  } while (performance.now() - start < MS_PER_BATCH);
  return (performance.now() - start) / calls;
}

const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const m = 64;
const rows = [];
for (const [w, h] of [
  [1920, 1080],
  [640, 432],
]) {
  const box = lib.letterboxGeometry(w, h, 256);
  const logits = headLogits(m, box);
  const out = new Uint8Array(w * h);
  const scratch = new Uint8Array(w * h); // the old prior's module-level region buffer
  const cases = {
    paintMask: [() => lib.paintMaskPerPixel(logits, m, box, 1, out, 0), () => lib.paintMask(logits, m, box, 1, out, 0)],
    paintEllipseMask: [
      () => lib.paintEllipseMaskPerPixel(logits, m, box, 1, out, 0, scratch),
      () => lib.paintEllipseMask(logits, m, box, 1, out, 0),
    ],
  };
  for (const [name, [old, now]] of Object.entries(cases)) {
    const [a, b] = [old(), now()];
    if (a.area !== b.area) throw new Error(`${name} ${w}x${h}: areas differ (${a.area} vs ${b.area})`);
    const times = [[], []];
    for (let r = 0; r < ROUNDS; r++) {
      times[0].push(batch(old));
      times[1].push(batch(now));
    }
    const [tOld, tNew] = times.map(median);
    rows.push({ case: name, frame: `${w}x${h}`, area: a.area, 'old ms': +tOld.toFixed(3), 'new ms': +tNew.toFixed(3), speedup: +(tOld / tNew).toFixed(1) });
  }
}
console.table(rows);
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${ROUNDS} alternating rounds of ~${MS_PER_BATCH} ms each`);
