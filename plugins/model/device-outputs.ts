/** Which graph outputs stay in GPU memory between graphs when the provider allows it (WebGPU in
 * onnxruntime-node 1.30, see src/core/runtime/execution-provider.ts).
 *
 * A device-resident tensor cannot be read from JS (the Node binding gives it no downloader), so only
 * outputs that later graphs consume unchanged qualify: the conditioned embedding (read by the prompt
 * predictor and the mask decoder) and the learned prompts (read by the mask decoder). The encoder's
 * outputs stay in host memory because, with several objects, they are repeated along the batch in JS. */
import type * as ort from 'onnxruntime-node';
import type { GraphName } from '../../src/core/runtime/manifest.js';

export const DEVICE_OUTPUTS: Readonly<Partial<Record<GraphName, readonly string[]>>> = {
  memory_attention: ['conditioned_embed'],
  prompt_predictor: ['prompt_embeddings', 'mask_prompt'],
};

/** Frees the GPU buffers of device-resident tensors now rather than at garbage collection. */
export function releaseDeviceTensors(...tensors: (ort.Tensor | undefined)[]): void {
  for (const t of tensors) if (t?.location === 'gpu-buffer') t.dispose();
}
