/** Burns a class map onto a grey frame as rgb24: class colour blended inside, solid on the outline. */
import { classColour } from '../../src/core/frames/class-colours.js';

/** Fill opacity of the class colour over the grey image. */
export const OVERLAY_ALPHA = 0.4;

/** Returns a fresh rgb24 buffer (row-major): it is handed to a pipe that may hold it after the call. */
export function renderOverlay(grey: Uint8Array, classMap: Uint8Array, width: number, height: number): Buffer {
  const rgb = Buffer.allocUnsafe(width * height * 3);
  const keep = 1 - OVERLAY_ALPHA;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const g = grey[i]!;
      const c = classMap[i]!;
      const o = i * 3;
      if (c === 0) {
        rgb[o] = g;
        rgb[o + 1] = g;
        rgb[o + 2] = g;
        continue;
      }
      const [r, gr, b] = classColour(c);
      // A pixel is on the outline if a 4-neighbour (or the frame edge) belongs to another class.
      const edge =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
        classMap[i - 1] !== c || classMap[i + 1] !== c || classMap[i - width] !== c || classMap[i + width] !== c;
      if (edge) {
        rgb[o] = r;
        rgb[o + 1] = gr;
        rgb[o + 2] = b;
      } else {
        rgb[o] = Math.round(g * keep + r * OVERLAY_ALPHA);
        rgb[o + 1] = Math.round(g * keep + gr * OVERLAY_ALPHA);
        rgb[o + 2] = Math.round(g * keep + b * OVERLAY_ALPHA);
      }
    }
  }
  return rgb;
}
