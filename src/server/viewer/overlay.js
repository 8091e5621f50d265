// Draws the grey frame with the class map on top into a canvas.

/** Colour per class value (1 → first, cycling). Keep in sync with CLASS_COLOURS in plugins/sinks/overlay.ts. */
export const PALETTE = [
  [255, 64, 64],
  [64, 200, 255],
  [96, 230, 96],
  [255, 200, 40],
  [200, 96, 255],
  [255, 128, 200],
  [64, 230, 200],
  [255, 150, 64],
];

export function classColour(value) {
  return PALETTE[(value - 1) % PALETTE.length];
}

/**
 * @param {CanvasRenderingContext2D} ctx canvas context sized to the frame
 * @param {{ header: { width: number, height: number }, grey: Uint8Array, classMap: Uint8Array }} frame
 * @param {{ opacity: number, style: 'fill' | 'contour' }} options
 */
export function drawFrame(ctx, frame, { opacity, style }) {
  const { width, height } = frame.header;
  const { grey, classMap } = frame;
  const image = ctx.createImageData(width, height);
  const px = image.data;
  const fillAlpha = style === 'fill' ? opacity : 0;
  const keep = 1 - fillAlpha;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const o = i * 4;
      const g = grey[i];
      const c = classMap[i];
      px[o + 3] = 255;
      // Opacity 0 hides the overlay entirely.
      if (c === 0 || opacity === 0) {
        px[o] = px[o + 1] = px[o + 2] = g;
        continue;
      }
      const [r, gr, b] = classColour(c);
      // Outline pixels (a 4-neighbour of another class, or the frame edge) are drawn solid.
      const edge =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
        classMap[i - 1] !== c || classMap[i + 1] !== c || classMap[i - width] !== c || classMap[i + width] !== c;
      const a = edge ? 1 : fillAlpha;
      const k = edge ? 0 : keep;
      px[o] = g * k + r * a;
      px[o + 1] = g * k + gr * a;
      px[o + 2] = g * k + b * a;
    }
  }
  ctx.putImageData(image, 0, 0);
}
