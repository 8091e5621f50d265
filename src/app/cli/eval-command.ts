/** `sam2rad eval`: Dice/IoU of the model on labelled images or a labelled clip, written as JSON. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluateClip, evaluateImages, EVAL_MODES, type ClipReport, type EvalReport } from '../eval/evaluate.js';
import { loadModel } from './load-model.js';
import { choiceOption, intOption, UsageError, type Command } from './command.js';
import { MODEL_OPTIONS } from './defaults.js';
import { ProgressBar } from './progress.js';
import { roiOption, ROI_OPTION } from './roi-option.js';
import { fileSource } from '../../../plugins/sources/index.js';
import { parsePerturbations, PERTURBATION_KINDS } from '../eval/perturbations.js';

/** A parse error as a usage error (its message already names the option). */
function parseOr<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const evalCommand: Command = {
  name: 'eval',
  usage:
    'eval --data DIR --class NAME --json FILE [--mode auto|box|auto+box] [--clicks N] ' +
    '[--clip VIDEO --frame-offset N [--no-memory] [--smooth ALPHA] [--perturb KINDS --perturb-seed N]]',
  summary:
    'Scores the model against ground-truth masks. DIR holds images/ and masks/ with matching stems. ' +
    'A provenance.csv beside images/ (or beside the folder the images link to) with pixel_size_mm and ' +
    'head_circumference_mm columns adds head-circumference scoring of ellipse classes (hc_mad_mm, mm). ' +
    'Modes: auto = no human prompt; box = the ground-truth box only (SAM baseline); auto+box = learned + box. ' +
    '--clicks N adds N simulated correction clicks (interior of the largest error region). ' +
    'With --clip, every clip frame is segmented in order with memory and frames with a mask _fNNNN are scored ' +
    '(clip frame NNNN - offset); the JSON adds temporal_iou and dice_after_click (the labelled frames after the first, ' +
    'which gets the --clicks corrections in semi mode). --perturb draws artefacts on the frames the model sees ' +
    '(the truth stays clean); --smooth averages the mask logits over frames (the baseline for the memory).',
  options: {
    data: { type: 'string', arg: 'DIR', help: 'folder with images/ and masks/' },
    class: { type: 'string', arg: 'NAME', help: 'class to segment (one of the manifest classes)' },
    json: { type: 'string', arg: 'FILE', help: 'write the report here' },
    mode: { type: 'string', default: 'auto', arg: 'MODE', help: 'auto | box | auto+box' },
    clicks: { type: 'string', default: '0', arg: 'N', help: 'simulated correction clicks per image' },
    clip: { type: 'string', arg: 'VIDEO', help: 'evaluate over this clip instead of still images' },
    'frame-offset': { type: 'string', default: '0', arg: 'N', help: 'mask _fNNNN = clip frame NNNN - N' },
    'no-memory': { type: 'boolean', default: false, help: 'clip: keep the memory bank empty' },
    smooth: { type: 'string', arg: 'ALPHA', help: 'clip: exponential moving average of the mask logits, weight ALPHA in (0, 1] on the newest frame' },
    perturb: { type: 'string', arg: 'KINDS', help: `clip: artefacts, comma-separated: ${PERTURBATION_KINDS.join(', ')}` },
    'perturb-seed': { type: 'string', default: '0', arg: 'N', help: 'clip: seed of the artefacts (the same seed gives the same frames)' },
    roi: ROI_OPTION,
    overlays: { type: 'string', arg: 'DIR', help: 'also write overlay PNGs here' },
    ...MODEL_OPTIONS,
  },
  async run(values) {
    const data = values.data as string | undefined;
    const className = values.class as string | undefined;
    const json = values.json as string | undefined;
    if (!data || !className || !json) throw new UsageError('eval needs --data DIR, --class NAME and --json FILE (see --help)');
    const mode = choiceOption(values, 'mode', EVAL_MODES);
    const clicks = intOption(values, 'clicks');
    const roi = roiOption(values);
    const model = await loadModel(values);
    model.classIndex(className);
    let report: EvalReport;
    const clip = values.clip as string | undefined;
    if (!clip && (values.perturb || values.smooth)) throw new UsageError('--perturb and --smooth apply to a --clip evaluation');
    const perturb = values.perturb
      ? { kinds: parseOr(() => parsePerturbations(values.perturb as string)), seed: intOption(values, 'perturb-seed') }
      : undefined;
    const smooth = values.smooth === undefined ? undefined : Number(values.smooth);
    if (smooth !== undefined && !(smooth > 0 && smooth <= 1)) throw new UsageError(`--smooth: expected a number in (0, 1], got "${String(values.smooth)}"`);
    if (clip) {
      const source = await fileSource(clip, { realtime: false });
      const frameCount = source.info.frameCount;
      const frames = source.pull();
      const bar = new ProgressBar(`eval ${path.basename(clip)}`, frameCount ?? 0);
      report = await evaluateClip({
        model, dataDir: data, className, mode: 'auto', clicks, roi, clip, frames, frameCount,
        frameOffset: intOption(values, 'frame-offset'), memory: !values['no-memory'], perturb, smooth,
        overlaysDir: values.overlays as string | undefined, onProgress: (d) => bar.update(d),
      });
      bar.done();
    } else {
      let bar: ProgressBar | undefined;
      report = await evaluateImages({
        model, dataDir: data, className, mode, clicks, roi, overlaysDir: values.overlays as string | undefined,
        onProgress: (done, total) => (bar ??= new ProgressBar(`eval ${className}`, total)).update(done),
      });
      bar?.done();
    }
    await mkdir(path.dirname(path.resolve(json)), { recursive: true });
    await writeFile(json, JSON.stringify(report, null, 2));
    const extra = 'temporal_iou' in report
      ? ` temporal_iou=${(report as ClipReport).temporal_iou.toFixed(4)} dice_after_click=${(report as ClipReport).dice_after_click.toFixed(4)}`
      : report.hc_mad_mm !== undefined
        ? ` hc_mad_mm=${report.hc_mad_mm.toFixed(2)} (median ${report.hc_abs_diff_mm!.median.toFixed(2)}, p90 ${report.hc_abs_diff_mm!.p90.toFixed(2)}, max ${report.hc_abs_diff_mm!.max.toFixed(2)})`
        : '';
    console.log(`${className} ${clip ? 'clip' : mode}${clicks ? ` +${clicks} clicks` : ''}: dice=${report.dice.toFixed(4)} iou=${report.iou.toFixed(4)} n=${report.count}${extra} -> ${json}`);
    await model.release();
    return 0;
  },
};
