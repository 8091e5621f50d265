/** Model-only speed: all five graphs on one frame with the memory bank full, frame after frame. */
import type { Frame, Stage } from '../../core/frames/frame.js';
import { SegmentationSession } from '../../../plugins/model/segmentation-session.js';
import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { percentiles, type Percentiles } from './stats.js';

const MODEL_STAGES: readonly Stage[] = [
  'preprocessed', 'image_encoder', 'memory_attention', 'prompt_predictor', 'mask_decoder', 'memory_encoder', 'postprocessed',
];

export interface ModelBenchResult {
  readonly model_fps: number;
  /** Per frame: the five graphs (preprocessing and mask painting excluded). */
  readonly graphs_ms: Percentiles;
  /** Per frame, everything in the model stage: letterbox, five graphs, mask painted at frame size. */
  readonly frame_ms: Percentiles;
  /** Per stage, from the end of the one before: a graph's stage covers packing its inputs in JS, copying
   * them to the device, the run, and copying its host-resident outputs back (the transfers are in it). */
  readonly stage_ms: Record<string, Percentiles>;
  readonly frames: number;
}

export async function benchmarkModel(model: Sam2RadModel, frames: readonly Frame[], iterations: number, classes: string[]): Promise<ModelBenchResult> {
  const session = new SegmentationSession(model, { classes });
  const warmup = model.manifest.memory.frames + 2; // fills every recent slot of the bank
  const graphs: number[] = [];
  const total: number[] = [];
  const stages: Record<string, number[]> = {};
  const start = performance.now();
  let measured = 0;
  let measureStart = start;
  for (let i = 0; i < warmup + iterations; i++) {
    const frame = frames[i % frames.length]!;
    const t0 = performance.now();
    const out = await session.process({ ...frame, index: i, timestamps: {} });
    const t1 = performance.now();
    if (i === warmup) measureStart = t0;
    if (i < warmup) continue;
    measured++;
    total.push(t1 - t0);
    let previous = t0;
    for (const stage of MODEL_STAGES) {
      const at = out.timestamps[stage];
      if (at === undefined) continue;
      (stages[stage] ??= []).push(at - previous);
      previous = at;
    }
    graphs.push(out.timestamps.memory_encoder! - out.timestamps.preprocessed!);
  }
  const seconds = (performance.now() - measureStart) / 1000;
  return {
    model_fps: Math.round((measured / seconds) * 10) / 10,
    graphs_ms: percentiles(graphs),
    frame_ms: percentiles(total),
    stage_ms: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, percentiles(v)])),
    frames: measured,
  };
}
