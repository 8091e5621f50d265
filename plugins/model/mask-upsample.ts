/** Low-resolution mask logits -> a full-resolution binary mask in source-frame pixels.
 * Bilinear sampling of the logits (then threshold), through the letterbox geometry. */
import type { Letterbox } from './letterbox.js';

/** logits: m x m covering the S x S model input. Writes `value` where logit > threshold into `out`
 * (w * h bytes, other pixels untouched) and returns the number of pixels set. */
export function paintMask(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
): number {
  const { sourceWidth: w, sourceHeight: h, scale, size } = box;
  const cell = size / m; // model pixels per logit cell
  // Per column/row: the two logit cells and the blend weight, computed once.
  const x0 = new Int32Array(w);
  const fx = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const u = ((x + 0.5) * scale) / cell - 0.5;
    const base = Math.floor(u);
    fx[x] = u - base;
    x0[x] = base;
  }
  let area = 0;
  for (let y = 0; y < h; y++) {
    const v = ((y + 0.5) * scale) / cell - 0.5;
    const by = Math.floor(v);
    const fy = v - by;
    const r0 = Math.min(m - 1, Math.max(0, by)) * m;
    const r1 = Math.min(m - 1, Math.max(0, by + 1)) * m;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const c0 = Math.min(m - 1, Math.max(0, x0[x]!));
      const c1 = Math.min(m - 1, Math.max(0, x0[x]! + 1));
      const a = fx[x]!;
      const top = logits[r0 + c0]! * (1 - a) + logits[r0 + c1]! * a;
      const bottom = logits[r1 + c0]! * (1 - a) + logits[r1 + c1]! * a;
      if (top * (1 - fy) + bottom * fy > threshold) {
        out[row + x] = value;
        area++;
      }
    }
  }
  return area;
}
