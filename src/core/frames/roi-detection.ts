/** Finds the ultrasound image inside a scanner's screen.
 *
 * Method: over a few frames spread in time, a pixel "moves" when its grey value spans more than
 * `motionLevel`. The live image always moves (speckle changes with probe and tissue motion and with
 * electronic noise); the screen furniture around it (text, logos, grey-scale bars, depth marks) is static.
 * The frame is cut into blocks (~128 across); a block is active when a quarter of its pixels move. Active
 * blocks are dilated by two blocks (so dark, quiet fluid inside the image does not split it), grouped into
 * 8-connected components, and the component with the most active blocks wins: small moving UI (a clock,
 * a cursor) loses to the image. Its active blocks' bounding box, tightened to the first moving pixel on
 * each side, is the ROI. A frozen or single frame has no motion: then the same is done with "non-dark"
 * (pixel mean above the dark level) in place of "moving", which separates the image from UI drawn apart
 * from it on the black screen. Text or a grey-scale bar drawn right against the image is as bright as it
 * and joins its component, so here the box is taken over the component's blocks that survive an opening
 * by `OPEN_BLOCKS` (gone: anything thinner than 5 blocks, such as a text column or a bar), grown by one
 * block on each side to reach the image's own edge pixels. The dark level is the screen's own black (the
 * median of the outermost blocks' means) plus a small margin, capped at 16: the deep field of a low-gain
 * image is often darker than 16 grey but never as flat as the screen, and a fixed 16 cut such depths (and
 * the heads in them) off. Nothing found (or under 2 % of the frame): the full frame.
 *
 * Cost: a min/max/sum update per pixel per sample, and one pass over the blocks per detection, so it is
 * run once per batch of samples, never per frame. */
import type { Frame } from './frame.js';
import { fullFrame, type Rect } from './roi.js';

export type RoiMethod = 'motion' | 'brightness' | 'full-frame';

export interface RoiDetection {
  readonly rect: Rect;
  readonly method: RoiMethod;
}

export interface RoiDetectionOptions {
  /** Mean grey level at or under which a pixel is screen background (default: the screen's black,
   * measured on the frame's outer blocks, plus 2, at most 16). */
  readonly darkLevel?: number;
  /** Grey-level span over the samples above which a pixel moves (default 12, above codec/grabber noise). */
  readonly motionLevel?: number;
}

const GRID_CELLS = 128;
const ACTIVE_FRACTION = 0.25;
const DILATE_BLOCKS = 2;
/** Still frames: structures narrower than 2 * OPEN_BLOCKS + 1 blocks (~4 % of the longer side) are not image. */
const OPEN_BLOCKS = 2;
const MIN_MOTION_BLOCKS = 0.01;
const MIN_AREA = 0.02;
/** Above the screen's black; codec and grabber noise on a flat black screen stays within it. */
const DARK_MARGIN = 2;
const MAX_DARK_LEVEL = 16;

/** Per-pixel min, max and sum over the frames added so far. */
export class RoiAccumulator {
  private readonly min: Uint8Array;
  private readonly max: Uint8Array;
  private readonly sum: Uint32Array;
  count = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.min = new Uint8Array(width * height).fill(255);
    this.max = new Uint8Array(width * height);
    this.sum = new Uint32Array(width * height);
  }

  add(frame: Frame): void {
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new Error(`ROI sample ${frame.width}x${frame.height} differs from ${this.width}x${this.height}`);
    }
    const { min, max, sum } = this;
    const data = frame.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < min[i]!) min[i] = v;
      if (v > max[i]!) max[i] = v;
      sum[i] += v;
    }
    this.count++;
  }

  detect(options: RoiDetectionOptions = {}): RoiDetection {
    if (this.count === 0) throw new Error('ROI detection needs at least one frame');
    const motionLevel = options.motionLevel ?? 12;
    const grid = new BlockGrid(this.width, this.height);
    const moving = (i: number): boolean => this.max[i]! - this.min[i]! > motionLevel;
    if (this.count >= 2) {
      const found = grid.largestRegion(moving, MIN_MOTION_BLOCKS, 0);
      if (found) return this.accept(found, moving, 'motion');
    }
    const darkLevel = options.darkLevel ?? Math.min(MAX_DARK_LEVEL, grid.borderMedian(this.sum) / this.count + DARK_MARGIN);
    const bright = (i: number): boolean => this.sum[i]! > darkLevel * this.count;
    const found = grid.largestRegion(bright, 0, OPEN_BLOCKS);
    return found ? this.accept(found, bright, 'brightness') : { rect: fullFrame(this.width, this.height), method: 'full-frame' };
  }

  private accept(blocks: Rect, active: (i: number) => boolean, method: RoiMethod): RoiDetection {
    const rect = tighten(blocks, this.width, active);
    if (rect.width * rect.height < MIN_AREA * this.width * this.height) {
      return { rect: fullFrame(this.width, this.height), method: 'full-frame' };
    }
    return { rect, method };
  }
}

/** Detection from a set of same-size frames (spread them over a second or more for the motion method). */
export function detectRoi(samples: readonly Frame[], options: RoiDetectionOptions = {}): RoiDetection {
  const first = samples[0];
  if (!first) throw new Error('ROI detection needs at least one frame');
  const accumulator = new RoiAccumulator(first.width, first.height);
  for (const frame of samples) accumulator.add(frame);
  return accumulator.detect(options);
}

class BlockGrid {
  readonly block: number;
  readonly cols: number;
  readonly rows: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.block = Math.max(2, Math.ceil(Math.max(width, height) / GRID_CELLS));
    this.cols = Math.ceil(width / this.block);
    this.rows = Math.ceil(height / this.block);
  }

  /** Pixel bounding box of the biggest connected group of active blocks, if it has at least
   * `minFraction` of all blocks (and at least one). With `openBlocks` > 0 the box covers only the group's
   * blocks that survive an opening by that radius (when any do), grown by one block. */
  largestRegion(activePixel: (i: number) => boolean, minFraction: number, openBlocks: number): Rect | undefined {
    const active = this.activeBlocks(activePixel);
    const total = active.reduce((n, a) => n + a, 0);
    if (total === 0 || total < minFraction * active.length) return undefined;
    const labels = this.components(dilate(active, this.cols, this.rows, DILATE_BLOCKS));
    const score = new Map<number, number>();
    active.forEach((a, i) => a && score.set(labels[i]!, (score.get(labels[i]!) ?? 0) + 1));
    const best = [...score.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const inBest = active.map((a, i) => (a && labels[i] === best ? 1 : 0));
    const solid = openBlocks > 0 ? this.open(active, openBlocks).map((a, i) => a & inBest[i]!) : undefined;
    const grow = solid?.some((a) => a) ? 1 : 0;
    let x0 = this.cols, y0 = this.rows, x1 = -1, y1 = -1;
    (grow ? solid! : inBest).forEach((a, i) => {
      if (!a) return;
      const cx = i % this.cols, cy = Math.floor(i / this.cols);
      x0 = Math.min(x0, cx); x1 = Math.max(x1, cx); y0 = Math.min(y0, cy); y1 = Math.max(y1, cy);
    });
    x0 = Math.max(0, x0 - grow); y0 = Math.max(0, y0 - grow);
    x1 = Math.min(this.cols - 1, x1 + grow); y1 = Math.min(this.rows - 1, y1 + grow);
    const x = x0 * this.block, y = y0 * this.block;
    return {
      x, y,
      width: Math.min(this.width, (x1 + 1) * this.block) - x,
      height: Math.min(this.height, (y1 + 1) * this.block) - y,
    };
  }

  /** Median over the blocks on the frame's edge of each block's mean of `values` (only those blocks'
   * pixels are read). */
  borderMedian(values: ArrayLike<number>): number {
    const means: number[] = [];
    for (let cy = 0; cy < this.rows; cy++) {
      const edgeRow = cy === 0 || cy === this.rows - 1;
      for (let cx = 0; cx < this.cols; cx += edgeRow ? 1 : Math.max(1, this.cols - 1)) {
        const { x, y, width, height } = this.blockRect(cx, cy);
        let sum = 0;
        for (let py = y; py < y + height; py++) for (let px = x; px < x + width; px++) sum += values[py * this.width + px]!;
        means.push(sum / (width * height));
      }
    }
    means.sort((a, b) => a - b);
    return means[Math.floor(means.length / 2)]!;
  }

  private activeBlocks(activePixel: (i: number) => boolean): Uint8Array {
    const counts = new Uint32Array(this.cols * this.rows);
    for (let y = 0; y < this.height; y++) {
      const rowBase = Math.floor(y / this.block) * this.cols;
      for (let x = 0; x < this.width; x++) if (activePixel(y * this.width + x)) counts[rowBase + Math.floor(x / this.block)]++;
    }
    return Uint8Array.from(counts, (n, i) => {
      const { width, height } = this.blockRect(i % this.cols, Math.floor(i / this.cols));
      return n > ACTIVE_FRACTION * width * height ? 1 : 0;
    });
  }

  /** Morphological opening: the blocks covered by some fully active square of side 2 * radius + 1. */
  private open(mask: Uint8Array, radius: number): Uint8Array {
    return dilate(erode(mask, this.cols, this.rows, radius), this.cols, this.rows, radius);
  }

  /** Pixel rectangle of block (cx, cy); blocks on the right and bottom edges may be smaller. */
  private blockRect(cx: number, cy: number): Rect {
    const x = cx * this.block, y = cy * this.block;
    return { x, y, width: Math.min(this.block, this.width - x), height: Math.min(this.block, this.height - y) };
  }

  /** 8-connected component labels (0 = inactive). */
  private components(mask: Uint8Array): Int32Array {
    const labels = new Int32Array(mask.length);
    const stack: number[] = [];
    let next = 0;
    for (let start = 0; start < mask.length; start++) {
      if (!mask[start] || labels[start]) continue;
      labels[start] = ++next;
      stack.push(start);
      while (stack.length) {
        const i = stack.pop()!;
        const cx = i % this.cols, cy = Math.floor(i / this.cols);
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = cx + dx, ny = cy + dy;
            if (nx < 0 || ny < 0 || nx >= this.cols || ny >= this.rows) continue;
            const j = ny * this.cols + nx;
            if (mask[j] && !labels[j]) {
              labels[j] = next;
              stack.push(j);
            }
          }
        }
      }
    }
    return labels;
  }
}

/** Square erosion by `radius` blocks (outside the grid counts as inactive). */
function erode(mask: Uint8Array, cols: number, rows: number, radius: number): Uint8Array {
  return mask.map((a, i) => {
    if (!a) return 0;
    const cx = i % cols, cy = Math.floor(i / cols);
    if (cx < radius || cy < radius || cx + radius >= cols || cy + radius >= rows) return 0;
    for (let y = cy - radius; y <= cy + radius; y++) for (let x = cx - radius; x <= cx + radius; x++) if (!mask[y * cols + x]) return 0;
    return 1;
  });
}

/** Square dilation by `radius` blocks. */
function dilate(mask: Uint8Array, cols: number, rows: number, radius: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  mask.forEach((a, i) => {
    if (!a) return;
    const cx = i % cols, cy = Math.floor(i / cols);
    for (let y = Math.max(0, cy - radius); y <= Math.min(rows - 1, cy + radius); y++) {
      for (let x = Math.max(0, cx - radius); x <= Math.min(cols - 1, cx + radius); x++) out[y * cols + x] = 1;
    }
  });
  return out;
}

/** Moves each side of a block-aligned box inwards to its first row/column with an active pixel. */
function tighten(box: Rect, width: number, active: (i: number) => boolean): Rect {
  const columnActive = (x: number, y0: number, y1: number): boolean => {
    for (let y = y0; y < y1; y++) if (active(y * width + x)) return true;
    return false;
  };
  const rowActive = (y: number, x0: number, x1: number): boolean => {
    for (let x = x0; x < x1; x++) if (active(y * width + x)) return true;
    return false;
  };
  let x0 = box.x, x1 = box.x + box.width, y0 = box.y, y1 = box.y + box.height;
  while (x1 - x0 > 1 && !columnActive(x0, y0, y1)) x0++;
  while (x1 - x0 > 1 && !columnActive(x1 - 1, y0, y1)) x1--;
  while (y1 - y0 > 1 && !rowActive(y0, x0, x1)) y0++;
  while (y1 - y0 > 1 && !rowActive(y1 - 1, x0, x1)) y1--;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
