/** What the model takes and gives per object (class) and frame: the query with its memory bank and
 * prompts, and the raw result before masks are painted (frame-segmenter.ts). */
import type { Stage } from '../../src/core/frames/frame.js';
import type { Letterbox } from './letterbox.js';
import type { LogitSmoothing } from './logit-smoothing.js';
import type { MemoryBank } from './memory-bank.js';
import type { FramePrompts, PromptMode } from './prompts.js';

/** One object tracked on one frame. */
export interface ObjectQuery {
  readonly classIndex: number;
  readonly bank: MemoryBank;
  readonly mode: PromptMode;
  /** Human prompts on this frame (ignored in auto mode). */
  readonly prompts?: FramePrompts;
  /** Store this frame's memory at all (false = the bank stays as it is, e.g. `--no-memory`). */
  readonly updateMemory: boolean;
  /** Average the painted logits over frames (the baseline the memory is compared with). */
  readonly smoothing?: LogitSmoothing;
}

export interface ObjectResult {
  /** mask_size^2 logits over the S x S model input. */
  readonly maskLogits: Float32Array;
  readonly objectScore: number;
  readonly iou: number;
  /** Learned box, normalised [x0, y0, x1, y1] of the model input. */
  readonly box: readonly [number, number, number, number];
  /** True when this frame became the object's conditioning frame (it carried human prompts). */
  readonly conditioning: boolean;
}

export interface FrameInference {
  readonly geometry: Letterbox;
  readonly objects: readonly ObjectResult[];
  /** performance.now() after each graph. */
  readonly timestamps: Partial<Record<Stage, number>>;
}
