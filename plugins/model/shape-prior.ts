/** Shape priors for classes whose true outline is a known shape. `ellipse`: the object is one filled
 * ellipse (a fetal skull in the head-circumference plane; HC18's reference outlines are ellipses and
 * the head circumference is measured on an ellipse fit). The model's mask is reduced to its largest
 * region, and that region is replaced by the ellipse with the same first and second moments (for a
 * true ellipse, exactly itself), which removes ragged edges and stray blobs. The region, its moments
 * and the ellipse are all handled as row spans: no full-resolution intermediate. */
import type { Ellipse } from '../../src/core/frames/frame.js';
import type { Letterbox } from './letterbox.js';
import { maskSpans } from './mask-upsample.js';
import { atOrigin, fillSpans, noSpans, type Placement, type RowSpans, SpanBuilder } from './row-spans.js';

/** Logits m x m with every cell above `threshold` that is not 8-connected to the largest such region
 * set to below it (a copy; the input is returned as is when there is at most one region). */
export function keepLargestRegion(logits: Float32Array, m: number, threshold = 0): Float32Array {
  const label = new Int32Array(m * m);
  const queue = new Int32Array(m * m);
  const sizes = [0];
  for (let start = 0; start < m * m; start++) {
    if (label[start] !== 0 || !(logits[start]! > threshold)) continue;
    const id = sizes.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    label[start] = id;
    while (head < tail) {
      const cell = queue[head++]!;
      const cy = Math.floor(cell / m);
      const cx = cell - cy * m;
      for (let y = Math.max(0, cy - 1); y <= Math.min(m - 1, cy + 1); y++) {
        for (let x = Math.max(0, cx - 1); x <= Math.min(m - 1, cx + 1); x++) {
          const next = y * m + x;
          if (label[next] === 0 && logits[next]! > threshold) {
            label[next] = id;
            queue[tail++] = next;
          }
        }
      }
    }
    sizes.push(tail);
  }
  if (sizes.length <= 2) return logits;
  const largest = sizes.indexOf(Math.max(...sizes));
  const kept = Float32Array.from(logits);
  for (let i = 0; i < kept.length; i++) if (label[i] !== 0 && label[i] !== largest) kept[i] = threshold - 1;
  return kept;
}

/** The ellipse with the moments of the pixels of `spans`; undefined when there are fewer than 3.
 * Each span's sums come in closed form: over x = c + 0.5 for c in [x0, x1), sum x = (x1^2 - x0^2) / 2
 * and sum x^2 = (4 (x1^3 - x0^3) - (x1 - x0)) / 12; y is constant along a row. Every term and partial
 * sum is a multiple of 1/4 far below 2^51 for any frame under ~100k pixels a side, so in doubles these
 * sums are exact, as are those of adding pixel by pixel: the same ellipse, to the bit (beyond that size,
 * to rounding). */
export function momentEllipse(spans: RowSpans): Ellipse | undefined {
  const { y0, rowStart, xs } = spans;
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let r = 0; r + 1 < rowStart.length; r++) {
    let rn = 0;
    let rsx = 0;
    let rsxx = 0;
    for (let i = rowStart[r]!; i < rowStart[r + 1]!; i++) {
      const x0 = xs[2 * i]!;
      const x1 = xs[2 * i + 1]!;
      rn += x1 - x0;
      rsx += (x1 * x1 - x0 * x0) / 2;
      rsxx += (4 * (x1 * x1 * x1 - x0 * x0 * x0) - (x1 - x0)) / 12;
    }
    if (rn === 0) continue;
    const y = y0 + r + 0.5;
    n += rn;
    sx += rsx;
    sy += rn * y;
    sxx += rsxx;
    syy += rn * y * y;
    sxy += rsx * y;
  }
  if (n < 3) return undefined;
  const cx = sx / n;
  const cy = sy / n;
  const vxx = sxx / n - cx * cx;
  const vyy = syy / n - cy * cy;
  const vxy = sxy / n - cx * cy;
  // Eigenvalues of the covariance; a uniform filled ellipse has variance (semi-axis)^2 / 4 along each axis.
  const mid = (vxx + vyy) / 2;
  const spread = Math.sqrt(((vxx - vyy) / 2) ** 2 + vxy ** 2);
  return {
    cx,
    cy,
    a: 2 * Math.sqrt(mid + spread),
    b: 2 * Math.sqrt(Math.max(0, mid - spread)),
    angle: 0.5 * Math.atan2(2 * vxy, vxx - vyy),
  };
}

/** The pixels of a w x h frame inside the ellipse, as row spans: pixel (x, y) is inside when, with
 * dx = x + 0.5 - cx, dy = y + 0.5 - cy, u = (dx cos + dy sin) / a and v = (dy cos - dx sin) / b,
 * u * u + v * v <= 1 as computed here (`inside`), within the box of half-side ceil(a) + 1 about the
 * centre. Per row, u^2 + v^2 = 1 is a quadratic in dx, solved for the interval; its ends are then moved
 * pixel by pixel until `inside` holds at them and not just beyond, so the spans are exactly the pixels
 * `inside` accepts (a convex set: contiguous in a row). A row the quadratic misses by rounding is tried
 * at the pixels nearest its centre. */
export function ellipseSpans(ellipse: Ellipse, w: number, h: number): RowSpans {
  const { cx, cy, a, b, angle } = ellipse;
  if (b <= 0) return noSpans();
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.ceil(a) + 1;
  const yFrom = Math.max(0, Math.floor(cy - reach));
  const yTo = Math.min(h, Math.ceil(cy + reach));
  const xFrom = Math.max(0, Math.floor(cx - reach));
  const xTo = Math.min(w, Math.ceil(cx + reach));
  if (!(yFrom < yTo && xFrom < xTo)) return noSpans();
  const inside = (x: number, dy: number): boolean => {
    const dx = x + 0.5 - cx;
    const u = (dx * cos + dy * sin) / a;
    const v = (dy * cos - dx * sin) / b;
    return u * u + v * v <= 1;
  };
  // u^2 + v^2 - 1 = qa dx^2 + qb dx + qc.
  const qa = (cos / a) ** 2 + (sin / b) ** 2;
  const cross = 2 * cos * sin * (1 / (a * a) - 1 / (b * b));
  const dyy = (sin / a) ** 2 + (cos / b) ** 2;
  const spans = new SpanBuilder(yFrom, yTo - yFrom);
  for (let y = yFrom; y < yTo; y++) {
    const dy = y + 0.5 - cy;
    spans.startRow(y);
    const qb = cross * dy;
    const qc = dyy * dy * dy - 1;
    const centre = cx - 0.5 - qb / (2 * qa); // the column where u^2 + v^2 is least
    if (!Number.isFinite(centre) || !Number.isFinite(qc)) {
      for (let x = xFrom; x < xTo; x++) if (inside(x, dy)) spans.add(x, x + 1); // degenerate: as sampled
      continue;
    }
    const half = Math.sqrt(qb * qb - 4 * qa * qc) / (2 * qa); // NaN when the row misses
    let lo = Math.max(xFrom, Math.ceil(centre - half));
    let hi = Math.min(xTo, Math.floor(centre + half) + 1);
    if (lo < hi) {
      if (inside(lo, dy)) while (lo > xFrom && inside(lo - 1, dy)) lo--;
      else while (lo < hi && !inside(lo, dy)) lo++;
    }
    if (lo < hi) {
      if (inside(hi - 1, dy)) while (hi < xTo && inside(hi, dy)) hi++;
      else while (hi > lo && !inside(hi - 1, dy)) hi--;
    }
    if (!(lo < hi)) {
      // Missed (or NaN): the pixel nearest the centre, either side, within the box.
      const left = Math.min(xTo - 1, Math.max(xFrom, Math.floor(centre)));
      const right = Math.min(xTo - 1, Math.max(xFrom, Math.ceil(centre)));
      const seed = inside(left, dy) ? left : inside(right, dy) ? right : -1;
      if (seed < 0) continue;
      lo = seed;
      hi = seed + 1;
      while (lo > xFrom && inside(lo - 1, dy)) lo--;
      while (hi < xTo && inside(hi, dy)) hi++;
    }
    spans.add(lo, hi);
  }
  return spans.finish();
}

/** Sets `value` on the pixels of a w x h frame inside the ellipse (ellipseSpans) in `out` (the frame, or a
 * larger mask it lies in, placed by `at`); returns how many. */
export function paintEllipse(ellipse: Ellipse, w: number, h: number, value: number, out: Uint8Array, at: Placement = atOrigin(w)): number {
  const spans = ellipseSpans(ellipse, w, h);
  fillSpans(spans, value, out, at);
  return spans.area;
}

/** The largest region of the logits above `threshold`, as its moment ellipse (in the frame's pixels),
 * painted with `value` into `out` (box.sourceWidth x sourceHeight bytes, or a larger mask placed by `at`;
 * other pixels untouched). */
export function paintEllipseMask(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
  at: Placement = atOrigin(box.sourceWidth),
): { area: number; ellipse?: Ellipse } {
  const ellipse = momentEllipse(maskSpans(keepLargestRegion(logits, m, threshold), m, box, threshold));
  if (!ellipse) return { area: 0 };
  return { area: paintEllipse(ellipse, box.sourceWidth, box.sourceHeight, value, out, at), ellipse };
}
