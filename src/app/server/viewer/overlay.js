// Draws the grey frame with the class map on top into a canvas.
// Class colours come from the server (src/core/frames/class-colours.ts), so recordings and the live view match.
import { classColour } from './class-colours.js';

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

const POSITIVE = '#36e05a';
const NEGATIVE = '#ff3b6b';

/**
 * Draw prompt markers on top of the frame (frame-pixel coordinates = canvas coordinates):
 * points as +/− discs (green/red), boxes as dashed outlines in their class colour.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ points?: {x: number, y: number, label: number}[], box?: number[], value: number }[]} prompts
 * @param {number} unit frame pixels per CSS pixel, so markers keep their on-screen size
 */
export function drawPrompts(ctx, prompts, unit) {
  ctx.save();
  ctx.lineWidth = 2 * unit;
  for (const prompt of prompts) {
    if (prompt.box) {
      const [x0, y0, x1, y1] = prompt.box;
      const [r, g, b] = classColour(prompt.value);
      ctx.setLineDash([6 * unit, 4 * unit]);
      ctx.strokeStyle = `rgb(${r},${g},${b})`;
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      ctx.setLineDash([]);
    }
    for (const p of prompt.points ?? []) drawPoint(ctx, p, unit);
  }
  ctx.restore();
}

/**
 * Draw the ROI, the part of the frame the model sees, as a thin dashed white rectangle.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ x: number, y: number, width: number, height: number }} roi frame pixels
 * @param {number} unit frame pixels per CSS pixel
 */
export function drawRoi(ctx, roi, unit) {
  // At least one frame pixel wide: thinner lines smear on a canvas the page scales up.
  const w = Math.max(1, unit);
  ctx.save();
  ctx.lineWidth = w;
  ctx.globalAlpha = 0.6;
  ctx.strokeStyle = '#fff';
  ctx.setLineDash([4 * w, 4 * w]);
  // Half a line in, so the line lies on the ROI's outermost pixels.
  ctx.strokeRect(roi.x + w / 2, roi.y + w / 2, roi.width - w, roi.height - w);
  ctx.restore();
}

function drawPoint(ctx, { x, y, label }, unit) {
  const r = 7 * unit;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = label === 1 ? POSITIVE : NEGATIVE;
  ctx.fill();
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 1.5 * unit;
  ctx.stroke();
  ctx.beginPath();
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2 * unit;
  ctx.moveTo(x - r * 0.55, y);
  ctx.lineTo(x + r * 0.55, y);
  if (label === 1) {
    ctx.moveTo(x, y - r * 0.55);
    ctx.lineTo(x, y + r * 0.55);
  }
  ctx.stroke();
}

/**
 * Draw the gesture in progress: a dashed box, or the brush stroke.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ kind: 'box' | 'stroke', negative: boolean, points: {x: number, y: number}[] }} preview
 */
export function drawGesture(ctx, preview, unit) {
  const pts = preview.points;
  if (pts.length === 0) return;
  ctx.save();
  ctx.lineWidth = 2 * unit;
  ctx.strokeStyle = preview.negative ? NEGATIVE : POSITIVE;
  if (preview.kind === 'box') {
    const a = pts[0];
    const b = pts[pts.length - 1];
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.strokeRect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(b.x - a.x), Math.abs(b.y - a.y));
  } else {
    ctx.lineWidth = 4 * unit;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.globalAlpha = 0.7;
    ctx.beginPath();
    ctx.moveTo(pts[0].x, pts[0].y);
    for (const p of pts.slice(1)) ctx.lineTo(p.x, p.y);
    ctx.stroke();
  }
  ctx.restore();
}
