#!/usr/bin/env node
// Chooses each class's mask threshold on its TRAINING split, never on dev: scores auto mode (the runtime
// path, shape priors included, with the graphs the CPU runs by default) at a grid of logits and keeps the best. A class whose best is the
// manifest's default `mask.threshold_logit` gets no entry; the others go into
// `mask.class_threshold_logits`. The per-threshold Dice is recorded under `training.mask_thresholds`.
//
//   /usr/bin/python3 -m training.train.make_dev_splits --split train --out runs/train
//   node scripts/choose-thresholds.mjs --model models/sam2rad-us --train runs/train --out runs/thresholds \
//        [--grid=-1,-0.75,-0.5,-0.25,0,0.25,0.5] [--write-manifest]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { round, runEval, withManifestVariant } from './lib/eval-runs.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/sam2rad-us' },
    train: { type: 'string', default: 'runs/train' },
    out: { type: 'string', default: 'runs/thresholds' },
    grid: { type: 'string', default: '-1,-0.75,-0.5,-0.25,0,0.25,0.5' },
    'write-manifest': { type: 'boolean', default: false },
  },
});
const grid = values.grid.split(',').map(Number);
if (grid.some((t) => !Number.isFinite(t))) throw new Error(`--grid must be comma-separated numbers (got ${values.grid})`);

const manifestFile = path.join(values.model, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const fallback = manifest.mask.threshold_logit;
if (!grid.includes(fallback)) grid.push(fallback);
mkdirSync(values.out, { recursive: true });

const dice = {};
const chosen = {};
let precision;
for (const cls of manifest.classes) {
  const data = path.join(values.train, cls);
  dice[cls] = {};
  for (const threshold of grid) {
    const report = withManifestVariant(values.model, (m) => ({ ...m, mask: { ...m.mask, threshold_logit: threshold, class_threshold_logits: {} } }), (dir) =>
      runEval(dir, path.join(values.out, `${cls}.${threshold}.json`), ['--data', data, '--class', cls]));
    dice[cls][threshold] = round(report.dice);
    precision = report.model.precision;
  }
  // The default wins ties, so a class changes only on evidence.
  const best = grid.reduce((a, b) => (dice[cls][b] > dice[cls][a] ? b : a), fallback);
  if (best !== fallback) chosen[cls] = best;
}
const summary = { split: 'train', precision, grid, default: fallback, dice, class_threshold_logits: chosen };
writeFileSync(path.join(values.out, 'summary.json'), JSON.stringify(summary, null, 2));
if (values['write-manifest']) {
  manifest.mask.class_threshold_logits = chosen;
  manifest.training.mask_thresholds = summary;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
}
console.log(JSON.stringify(summary, null, 2));
