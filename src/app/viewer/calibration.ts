// Two-click calibration, for frames that come without one (a video feed whose stream definition has no
// `pixelSpacingMm`): the user types a known distance (e.g. 50 mm between two marks of the scanner's depth
// scale), presses Calibrate and clicks its two ends on the canvas; mm per pixel = that distance / the
// clicks' distance in frame pixels, the same along x and y.
//
// It stays in the page and is not sent to the server: it is one user's reading of one screen, so it
// calibrates what this page shows only (recordings and other viewers keep the server's calibration or
// none), needs no protocol message, and a calibration the frames carry wins over it (biometry.ts).
import { canvasToFrame, type FramePoint } from './coords.js';
import type { Ui } from './dom.js';
import type { MessageLog } from './log.js';
import type { ViewerState } from './state.js';

const MARK_COLOUR = '#4fe0ff';

export class TwoClickCalibration {
  /** The clicked ends of the known distance, in frame pixels: none, the first (while picking), or both. */
  private points: FramePoint[] = [];
  private picking = false;

  constructor(
    private readonly ui: Pick<Ui, 'canvas' | 'calibrate' | 'calibrationMm' | 'calibrationClear' | 'calibrationInfo' | 'body'>,
    private readonly state: ViewerState,
    private readonly log: MessageLog,
  ) {
    ui.calibrate.addEventListener('click', () => this.start());
    ui.calibrationClear.addEventListener('click', () => this.set([], false));
    // A corrected distance applies to the clicks already made.
    ui.calibrationMm.addEventListener('input', () => this.set(this.points, this.picking));
    // Capture phase: while picking, a press on the canvas is a calibration point and never reaches the
    // prompt gestures (gestures.ts), whatever the mode.
    ui.canvas.addEventListener(
      'pointerdown',
      (event) => {
        if (!this.picking || event.button !== 0) return;
        event.stopImmediatePropagation();
        event.preventDefault();
        const { x, y, inside } = canvasToFrame(ui.canvas, event.clientX, event.clientY);
        if (inside) this.set([...this.points, { x, y }], this.points.length === 0);
      },
      { capture: true },
    );
  }

  /** Millimetres per frame pixel, or null: not calibrated (or picking). */
  get mmPerPixel(): number | null {
    const mm = this.distanceMm();
    const [p, q] = this.points;
    if (this.picking || !p || !q || mm === null) return null;
    const pixels = Math.hypot(q.x - p.x, q.y - p.y);
    return pixels > 0 ? mm / pixels : null;
  }

  /** The clicked points and the line between them, in frame pixels (`unit`: frame pixels per CSS pixel). */
  draw(ctx: CanvasRenderingContext2D, unit: number): void {
    if (this.points.length === 0) return;
    ctx.save();
    ctx.strokeStyle = MARK_COLOUR;
    ctx.lineWidth = 1.5 * unit;
    ctx.beginPath();
    for (const { x, y } of this.points) {
      ctx.moveTo(x - 6 * unit, y);
      ctx.lineTo(x + 6 * unit, y);
      ctx.moveTo(x, y - 6 * unit);
      ctx.lineTo(x, y + 6 * unit);
    }
    const [p, q] = this.points;
    if (p && q) {
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(q.x, q.y);
    }
    ctx.stroke();
    ctx.restore();
  }

  private distanceMm(): number | null {
    const mm = Number(this.ui.calibrationMm.value);
    return this.ui.calibrationMm.value !== '' && Number.isFinite(mm) && mm > 0 ? mm : null;
  }

  private start(): void {
    if (this.distanceMm() === null) {
      this.log.reply('Two-click calibration: type the known distance in mm first (e.g. between two marks of the depth scale).', true);
      return;
    }
    this.set([], true);
  }

  private set(points: FramePoint[], picking: boolean): void {
    this.points = points;
    this.picking = picking;
    const scale = this.mmPerPixel;
    this.ui.calibrationInfo.textContent = picking
      ? `Click the ${points.length === 0 ? 'first' : 'second'} end of the ${this.distanceMm()} mm distance on the frame.`
      : scale !== null
        ? `${scale.toFixed(4)} mm per pixel (used for frames without their own calibration)`
        : '';
    this.ui.body.calibration = picking ? 'picking' : scale !== null ? 'two-click' : '';
    this.state.overlayDirty = true;
  }
}
