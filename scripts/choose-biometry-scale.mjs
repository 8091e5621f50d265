#!/usr/bin/env node
// Chooses the fetal-head ellipse's semi-axis scale for HC/BPD/OFD on the TRAINING split, never on dev.
// HC18's masks are filled to the outer edge of the sonographer's drawn outline while its HC is measured on
// the outline's centre line, so a model trained on them measures long. Scaling both semi-axes by s scales
// the perimeter by exactly s, so one `sam2rad eval` at scale 1 gives every candidate's HC.
//
// The scale is judged by cross-validation over subjects (HC18 stems NNN_HC / NNN_2HC: NNN is the subject,
// --group REGEX): for each of --folds folds the scale with the least mean |HC - reference| on the other
// folds is scored on this one. The scale written is the one best on the whole training split, and only when
// its cross-validated MAD beats scale 1's (else scale 1 stays: no entry).
//
//   /usr/bin/python3 -m training.train.make_dev_splits --split train --out runs/train
//   node scripts/choose-biometry-scale.mjs --model models/sam2rad-us --train runs/train --out runs/biometry-scale \
//        [--class fetal_head] [--folds 5] [--report FILE (a train-split eval report to reuse)] [--write-manifest]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { round, runEval, withManifestVariant } from './lib/eval-runs.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/sam2rad-us' },
    train: { type: 'string', default: 'runs/train' },
    out: { type: 'string', default: 'runs/biometry-scale' },
    class: { type: 'string', default: 'fetal_head' },
    folds: { type: 'string', default: '5' },
    group: { type: 'string', default: '^(\\d+)_' },
    report: { type: 'string' },
    'write-manifest': { type: 'boolean', default: false },
  },
});
const folds = Number(values.folds);
if (!Number.isInteger(folds) || folds < 2) throw new Error(`--folds must be an integer >= 2 (got ${values.folds})`);
const group = new RegExp(values.group);
const GRID = Array.from({ length: 201 }, (_, i) => round(0.95 + i * 0.0005));

const manifestFile = path.join(values.model, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
mkdirSync(values.out, { recursive: true });
const report = values.report
  ? JSON.parse(readFileSync(values.report, 'utf8'))
  : withManifestVariant(values.model, (m) => ({ ...m, mask: { ...m.mask, biometry_axis_scales: {} } }), (dir) =>
      runEval(dir, path.join(values.out, `${values.class}.train.json`), ['--data', path.join(values.train, values.class), '--class', values.class]));
if (report.hc_mad_mm === undefined) throw new Error(`the ${values.class} report has no HC scoring (no provenance.csv beside its images?)`);
const used = report.hc_axis_scale ?? 1;

// Per image: the HC at scale 1 (null: no head found, scored as HC 0 whatever the scale) and its reference.
const images = report.images.map((image) => {
  const subject = group.exec(image.name)?.[1];
  if (subject === undefined) throw new Error(`image ${image.name} does not match --group ${values.group}`);
  return { subject, hc: image.hc_mm === null ? null : image.hc_mm / used, truth: image.hc_truth_mm };
});
const mad = (set, s) => set.reduce((sum, i) => sum + Math.abs((i.hc === null ? 0 : s * i.hc) - i.truth), 0) / set.length;
/** The grid's scale with the least MAD on `set`; of equal ones the closest to 1, so it changes only on evidence. */
const best = (set) => {
  const byCloseness = [...GRID].sort((a, b) => Math.abs(a - 1) - Math.abs(b - 1));
  const scores = byCloseness.map((s) => mad(set, s));
  return byCloseness[scores.indexOf(Math.min(...scores))];
};

const subjects = [...new Set(images.map((i) => i.subject))].sort();
const foldOf = new Map(subjects.map((s, k) => [s, k % folds]));
const cvErrors = { scaled: [], unscaled: [] };
const perFold = [];
for (let k = 0; k < folds; k++) {
  const held = images.filter((i) => foldOf.get(i.subject) === k);
  const rest = images.filter((i) => foldOf.get(i.subject) !== k);
  const s = best(rest);
  perFold.push({ fold: k, images: held.length, scale: s, mad_scaled: round(mad(held, s)), mad_unscaled: round(mad(held, 1)) });
  for (const i of held) {
    cvErrors.scaled.push(Math.abs((i.hc === null ? 0 : s * i.hc) - i.truth));
    cvErrors.unscaled.push(Math.abs((i.hc ?? 0) - i.truth));
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cv = { mad_scaled: round(mean(cvErrors.scaled)), mad_unscaled: round(mean(cvErrors.unscaled)) };
const chosen = cv.mad_scaled < cv.mad_unscaled ? best(images) : 1;
const summary = {
  split: 'train',
  class: values.class,
  images: images.length,
  subjects: subjects.length,
  folds,
  grid: [GRID[0], GRID.at(-1), 0.0005],
  per_fold: perFold,
  cv_hc_mad_mm: cv,
  train_hc_mad_mm: { scaled: round(mad(images, chosen)), unscaled: round(mad(images, 1)) },
  biometry_axis_scale: chosen,
};
writeFileSync(path.join(values.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));

if (values['write-manifest']) {
  const scales = { ...manifest.mask.biometry_axis_scales };
  if (chosen === 1) delete scales[values.class];
  else scales[values.class] = chosen;
  manifest.mask = { ...manifest.mask, biometry_axis_scales: scales };
  manifest.training = { ...manifest.training, biometry_axis_scales: { method: 'scripts/choose-biometry-scale.mjs', ...summary, per_fold: undefined } };
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${manifestFile}: mask.biometry_axis_scales.${values.class} = ${chosen}`);
}
