/** A binary mask as row spans: per row, the half-open pixel runs [x0, x1) that are set. Masks and
 * ellipses are built and measured this way so that no full-resolution intermediate is needed: a
 * 1920x1080 mask is ~1k spans, not 2M bytes. */

export interface RowSpans {
  /** The first row; the rows are y0 .. y0 + rowStart.length - 2. */
  readonly y0: number;
  /** Row r (y = y0 + r) holds spans rowStart[r] .. rowStart[r + 1] - 1 (length rows + 1). */
  readonly rowStart: Int32Array;
  /** Span i is [xs[2i], xs[2i + 1]); within a row in increasing x, disjoint and not touching. */
  readonly xs: Int32Array;
  /** Pixels set. */
  readonly area: number;
  /** Box [x0, y0, x1, y1) of the pixels set ([0, 0, 0, 0] when none). */
  readonly bounds: [number, number, number, number];
}

/** No pixels (a fresh object: callers may keep its bounds). */
export function noSpans(): RowSpans {
  return { y0: 0, rowStart: new Int32Array(1), xs: new Int32Array(0), area: 0, bounds: [0, 0, 0, 0] };
}

/** Collects spans row by row (rows in order, spans in increasing x within a row); touching spans in a
 * row merge. */
export class SpanBuilder {
  private xs = new Int32Array(256);
  private ints = 0;
  private readonly rowStart: Int32Array;
  private row = -1;
  private area = 0;
  private bx0 = Number.POSITIVE_INFINITY;
  private bx1 = 0;
  private by0 = -1;
  private by1 = 0;

  /** Rows y0 .. y0 + rows - 1. */
  constructor(
    private readonly y0: number,
    rows: number,
  ) {
    this.rowStart = new Int32Array(Math.max(0, rows) + 1);
  }

  /** Starts row y (>= every earlier one); rows skipped are empty. */
  startRow(y: number): void {
    const r = y - this.y0;
    for (let k = this.row + 1; k <= r; k++) this.rowStart[k] = this.ints >> 1;
    this.row = r;
  }

  /** Adds [x0, x1) to the current row (x0 >= the row's last end; empty spans are ignored). */
  add(x0: number, x1: number): void {
    if (x1 <= x0) return;
    const y = this.y0 + this.row;
    this.area += x1 - x0;
    if (x0 < this.bx0) this.bx0 = x0;
    if (x1 > this.bx1) this.bx1 = x1;
    if (this.by0 < 0) this.by0 = y;
    this.by1 = y + 1;
    if (this.ints >> 1 > this.rowStart[this.row]! && this.xs[this.ints - 1] === x0) {
      this.xs[this.ints - 1] = x1;
      return;
    }
    if (this.ints + 2 > this.xs.length) {
      const grown = new Int32Array(this.xs.length * 2);
      grown.set(this.xs);
      this.xs = grown;
    }
    this.xs[this.ints++] = x0;
    this.xs[this.ints++] = x1;
  }

  finish(): RowSpans {
    for (let k = this.row + 1; k < this.rowStart.length; k++) this.rowStart[k] = this.ints >> 1;
    const bounds: [number, number, number, number] = this.area > 0 ? [this.bx0, this.by0, this.bx1, this.by1] : [0, 0, 0, 0];
    return { y0: this.y0, rowStart: this.rowStart, xs: this.xs.subarray(0, this.ints), area: this.area, bounds };
  }
}

/** Where spans land in the mask painted: its row stride, and the offset of the spans' (0, 0) in it (a
 * crop's spans go straight into the source frame's mask, with no crop-sized copy). */
export interface Placement {
  readonly stride: number;
  readonly x: number;
  readonly y: number;
}

/** A mask of rows `w` wide, spans at its origin. */
export function atOrigin(w: number): Placement {
  return { stride: w, x: 0, y: 0 };
}

/** Sets `value` on the pixels of `spans` in `out` (row-major, placed by `at`); other pixels are untouched. */
export function fillSpans(spans: RowSpans, value: number, out: Uint8Array, at: Placement): void {
  const { y0, rowStart, xs } = spans;
  for (let r = 0; r + 1 < rowStart.length; r++) {
    const row = (at.y + y0 + r) * at.stride + at.x;
    for (let i = rowStart[r]!; i < rowStart[r + 1]!; i++) out.fill(value, row + xs[2 * i]!, row + xs[2 * i + 1]!);
  }
}
