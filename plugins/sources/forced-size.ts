/** The optional `width`/`height` source options: decode at a fixed size (ffmpeg scales) instead of the
 * feed's own, e.g. to cap the cost of a 4K grabber. */
import type { CommonSourceOptions, FrameSize } from '../../src/core/contracts/source.js';

export function forcedSize(options: CommonSourceOptions, label: string): FrameSize | undefined {
  const { width, height } = options;
  if (width === undefined && height === undefined) return undefined;
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (value === undefined || !Number.isInteger(value) || value <= 0 || value > 16384) {
      throw new Error(`${label}: option ${name} must be a positive integer when width/height are given (got ${value})`);
    }
  }
  return { width: width!, height: height! };
}

export function scaleFilter(size: FrameSize): string {
  return `scale=${size.width}:${size.height}`;
}
