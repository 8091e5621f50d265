/** The per-pixel mask and ellipse painting that the span-based code in plugins/model/mask-upsample.ts and
 * shape-prior.ts replaced (as of 561c0b5), kept as the reference the tests compare with pixel for pixel
 * and the baseline scripts/bench-paint.mjs times. Not shipped: src and plugins must not import it. */
import type { Ellipse } from '../../src/core/frames/frame.js';
import type { Letterbox } from '../../plugins/model/letterbox.js';
import { liftingCells, pixelSpan } from '../../plugins/model/mask-upsample.js';
import { keepLargestRegion } from '../../plugins/model/shape-prior.js';

/** paintMask as it was: every pixel of the lifting cells' box sampled. out: w x h bytes. */
export function paintMaskPerPixel(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
): { area: number; bounds: [number, number, number, number] } {
  const { sourceWidth: w, sourceHeight: h, scale, size } = box;
  const cell = size / m;
  const cells = liftingCells(logits, m, threshold);
  if (!cells) return { area: 0, bounds: [0, 0, 0, 0] };
  const [xFrom, xTo] = pixelSpan(w, scale, cell, m, cells[0], cells[2]);
  const [yFrom, yTo] = pixelSpan(h, scale, cell, m, cells[1], cells[3]);
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

/** momentEllipse as it was: the moments of the pixels of `mask` (w wide) equal to `value`, within `bounds`. */
export function momentEllipsePerPixel(mask: Uint8Array, w: number, value: number, bounds?: readonly [number, number, number, number]): Ellipse | undefined {
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

/** paintEllipse as it was: every pixel of the box of half-side ceil(a) + 1 tested. out: w x h bytes. */
export function paintEllipsePerPixel(ellipse: Ellipse, w: number, h: number, value: number, out: Uint8Array): number {
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

/** paintEllipseMask as it was: the region painted into a full-resolution scratch (reused between calls,
 * as the shipped code did, so the baseline's timing is fair), scanned for moments, cleared. */
export function paintEllipseMaskPerPixel(
  logits: Float32Array,
  m: number,
  box: Letterbox,
  value: number,
  out: Uint8Array,
  threshold = 0,
  scratch: Uint8Array = new Uint8Array(box.sourceWidth * box.sourceHeight),
): { area: number; ellipse?: Ellipse } {
  const { sourceWidth: w, sourceHeight: h } = box;
  const region = scratch.subarray(0, w * h);
  const { bounds } = paintMaskPerPixel(keepLargestRegion(logits, m, threshold), m, box, 1, region, threshold);
  const ellipse = momentEllipsePerPixel(region, w, 1, bounds);
  for (let y = bounds[1]; y < bounds[3]; y++) region.fill(0, y * w + bounds[0], y * w + bounds[2]);
  if (!ellipse) return { area: 0 };
  return { area: paintEllipsePerPixel(ellipse, w, h, value, out), ellipse };
}
