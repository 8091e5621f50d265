/** Low-resolution mask logits -> a full-resolution binary mask in source-frame pixels.
 * Bilinear sampling of the logits (then threshold), through the letterbox geometry, found row by row as
 * spans (maskSpans) rather than pixel by pixel: the same pixels, sampled one by one only at the mask's edges. */
import type { Letterbox } from './letterbox.js';
import { atOrigin, fillSpans, noSpans, type Placement, type RowSpans, SpanBuilder } from './row-spans.js';

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
 * are non-decreasing along the axis, so these pixels are contiguous. (Exported for the per-pixel
 * reference in test/helpers/paint-reference.ts.) */
export function pixelSpan(n: number, scale: number, cell: number, m: number, c0: number, c1: number): [number, number] {
  const first = (p: number) => Math.min(m - 1, Math.max(0, Math.floor(((p + 0.5) * scale) / cell - 0.5)));
  const second = (p: number) => Math.min(m - 1, Math.max(0, Math.floor(((p + 0.5) * scale) / cell - 0.5) + 1));
  let from = 0;
  while (from < n && second(from) < c0) from++;
  let to = n;
  while (to > from && first(to - 1) > c1) to--;
  return [from, to];
}

/** The bilinear sample of the logits at column x of a row (logit rows r0, r1 as offsets, blend fy), with
 * the arithmetic that decides a pixel: the blend weight along x is a float32, as it always was. */
function sample(logits: Float32Array, m: number, scale: number, cell: number, x: number, r0: number, r1: number, fy: number): number {
  const u = ((x + 0.5) * scale) / cell - 0.5;
  const bx = Math.floor(u);
  const a = Math.fround(u - bx);
  const c0 = Math.min(m - 1, Math.max(0, bx));
  const c1 = Math.min(m - 1, Math.max(0, bx + 1));
  const top = logits[r0 + c0]! * (1 - a) + logits[r0 + c1]! * a;
  const bottom = logits[r1 + c0]! * (1 - a) + logits[r1 + c1]! * a;
  return top * (1 - fy) + bottom * fy;
}

/** logits: m x m covering the S x S model input. The pixels of the source frame (box.sourceWidth x
 * sourceHeight) whose bilinear sample exceeds `threshold`, as row spans: exactly the pixels that
 * sampling each one (`sample`) passes.
 *
 * Within one row and one segment of columns sharing their two logit columns, the sample is, in real
 * arithmetic, the line A + B * a in a = u - base, itself linear in x, so where it crosses the threshold
 * is solved for. The computed sample differs from that line by rounding only: the float32 weight
 * (<= 2^-25 |B|) and a few double roundings (~2^-50 of the logits' magnitudes); eps bounds both with a
 * wide margin. The columns where the line is within eps of the threshold (a pixel or two around the
 * crossing; the whole segment when the line is flat at the threshold, or not finite) are decided one by
 * one by `sample`; every other column is on the line's side of the threshold, and so is its sample. */
export function maskSpans(logits: Float32Array, m: number, box: Letterbox, threshold = 0): RowSpans {
  const { sourceWidth: w, sourceHeight: h, scale, size } = box;
  const cell = size / m; // model pixels per logit cell
  const cells = liftingCells(logits, m, threshold);
  if (!cells) return noSpans();
  const [xFrom, xTo] = pixelSpan(w, scale, cell, m, cells[0], cells[2]);
  const [yFrom, yTo] = pixelSpan(h, scale, cell, m, cells[1], cells[3]);
  // Column segments [starts[s], starts[s + 1]) with one base = floor(u), hence the same two logit
  // columns; aFirst/aLast: u - base at their first and last column (the weight along x, before rounding).
  const starts: number[] = [];
  const bases: number[] = [];
  const aFirst: number[] = [];
  const aLast: number[] = [];
  for (let x = xFrom; x < xTo; x++) {
    const u = ((x + 0.5) * scale) / cell - 0.5;
    const base = Math.floor(u);
    if (bases.length === 0 || bases[bases.length - 1] !== base) {
      starts.push(x);
      bases.push(base);
      aFirst.push(u - base);
    }
    aLast[bases.length - 1] = u - base;
  }
  starts.push(xTo);
  const k = scale / cell; // du/dx
  const spans = new SpanBuilder(yFrom, yTo - yFrom);
  for (let y = yFrom; y < yTo; y++) {
    const v = ((y + 0.5) * scale) / cell - 0.5;
    const by = Math.floor(v);
    const fy = v - by;
    const r0 = Math.min(m - 1, Math.max(0, by)) * m;
    const r1 = Math.min(m - 1, Math.max(0, by + 1)) * m;
    spans.startRow(y);
    for (let s = 0; s < bases.length; s++) {
      const x0 = starts[s]!;
      const x1 = starts[s + 1]!;
      const base = bases[s]!;
      const c0 = Math.min(m - 1, Math.max(0, base));
      const c1 = Math.min(m - 1, Math.max(0, base + 1));
      const l00 = logits[r0 + c0]!;
      const l01 = logits[r0 + c1]!;
      const l10 = logits[r1 + c0]!;
      const l11 = logits[r1 + c1]!;
      const A = l00 * (1 - fy) + l10 * fy;
      const B = (l01 - l00) * (1 - fy) + (l11 - l10) * fy;
      const eps = (Math.abs(l00) + Math.abs(l01) + Math.abs(l10) + Math.abs(l11) + Math.abs(B)) * 2 ** -20;
      // The line, less the threshold, at the segment's ends: the whole segment is on one side when both are.
      const dFirst = A + B * aFirst[s]! - threshold;
      const dLast = A + B * aLast[s]! - threshold;
      if (dFirst > eps && dLast > eps) {
        spans.add(x0, x1);
        continue;
      }
      if (dFirst < -eps && dLast < -eps) continue;
      // [lo, hi): the columns decided one by one; all of them when the line is flat or not finite.
      let lo = x0;
      let hi = x1;
      if (B !== 0) {
        const crossing = ((base + (threshold - A) / B + 0.5) * cell) / scale - 0.5;
        const reach = eps / (Math.abs(B) * k) + 1; // +1: slack for rounding in `crossing` itself
        if (Number.isFinite(crossing) && Number.isFinite(reach)) {
          lo = Math.min(x1, Math.max(x0, Math.ceil(crossing - reach)));
          hi = Math.max(lo, Math.min(x1, Math.floor(crossing + reach) + 1));
        }
      }
      // Columns outside [lo, hi) are more than eps from the threshold, on the side of the nearer end.
      if (x0 < lo && dFirst > 0) spans.add(x0, lo);
      for (let x = lo; x < hi; x++) if (sample(logits, m, scale, cell, x, r0, r1, fy) > threshold) spans.add(x, x + 1);
      if (hi < x1 && dLast > 0) spans.add(hi, x1);
    }
  }
  return spans.finish();
}

/** logits: m x m covering the S x S model input. Writes `value` where logit > threshold into `out`
 * (w * h bytes, or a larger mask the frame lies in, placed by `at`; other pixels untouched) and returns
 * the number of pixels set, and the box (in the frame's pixels) of those
 * pixels [x0, y0, x1, y1) (empty when none). Only the pixels whose cells can pass the threshold are
 * considered (liftingCells): the same pixels as sampling all, at the cost of the mask's box. */
export function paintMask(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
  at: Placement = atOrigin(box.sourceWidth),
): { area: number; bounds: [number, number, number, number] } {
  const spans = maskSpans(logits, m, box, threshold);
  fillSpans(spans, value, out, at);
  return { area: spans.area, bounds: spans.bounds };
}
