#!/usr/bin/env node
// Scores a model directory on every class's dev split with `sam2rad eval` (the runtime path) and writes
// the figures into its manifest.json ("metrics") and a JSON summary. A class with a shape prior or its
// own mask threshold is also scored without them (auto mode), so that the network's own figure is on
// record. Baselines are passed in as JSON, or carried from an earlier manifest whose model they were
// measured beside (a release that changes only what human prompts do keeps its baselines).
//
//   node scripts/evaluate-dev.mjs --model models/sam2rad-us --dev runs/dev --out runs/eval \
//        [--unet runs/unet/dev.json] [--fewshot-model /tmp/fewshot] [--carry-baselines OLD/manifest.json]
//        [--write-manifest]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { round, runEval, withManifestVariant } from './lib/eval-runs.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/sam2rad-us' },
    dev: { type: 'string', default: 'runs/dev' },
    out: { type: 'string', default: 'runs/eval' },
    unet: { type: 'string' },
    'fewshot-model': { type: 'string' },
    'carry-baselines': { type: 'string' },
    clip: { type: 'string', default: '../shared/datasets/videos/lumbar_spine_sweep_f0001-0209.mp4' },
    'write-manifest': { type: 'boolean', default: false },
  },
});
const CLASSES = ['fetal_head', 'lumbar_bone', 'hip_bone'];
const MODES = [
  { key: 'auto', args: [] },
  { key: 'box', args: ['--mode', 'box'] },
  { key: 'auto+box', args: ['--mode', 'auto+box'] },
  { key: 'clicks1', args: ['--clicks', '1'] },
];
mkdirSync(values.out, { recursive: true });

const evaluate = (model, name, args) => runEval(model, path.join(values.out, `${name}.json`), args);

const dev = {};
let graphs; // the precision and provider the model ran with (the runtime's default unless the manifest says otherwise)
for (const cls of CLASSES) {
  const data = path.join(values.dev, cls);
  dev[cls] = { count: 0 };
  for (const mode of MODES) {
    const report = evaluate(values.model, `${cls}.${mode.key}`, ['--data', data, '--class', cls, ...mode.args]);
    dev[cls][mode.key] = { dice: round(report.dice), iou: round(report.iou) };
    dev[cls].count = report.count;
    graphs = { precision: report.model.precision, ep: report.model.ep };
  }
  if (values['fewshot-model']) {
    const report = evaluate(values['fewshot-model'], `${cls}.fewshot10`, ['--data', data, '--class', cls]);
    dev[cls].fewshot10_auto = { dice: round(report.dice), iou: round(report.iou) };
  }
}
// The network alone: the same graphs with no shape prior and the default mask threshold for every class.
const manifest = JSON.parse(readFileSync(path.join(values.model, 'manifest.json'), 'utf8'));
const postprocessed = [...new Set([...Object.keys(manifest.mask.shape_priors ?? {}), ...Object.keys(manifest.mask.class_threshold_logits ?? {})])];
withManifestVariant(values.model, (m) => ({ ...m, mask: { ...m.mask, shape_priors: {}, class_threshold_logits: {} } }), (bare) => {
  for (const cls of postprocessed) {
    const report = evaluate(bare, `${cls}.auto.network-alone`, ['--data', path.join(values.dev, cls), '--class', cls]);
    dev[cls].auto_network_alone = { dice: round(report.dice), iou: round(report.iou) };
  }
});
if (values.unet) {
  const unet = JSON.parse(readFileSync(values.unet, 'utf8'));
  for (const cls of CLASSES) dev[cls].unet = { dice: round(unet.classes[cls].dice), iou: round(unet.classes[cls].iou) };
}
if (values['carry-baselines']) {
  const earlier = JSON.parse(readFileSync(values['carry-baselines'], 'utf8'));
  for (const cls of CLASSES) {
    for (const key of ['unet', 'fewshot10_auto']) {
      const figure = earlier.metrics?.dev?.[cls]?.[key];
      if (figure && !dev[cls][key]) dev[cls][key] = { from: `${earlier.name} ${earlier.version}`, ...figure }; // keeps an older "from"
    }
  }
}
// The real lumbar sweep: every frame in order, scored on the labelled dev-range frames (>= 180).
const clip = {};
for (const memory of [true, false]) {
  const report = evaluate(values.model, `clip.lumbar.${memory ? 'memory' : 'nomemory'}`, [
    '--clip', values.clip, '--data', path.join(values.dev, 'lumbar_bone'), '--class', 'lumbar_bone', '--frame-offset', '1',
    ...(memory ? [] : ['--no-memory']),
  ]);
  clip[memory ? 'memory' : 'no_memory'] = { dice: round(report.dice), iou: round(report.iou), temporal_iou: round(report.temporal_iou), labelled_frames: report.count, frames: report.frames };
}
const metrics = { split: 'dev (see training/data/datasets.py)', evaluated: new Date().toISOString(), ...graphs, dev, lumbar_clip: clip };
writeFileSync(path.join(values.out, 'summary.json'), JSON.stringify(metrics, null, 2));
if (values['write-manifest']) {
  manifest.metrics = metrics;
  writeFileSync(path.join(values.model, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}
console.log(JSON.stringify(metrics, null, 2));
