/** `sam2rad segment`: every frame of a recorded clip segmented in order (no drops), written with the
 * same folder layout as a live recording. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Recorder } from '../../../plugins/sinks/recorder.js';
import { SegmentationSession, type HumanPrompt } from '../../../plugins/model/segmentation-session.js';
import { dicomSource, fileSource } from '../../../plugins/sources/index.js';
import { isDicomTarget } from '../../../plugins/sources/dicom/dicom-source.js';
import { UsageError, type Command } from './command.js';
import { MODEL_OPTIONS } from './defaults.js';
import { loadModel } from './load-model.js';
import { ProgressBar } from './progress.js';
import { roiOption, ROI_OPTION } from './roi-option.js';
import { roiCropper } from '../../core/frames/roi-crop.js';
import { parsePromptFile } from './prompt-file.js';

export const segmentCommand: Command = {
  name: 'segment',
  usage: 'segment INPUT --out DIR [--class NAME[,NAME...]] [--mode auto|semi|manual] [--prompts FILE] [--no-memory]',
  summary:
    'Segments every frame of a video file or DICOM cine offline (no frame is dropped) into DIR: overlay.mp4, source.mp4, ' +
    'masks/NNNNNN.png (one per frame) and metadata.json, the layout of a live recording. ' +
    '--prompts FILE applies human prompts (JSON list of {frame, class, points: [{x, y, label}], box: [x0, y0, x1, y1]}).',
  allowPositionals: true,
  options: {
    out: { type: 'string', arg: 'DIR', help: 'output folder (must not exist yet)' },
    class: { type: 'string', arg: 'NAMES', help: 'comma-separated classes to segment (default: the first class of the model)' },
    mode: { type: 'string', arg: 'MODE', help: 'auto | semi | manual: how prompts combine with the learned ones (default: semi with --prompts, else auto)' },
    prompts: { type: 'string', arg: 'FILE', help: 'JSON file of human prompts per frame' },
    'no-memory': { type: 'boolean', default: false, help: 'segment each frame on its own' },
    roi: ROI_OPTION,
    ...MODEL_OPTIONS,
  },
  async run(values, positionals) {
    const input = positionals[0];
    const out = values.out as string | undefined;
    if (!input || positionals.length > 1 || !out) throw new UsageError('segment needs one INPUT video and --out DIR (see --help)');
    const crop = roiCropper(roiOption(values));
    const prompts: HumanPrompt[] = values.prompts ? parsePromptFile(values.prompts as string, await readFile(values.prompts as string, 'utf8')) : [];
    const model = await loadModel(values);
    const classes = values.class ? String(values.class).split(',') : [model.manifest.classes[0]!];
    const session = new SegmentationSession(model, { classes, memory: !values['no-memory'], historyFrames: 1 });
    session.setMode((values.mode as string | undefined) ?? (prompts.length ? 'semi' : 'auto'));
    // A DICOM cine (a file, or a folder of one series) keeps its calibration: biometry in mm in metadata.json.
    const source = (await isDicomTarget(input)) ? await dicomSource(input, { realtime: false }) : await fileSource(input, { realtime: false });
    const { info } = source;
    const recorder = await Recorder.start({
      dir: path.dirname(out), folder: out, fps: info.fps,
      context: { sourceUri: path.resolve(input), model: model.identity },
    });
    const byFrame = new Map<number, HumanPrompt[]>();
    for (const p of prompts) byFrame.set(p.frame, [...(byFrame.get(p.frame) ?? []), p]);
    const bar = new ProgressBar(`segment ${path.basename(input)}`, info.frameCount ?? 0);
    let count = 0;
    for await (const frame of source.pull()) {
      const result = await session.process(crop(frame), byFrame.get(frame.index));
      recorder.write(result);
      bar.update(++count);
      if (recorder.error) break;
    }
    bar.done();
    const state = await recorder.stop();
    await model.release();
    if (recorder.error) throw new Error(recorder.error);
    console.log(`segmented ${count} frames -> ${out} (${JSON.stringify(state)})`);
    return 0;
  },
};
