/** The tensors Sam2RadModel passes between its graphs (shapes as in docs/model.md: n objects, S = input
 * size, E = S/16, T mask tokens), and the batch helpers that shape them. */
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../../src/core/runtime/manifest.js';

/** image_encoder outputs for the frame, batch 1, in host memory. */
export interface ImageFeatures {
  readonly embed: ort.Tensor; // image_embed [1,256,E,E]
  readonly feats0: ort.Tensor; // high_res_feats_0 [1,32,S/4,S/4]
  readonly feats1: ort.Tensor; // high_res_feats_1 [1,64,S/8,S/8]
}

/** prompt_predictor outputs for the n objects; the last two may stay on the device (DEVICE_OUTPUTS). */
export interface LearnedPrompts {
  readonly boxes: Float32Array; // box [n,4], normalised [x0, y0, x1, y1] of the model input
  readonly embeddings: ort.Tensor; // prompt_embeddings [n,8,256]
  readonly maskPrompt: ort.Tensor; // mask_prompt [n,1,S/4,S/4]
}

/** mask_decoder outputs for the n objects. */
export interface DecodedMasks {
  readonly maskLogits: ort.Tensor; // mask_logits [n,T,S/4,S/4]
  readonly ious: ort.Tensor; // iou_predictions [n,T]
  readonly objectScores: ort.Tensor; // object_score_logits [n,1]
  readonly objectPointers: ort.Tensor; // object_pointer [n,256]
}

/** Repeats a batch-1 tensor n times along the batch axis. */
export function repeat(t: ort.Tensor, n: number): ort.Tensor {
  if (n === 1) return t;
  const data = t.data as Float32Array;
  const out = new Float32Array(data.length * n);
  for (let i = 0; i < n; i++) out.set(data, i * data.length);
  return new ort.Tensor('float32', out, [n, ...t.dims.slice(1)]);
}

/** mask_logits [n,T,ms,ms] -> the manifest's output token of each object: [n,1,ms,ms], flattened. */
export function outputMasks(maskLogits: ort.Tensor, n: number, mask: Manifest['mask']): Float32Array {
  const { size: ms, output_index: token } = mask;
  const tokens = maskLogits.dims[1]!;
  const logits = maskLogits.data as Float32Array;
  const chosen = new Float32Array(n * ms * ms);
  for (let i = 0; i < n; i++) {
    const offset = (i * tokens + token) * ms * ms;
    chosen.set(logits.subarray(offset, offset + ms * ms), i * ms * ms);
  }
  return chosen;
}
