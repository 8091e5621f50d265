/** Burns a class map onto a grey frame as rgb24: class colour blended inside, solid on the outline. */
import { blendOverlay } from '../../src/core/frames/overlay-blend.js';

/** Fill opacity of the class colour over the grey image. */
export const OVERLAY_ALPHA = 0.4;

/** Returns a fresh rgb24 buffer (row-major): it is handed to a pipe that may hold it after the call. */
export function renderOverlay(grey: Uint8Array, classMap: Uint8Array, width: number, height: number): Buffer {
  const rgb = Buffer.allocUnsafe(width * height * 3);
  blendOverlay(grey, width, height, [{ labels: classMap, fill: OVERLAY_ALPHA, outline: true }], { data: rgb, channels: 3 });
  return rgb;
}
