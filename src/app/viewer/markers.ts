// Marks drawn over the frame on the visible canvas (frame-pixel coordinates = canvas coordinates):
// prompt markers, the gesture in progress and the model's ROI. `unit` is frame pixels per CSS pixel, so
// marks keep their on-screen size whatever the canvas is scaled to.
import { classColour } from '../../core/frames/class-colours.js';
import type { Rect } from '../../core/frames/roi.js';
import type { FramePoint } from './coords.js';
import type { PromptAction, PromptPoint } from './prompts.js';

const POSITIVE = '#36e05a';
const NEGATIVE = '#ff3b6b';

/** A prompt marker: the action and its class value (for the box colour). */
export interface PromptMarker extends PromptAction {
  readonly value: number;
}

/** The gesture in progress: a dashed box from its first to its last point, or the brush stroke. */
export interface GesturePreview {
  readonly kind: 'box' | 'stroke';
  readonly negative: boolean;
  readonly points: readonly FramePoint[];
}

/** Points as +/− discs (green/red), boxes as dashed outlines in their class colour. */
export function drawPrompts(ctx: CanvasRenderingContext2D, prompts: readonly PromptMarker[], unit: number): void {
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

/** The ROI, the part of the frame the model sees (frame pixels), as a thin dashed white rectangle. */
export function drawRoi(ctx: CanvasRenderingContext2D, roi: Rect, unit: number): void {
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

function drawPoint(ctx: CanvasRenderingContext2D, { x, y, label }: PromptPoint, unit: number): void {
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

/** The gesture in progress: a dashed box, or the brush stroke. */
export function drawGesture(ctx: CanvasRenderingContext2D, preview: GesturePreview, unit: number): void {
  const pts = preview.points;
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (!first || !last) return;
  ctx.save();
  ctx.lineWidth = 2 * unit;
  ctx.strokeStyle = preview.negative ? NEGATIVE : POSITIVE;
  if (preview.kind === 'box') {
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.strokeRect(Math.min(first.x, last.x), Math.min(first.y, last.y), Math.abs(last.x - first.x), Math.abs(last.y - first.y));
  } else {
    ctx.lineWidth = 4 * unit;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.globalAlpha = 0.7;
    ctx.beginPath();
    ctx.moveTo(first.x, first.y);
    for (const p of pts.slice(1)) ctx.lineTo(p.x, p.y);
    ctx.stroke();
  }
  ctx.restore();
}
