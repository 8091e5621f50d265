#!/usr/bin/env node
// The memory's report on the lumbar sweep (`sam2rad eval --clip`, the runtime path): memory on against
// its simplest alternatives on the same frames (memory off; memory off with an exponential moving
// average of the mask logits at several alphas), clean and with artefacts, and one correction click on
// the first labelled frame (semi mode) against none. Writes every report and a summary JSON.
//
//   node scripts/evaluate-clip.mjs --model models/sam2rad-us --data runs/dev/lumbar_bone --out runs/clip-dev
//
// --data decides which labelled frames are scored: a dev split, or a fold of the training split (the
// release's choices are made on the latter; dev is scored once, at the end).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { round, runEval } from './lib/eval-runs.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/sam2rad-us' },
    data: { type: 'string', default: 'runs/dev/lumbar_bone' },
    out: { type: 'string', default: 'runs/clip-eval' },
    clip: { type: 'string', default: '../shared/datasets/videos/lumbar_spine_sweep_f0001-0209.mp4' },
    perturb: { type: 'string', default: 'shadow,dropout' },
    'perturb-seed': { type: 'string', default: '0' },
    alphas: { type: 'string', default: '0.3,0.5,0.7' },
  },
});
mkdirSync(values.out, { recursive: true });
const base = ['--clip', values.clip, '--data', values.data, '--class', 'lumbar_bone', '--frame-offset', '1'];
const perturbed = ['--perturb', values.perturb, '--perturb-seed', values['perturb-seed']];
const figures = (r) => ({ dice: round(r.dice), temporal_iou: round(r.temporal_iou), dice_after_click: round(r.dice_after_click), labelled_frames: r.count });
const run = (name, args) => figures(runEval(values.model, path.join(values.out, `${name}.json`), [...base, ...args]));

const alphas = values.alphas.split(',').map(Number);
const summary = { model: values.model, data: values.data, perturb: { kinds: values.perturb, seed: Number(values['perturb-seed']) } };
for (const [name, extra] of [['clean', []], ['perturbed', perturbed]]) {
  const ema = Object.fromEntries(alphas.map((a) => [a, run(`${name}.ema${a}`, ['--no-memory', '--smooth', String(a), ...extra])]));
  const best = alphas.reduce((b, a) => (ema[a].dice > ema[b].dice ? a : b));
  summary[name] = {
    memory: run(`${name}.memory`, extra),
    no_memory: run(`${name}.nomemory`, ['--no-memory', ...extra]),
    ema,
    ema_best_alpha_by_dice: best,
  };
}
summary.correction = {
  no_click: run('semi.clicks0', []),
  one_click: run('semi.clicks1', ['--clicks', '1']),
};
writeFileSync(path.join(values.out, 'summary.json'), JSON.stringify(summary, null, 2));
console.log(JSON.stringify(summary, null, 2));
