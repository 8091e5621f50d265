/** Simulated correction clicks, the standard interactive-segmentation protocol: one click at the
 * interior (the point farthest from its border) of the largest error region, positive if the model
 * missed that region, negative if it over-segmented it. Training samples clicks the same way. */
import type { PointPrompt } from '../../../plugins/model/prompts.js';

/** Largest 4-connected component of `mask` (non-zero) as a 0/1 array, with its size. */
function largestComponent(mask: Uint8Array, w: number, h: number): { region: Uint8Array; size: number } {
  const label = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    next++;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    label[start] = next;
    while (top > 0) {
      const i = stack[--top]!;
      size++;
      const x = i % w;
      const neighbours = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w];
      for (const j of neighbours) {
        if (j >= 0 && j < mask.length && mask[j] && !label[j]) {
          label[j] = next;
          stack[top++] = j;
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      best = next;
    }
  }
  const region = new Uint8Array(w * h);
  if (best) for (let i = 0; i < region.length; i++) region[i] = label[i] === best ? 1 : 0;
  return { region, size: bestSize };
}

/** Chamfer (3-4) distance to the region's outside; returns the deepest pixel. */
function deepestPixel(region: Uint8Array, w: number, h: number): { x: number; y: number } {
  const big = 1 << 28;
  const d = new Int32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = region[i] ? big : 0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x]!);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i]!, at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  }
  let best = 0;
  let bx = 0;
  let by = 0;
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i]!, at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
      if (d[i]! > best) {
        best = d[i]!;
        bx = x;
        by = y;
      }
    }
  }
  return { x: bx + 0.5, y: by + 0.5 };
}

/** The next correction click, or null when prediction and truth agree everywhere. */
export function correctionClick(pred: Uint8Array, truth: Uint8Array, w: number, h: number): PointPrompt | null {
  const missed = new Uint8Array(w * h);
  const extra = new Uint8Array(w * h);
  for (let i = 0; i < missed.length; i++) {
    const p = pred[i]! > 0;
    const t = truth[i]! > 0;
    missed[i] = t && !p ? 1 : 0;
    extra[i] = p && !t ? 1 : 0;
  }
  const a = largestComponent(missed, w, h);
  const b = largestComponent(extra, w, h);
  if (a.size === 0 && b.size === 0) return null;
  const positive = a.size >= b.size;
  const { x, y } = deepestPixel(positive ? a.region : b.region, w, h);
  return { x, y, label: positive ? 1 : 0 };
}

/** Tight box [x0, y0, x1, y1] around a mask's foreground, or null if empty. */
export function maskBox(mask: Uint8Array, w: number, h: number): [number, number, number, number] | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}
