/** Low-resolution mask logits -> a full-resolution binary mask in source-frame pixels.
 * Bilinear sampling of the logits (then threshold), through the letterbox geometry. */
import type { Letterbox } from './letterbox.js';

/** The cells of `logits` (m x m) that may lift a bilinear sample above `threshold`: the bounding box
 * [x0, y0, x1, y1] (inclusive) of the cells above a hair below it, or null when there is none. A sample
 * blends four cells with weights summing to one, so it can pass the threshold only if one of them does;
 * the margin keeps rounding in that blend from mattering. */
export function liftingCells(logits: Float32Array, m: number, threshold: number): [number, number, number, number] | null {
  const floor = threshold - 1e-4 * Math.max(1, Math.abs(threshold));
  let x0 = m;
  let y0 = m;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m; y++) {
    const row = y * m;
    for (let x = 0; x < m; x++) {
      if (!(logits[row + x]! > floor)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** Pixels [from, to) of an axis whose two sampled cells (clamped) include one in [c0, c1]. The cells
 * are non-decreasing along the axis, so these pixels are contiguous. */
function pixelSpan(n: number, scale: number, cell: number, m: number, c0: number, c1: number): [number, number] {
  const first = (p: number) => Math.min(m - 1, Math.max(0, Math.floor(((p + 0.5) * scale) / cell - 0.5)));
  const second = (p: number) => Math.min(m - 1, Math.max(0, Math.floor(((p + 0.5) * scale) / cell - 0.5) + 1));
  let from = 0;
  while (from < n && second(from) < c0) from++;
  let to = n;
  while (to > from && first(to - 1) > c1) to--;
  return [from, to];
}

/** paintMaskIn's pixel count alone. */
export function paintMask(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
): number {
  return paintMaskIn(logits, m, box, value, out, threshold).area;
}

/** logits: m x m covering the S x S model input. Writes `value` where logit > threshold into `out`
 * (w * h bytes, other pixels untouched) and returns the number of pixels set, and the box of those
 * pixels [x0, y0, x1, y1) (empty when none). Only the pixels whose cells can pass the threshold are
 * sampled (liftingCells): the same pixels as sampling all, at the cost of the mask's box. */
export function paintMaskIn(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
): { area: number; bounds: [number, number, number, number] } {
  const { sourceWidth: w, sourceHeight: h, scale, size } = box;
  const cell = size / m; // model pixels per logit cell
  const cells = liftingCells(logits, m, threshold);
  if (!cells) return { area: 0, bounds: [0, 0, 0, 0] };
  const [xFrom, xTo] = pixelSpan(w, scale, cell, m, cells[0], cells[2]);
  const [yFrom, yTo] = pixelSpan(h, scale, cell, m, cells[1], cells[3]);
  // Per column: the two logit cells and the blend weight, computed once.
  const x0 = new Int32Array(w);
  const fx = new Float32Array(w);
  for (let x = xFrom; x < xTo; x++) {
    const u = ((x + 0.5) * scale) / cell - 0.5;
    const base = Math.floor(u);
    fx[x] = u - base;
    x0[x] = base;
  }
  let area = 0;
  let bx0 = w;
  let bx1 = 0;
  let by0 = h;
  let by1 = 0;
  for (let y = yFrom; y < yTo; y++) {
    const v = ((y + 0.5) * scale) / cell - 0.5;
    const by = Math.floor(v);
    const fy = v - by;
    const r0 = Math.min(m - 1, Math.max(0, by)) * m;
    const r1 = Math.min(m - 1, Math.max(0, by + 1)) * m;
    const row = y * w;
    const before = area;
    for (let x = xFrom; x < xTo; x++) {
      const c0 = Math.min(m - 1, Math.max(0, x0[x]!));
      const c1 = Math.min(m - 1, Math.max(0, x0[x]! + 1));
      const a = fx[x]!;
      const top = logits[r0 + c0]! * (1 - a) + logits[r0 + c1]! * a;
      const bottom = logits[r1 + c0]! * (1 - a) + logits[r1 + c1]! * a;
      if (top * (1 - fy) + bottom * fy > threshold) {
        out[row + x] = value;
        area++;
        if (x < bx0) bx0 = x;
        if (x >= bx1) bx1 = x + 1;
      }
    }
    if (area > before) {
      if (y < by0) by0 = y;
      by1 = y + 1;
    }
  }
  return { area, bounds: area > 0 ? [bx0, by0, bx1, by1] : [0, 0, 0, 0] };
}
