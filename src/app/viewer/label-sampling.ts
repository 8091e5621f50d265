// The class map sampled (nearest pixel) to the picture's size, hidden classes as 0, for the overlay. A
// compressed frame's map is sampled straight from its label runs: per picture row, the runs of the frame row
// it samples fill whole spans of picture columns, so no frame-sized map is expanded per frame (2 MB at
// 1080p) and most of a row (background) is one fill. Both samplers give the same labels.
import type { LabelRuns } from '../server/compressed-frame.js';

/** Bounding box [x0, y0, x1, y1) of the non-zero sampled labels (empty: x1 <= x0). */
export type Box = [number, number, number, number];

/** The frame row (or column) that picture row `y` of `size` samples, of `frameSize`. */
function source(y: number, size: number, frameSize: number): number {
  return Math.min(frameSize - 1, Math.floor(((y + 0.5) * frameSize) / size));
}

/** Buffers reused from frame to frame (same-sized frames are the rule). */
export class SampleScratch {
  labels = new Uint8Array(0);
  /** Picture column -> frame column. */
  xs = new Uint32Array(0);
  /** Frame column c -> the first picture column sampling c or a later one (`fw + 1` entries). */
  firstX = new Uint32Array(0);
  /** Class value -> the value drawn (0: hidden). */
  lut = new Uint8Array(256);

  sized(width: number, height: number, fw: number, hidden: ReadonlySet<number>): void {
    if (this.labels.length < width * height) this.labels = new Uint8Array(width * height);
    if (this.xs.length < width) this.xs = new Uint32Array(width);
    if (this.firstX.length < fw + 1) this.firstX = new Uint32Array(fw + 1);
    for (let v = 0; v < 256; v++) this.lut[v] = hidden.has(v) ? 0 : v;
  }
}

/** `map` (fw x fh) sampled to `width` x `height` into `scratch.labels`. */
export function sampleClassMap(map: Uint8Array, fw: number, fh: number, width: number, height: number, hidden: ReadonlySet<number>, scratch: SampleScratch): Box {
  scratch.sized(width, height, fw, hidden);
  const { labels, xs, lut } = scratch;
  for (let x = 0; x < width; x++) xs[x] = source(x, width, fw);
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = source(y, height, fh) * fw;
    const o = y * width;
    let any = false;
    for (let x = 0; x < width; x++) {
      const v = lut[map[row + xs[x]!]!]!;
      labels[o + x] = v;
      if (v !== 0) {
        any = true;
        if (x < x0) x0 = x;
        if (x >= x1) x1 = x + 1;
      }
    }
    if (any) {
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return [x0, y0, x1, y1];
}

/** The map of `runs` (fw x fh) sampled to `width` x `height` into `scratch.labels`, as sampleClassMap
 * would sample the expanded map. */
export function sampleLabelRuns(runs: LabelRuns, fw: number, fh: number, width: number, height: number, hidden: ReadonlySet<number>, scratch: SampleScratch): Box {
  scratch.sized(width, height, fw, hidden);
  const { labels, firstX, lut } = scratch;
  const { ends, values } = runs;
  // Picture columns sampling frame columns [a, b) are [firstX[a], firstX[b]): the sampling is monotonic.
  let c = 0;
  for (let x = 0; x < width; x++) {
    const sx = source(x, width, fw);
    while (c <= sx) firstX[c++] = x;
  }
  while (c <= fw) firstX[c++] = width;
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  let k = 0;
  let previousRow = -1;
  let any = false;
  for (let y = 0; y < height; y++) {
    const r = source(y, height, fh);
    const o = y * width;
    if (r === previousRow) {
      // A picture taller than the frame samples a row twice.
      labels.copyWithin(o, o - width, o);
    } else {
      previousRow = r;
      any = false;
      const rowStart = r * fw;
      const rowEnd = rowStart + fw;
      while (ends[k]! <= rowStart) k++;
      let start = rowStart;
      let j = k;
      while (start < rowEnd) {
        const end = Math.min(ends[j]!, rowEnd);
        const xa = firstX[start - rowStart]!;
        const xb = firstX[end - rowStart]!;
        if (xb > xa) {
          const v = lut[values[j]!]!;
          labels.fill(v, o + xa, o + xb);
          if (v !== 0) {
            any = true;
            if (xa < x0) x0 = xa;
            if (xb > x1) x1 = xb;
          }
        }
        start = end;
        j++;
      }
      // The last run may go on into the next rows.
      k = j - 1;
    }
    if (any) {
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return [x0, y0, x1, y1];
}
