// Fetal head biometry on screen: the fitted ellipse of each class that has one (`fetal_head` in the shipped
// model) with its OFD (major) and BPD (minor) axes, drawn over the frame, and the readout under the canvas,
// e.g. `HC 172.3 mm · BPD 52.1 mm · OFD 60.0 mm (calibration: stream definition)`.
//
// The server measures (src/core/frames/biometry.ts) and sends each result's `ellipse` and `biometry`; the
// page only shows them. The one measurement made here is the two-click calibration's (calibration.ts): it
// is the page's own, so the server's mm fields are null then and the pixel values are scaled here. A
// calibration the frame already has (DICOM, stream definition) wins over it, as a source's own calibration
// wins over a configured one on the server.
import type { Biometry } from '../../core/frames/biometry.js';
import type { ClassResult } from '../../core/frames/frame.js';
import type { TwoClickCalibration } from './calibration.js';
import type { Ui } from './dom.js';
import type { ViewerFrame } from './frames.js';

/** Where the millimetres come from: the server's calibration sources, or the page's two clicks. */
export type CalibrationSource = NonNullable<Biometry['calibration']> | 'two-click';

const SOURCE_NAMES: Readonly<Record<CalibrationSource, string>> = {
  dicom: 'DICOM',
  stream: 'stream definition',
  dataset: 'dataset',
  'two-click': 'two-click',
};

/** One class's measurement as shown: the server's biometry, in mm by the two-click calibration when the
 * frame had none. */
export interface HeadReadout extends Omit<Biometry, 'calibration'> {
  readonly className: string;
  readonly calibration: CalibrationSource | null;
}

/** What the readout shows for the frame on screen (window.sam2radViewer.biometry). */
export interface BiometryReadout {
  readonly frameIndex: number;
  readonly text: string;
  readonly heads: readonly HeadReadout[];
}

/** Not a class colour (class-colours.ts), so the ellipse stands out from every overlay. */
export const ELLIPSE_COLOUR = 'rgb(255, 255, 0)';

const round2 = (value: number) => Math.round(value * 100) / 100;

/** A result's biometry, calibrated by `mmPerPixel` (the two clicks) when the frame had no calibration. */
export function headReadout(result: ClassResult, biometry: Biometry, mmPerPixel: number | null): HeadReadout {
  const { className } = result;
  if (biometry.calibration !== null || mmPerPixel === null) return { ...biometry, className };
  // One spacing along x and y: every length scales by it (Ramanujan's perimeter too).
  return {
    ...biometry,
    className,
    hcMm: round2(biometry.hcPx * mmPerPixel),
    bpdMm: round2(biometry.bpdPx * mmPerPixel),
    ofdMm: round2(biometry.ofdPx * mmPerPixel),
    mmPerPixel: { x: mmPerPixel, y: mmPerPixel },
    calibration: 'two-click',
    // The clicks calibrate the whole frame.
    inRegion: true,
  };
}

/** `HC 172.3 mm · BPD 52.1 mm · OFD 60.0 mm (calibration: stream definition)`, or the pixel values marked
 * `(not calibrated)`. */
export function describeHead(head: HeadReadout): string {
  const inMm = head.hcMm !== null && head.bpdMm !== null && head.ofdMm !== null;
  const values = inMm
    ? `HC ${head.hcMm!.toFixed(1)} mm · BPD ${head.bpdMm!.toFixed(1)} mm · OFD ${head.ofdMm!.toFixed(1)} mm`
    : `HC ${head.hcPx.toFixed(1)} px · BPD ${head.bpdPx.toFixed(1)} px · OFD ${head.ofdPx.toFixed(1)} px`;
  if (!inMm || head.calibration === null) return `${values} (not calibrated)`;
  const outside = head.inRegion ? '' : '; the ellipse reaches outside the calibrated region';
  return `${values} (calibration: ${SOURCE_NAMES[head.calibration]}${outside})`;
}

/** The readout for a frame's results; the class is named only when several have an ellipse. */
export function biometryReadout(frameIndex: number, results: readonly ClassResult[], mmPerPixel: number | null): BiometryReadout {
  const heads = results.flatMap((r) => (r.biometry ? [headReadout(r, r.biometry, mmPerPixel)] : []));
  const text = heads.length === 0
    ? 'no fitted head ellipse'
    : heads.map((h) => (heads.length > 1 ? `${h.className}: ${describeHead(h)}` : describeHead(h))).join('; ');
  return { frameIndex, text, heads };
}

/** Each shown class's measured ellipse (solid) with its OFD and BPD axes (dashed, labelled), in frame pixels;
 * `unit` is frame pixels per CSS pixel, so lines and labels keep their size on screen. */
export function drawHeadEllipses(ctx: CanvasRenderingContext2D, results: readonly ClassResult[], hidden: ReadonlySet<number>, unit: number): void {
  ctx.save();
  ctx.strokeStyle = ELLIPSE_COLOUR;
  ctx.fillStyle = ELLIPSE_COLOUR;
  ctx.lineWidth = 2 * unit;
  ctx.font = `${12 * unit}px system-ui, sans-serif`;
  for (const { ellipse, biometry, value } of results) {
    // A class hidden on screen shows nothing, its ellipse included (its readout stays: it is still measured).
    if (!ellipse || hidden.has(value)) continue;
    const { cx, cy, angle } = ellipse;
    // The ellipse the numbers are measured on: the mask's, semi-axes scaled by the manifest's
    // biometry_axis_scales (the outline's centre line), so the drawn axes are the BPD and OFD shown.
    const a = biometry ? biometry.ofdPx / 2 : ellipse.a;
    const b = biometry ? biometry.bpdPx / 2 : ellipse.b;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    ctx.beginPath();
    ctx.ellipse(cx, cy, a, b, angle, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.beginPath();
    // Major axis (OFD) along (cos, sin), minor axis (BPD) across it; y points down, as angles are given.
    ctx.moveTo(cx - a * cos, cy - a * sin);
    ctx.lineTo(cx + a * cos, cy + a * sin);
    ctx.moveTo(cx + b * sin, cy - b * cos);
    ctx.lineTo(cx - b * sin, cy + b * cos);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillText('OFD', cx + a * cos + 4 * unit, cy + a * sin);
    ctx.fillText('BPD', cx - b * sin + 4 * unit, cy + b * cos + 12 * unit);
  }
  ctx.restore();
}

/** The ellipses and the calibration marks over the frame on screen, and its readout (#biometry). */
export class BiometryView {
  /** The readout of the frame on screen; null before the first frame. */
  readout: BiometryReadout | null = null;

  constructor(
    private readonly ui: Pick<Ui, 'biometry'>,
    private readonly calibration: TwoClickCalibration,
  ) {}

  /** Drawn with the other marks (render.ts), so a calibration or a hidden class shows at once. */
  draw(ctx: CanvasRenderingContext2D, frame: ViewerFrame, hidden: ReadonlySet<number>, unit: number): void {
    const { index, results } = frame.header;
    drawHeadEllipses(ctx, results, hidden, unit);
    this.calibration.draw(ctx, unit);
    this.readout = biometryReadout(index, results, this.calibration.mmPerPixel);
    if (this.ui.biometry.textContent !== this.readout.text) this.ui.biometry.textContent = this.readout.text;
  }
}
