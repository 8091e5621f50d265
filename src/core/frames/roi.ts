/** Region-of-interest cropping: the ultrasound image inside the scanner's screen (text, logos, scales
 * and colour bars around it) is cut out before the model sees it, and results are mapped back with the
 * rectangle each cropped frame carries. */
import type { Frame } from './frame.js';

/** Integer pixel rectangle; x, y is the top-left corner. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A frame cut out of a larger source frame. `width`/`height`/`data` are the crop's, which the model
 * sees; results are painted back onto the source frame, which is what is shown and recorded (so a
 * crop that changes mid-stream changes nothing downstream). */
export interface RoiFrame extends Frame {
  /** Where the crop lies in the source frame. */
  readonly roi: Rect;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** The source frame's pixels (sourceWidth * sourceHeight bytes). */
  readonly sourceData: Uint8Array;
}

export function isRoiFrame(frame: Frame): frame is RoiFrame {
  return 'roi' in frame;
}

/** The size of the frame prompts and results refer to: the source frame of a crop. */
export function sourceSize(frame: Frame): { width: number; height: number } {
  return isRoiFrame(frame) ? { width: frame.sourceWidth, height: frame.sourceHeight } : { width: frame.width, height: frame.height };
}

export function fullFrame(width: number, height: number): Rect {
  return { x: 0, y: 0, width, height };
}

/** Throws unless `rect` is a non-empty integer rectangle inside a width x height frame. */
export function checkRect(rect: Rect, width: number, height: number, what = 'ROI'): void {
  const { x, y, width: w, height: h } = rect;
  const integers = [x, y, w, h].every(Number.isInteger);
  if (!integers || w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > width || y + h > height) {
    throw new Error(`${what} ${describeRect(rect)} does not fit in the ${width}x${height} frame`);
  }
}

export function describeRect(rect: Rect): string {
  return `${rect.width}x${rect.height} at (${rect.x}, ${rect.y})`;
}

/** Copies the rectangle's rows out of the frame (the model keeps the crop, not a view of the source).
 * The full frame is passed through without a copy. */
export function cropFrame<T extends Frame>(frame: T, rect: Rect): T & RoiFrame {
  checkRect(rect, frame.width, frame.height);
  const source = { roi: rect, sourceWidth: frame.width, sourceHeight: frame.height, sourceData: frame.data };
  if (rect.width === frame.width && rect.height === frame.height) return { ...frame, ...source };
  const data = new Uint8Array(rect.width * rect.height);
  for (let row = 0; row < rect.height; row++) {
    const start = (rect.y + row) * frame.width + rect.x;
    data.set(frame.data.subarray(start, start + rect.width), row * rect.width);
  }
  return { ...frame, width: rect.width, height: rect.height, data, ...source };
}

/** A box [x0, y0, x1, y1] in crop pixels, in source frame pixels. */
export function boxToSource(
  box: readonly [number, number, number, number],
  frame: RoiFrame,
): [number, number, number, number] {
  const { x, y } = frame.roi;
  return [box[0] + x, box[1] + y, box[2] + x, box[3] + y];
}

/** Intersection over union of two rectangles (1 = identical). */
export function rectIoU(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = Math.max(0, w) * Math.max(0, h);
  return inter / (a.width * a.height + b.width * b.height - inter);
}
