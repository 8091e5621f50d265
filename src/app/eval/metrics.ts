/** Overlap metrics on binary masks (any non-zero byte is foreground). Two empty masks agree fully. */

export interface Overlap {
  readonly dice: number;
  readonly iou: number;
}

export function overlap(pred: Uint8Array, truth: Uint8Array): Overlap {
  if (pred.length !== truth.length) {
    throw new Error(`mask sizes differ: prediction ${pred.length} px, ground truth ${truth.length} px`);
  }
  let inter = 0;
  let p = 0;
  let t = 0;
  for (let i = 0; i < pred.length; i++) {
    const a = pred[i]! > 0;
    const b = truth[i]! > 0;
    if (a) p++;
    if (b) t++;
    if (a && b) inter++;
  }
  if (p + t === 0) return { dice: 1, iou: 1 };
  return { dice: (2 * inter) / (p + t), iou: inter / (p + t - inter) };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
