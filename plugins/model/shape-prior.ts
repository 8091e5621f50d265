/** Shape priors for classes whose true outline is a known shape. `ellipse`: the object is one filled
 * ellipse (a fetal skull in the head-circumference plane; HC18's reference outlines are ellipses and
 * the head circumference is measured on an ellipse fit). The model's mask is reduced to its largest
 * region, and that region is replaced by the ellipse with the same first and second moments (for a
 * true ellipse, exactly itself), which removes ragged edges and stray blobs. */
import type { Ellipse } from '../../src/core/frames/frame.js';
import type { Letterbox } from './letterbox.js';
import { paintMaskIn } from './mask-upsample.js';

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

/** The ellipse with the moments of the pixels of `mask` (w x h) that equal `value`; undefined when
 * there are fewer than 3 such pixels. `bounds` [x0, y0, x1, y1), when given, must hold every such pixel:
 * only it is scanned (same pixels in the same order, so the same sums). */
export function momentEllipse(mask: Uint8Array, w: number, value: number, bounds?: readonly [number, number, number, number]): Ellipse | undefined {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  const [x0, y0, x1, y1] = bounds ?? [0, 0, w, Math.ceil(mask.length / w)];
  for (let row = y0; row < y1; row++) {
    const y = row + 0.5;
    for (let col = x0, i = row * w + x0; col < x1 && i < mask.length; col++, i++) {
      if (mask[i] !== value) continue;
      const x = col + 0.5;
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
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

/** Sets `value` on the pixels of `out` (w x h) inside the ellipse; returns how many. */
export function paintEllipse(ellipse: Ellipse, w: number, h: number, value: number, out: Uint8Array): number {
  const { cx, cy, a, b, angle } = ellipse;
  if (b <= 0) return 0;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.ceil(a) + 1;
  let area = 0;
  for (let y = Math.max(0, Math.floor(cy - reach)); y < Math.min(h, Math.ceil(cy + reach)); y++) {
    const dy = y + 0.5 - cy;
    for (let x = Math.max(0, Math.floor(cx - reach)); x < Math.min(w, Math.ceil(cx + reach)); x++) {
      const dx = x + 0.5 - cx;
      const u = (dx * cos + dy * sin) / a;
      const v = (dy * cos - dx * sin) / b;
      if (u * u + v * v <= 1) {
        out[y * w + x] = value;
        area++;
      }
    }
  }
  return area;
}

let regionScratch = new Uint8Array(0);

/** The largest region of the logits above `threshold`, as its moment ellipse, painted with `value` into `out`. */
export function paintEllipseMask(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
): { area: number; ellipse?: Ellipse } {
  const { sourceWidth: w, sourceHeight: h } = box;
  // A scratch region, zero outside what the last call painted (cleared below).
  if (regionScratch.length < w * h) regionScratch = new Uint8Array(w * h);
  const region = regionScratch.subarray(0, w * h);
  const { bounds } = paintMaskIn(keepLargestRegion(logits, m, threshold), m, box, 1, region, threshold);
  const ellipse = momentEllipse(region, w, 1, bounds);
  for (let y = bounds[1]; y < bounds[3]; y++) region.fill(0, y * w + bounds[0], y * w + bounds[2]);
  if (!ellipse) return { area: 0 };
  return { area: paintEllipse(ellipse, w, h, value, out), ellipse };
}
