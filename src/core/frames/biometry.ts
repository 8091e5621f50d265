/** Fetal head biometry from a fitted ellipse (ClassResult.ellipse, the `ellipse` shape prior):
 *   HC  head circumference: the ellipse's perimeter (Ramanujan's first approximation),
 *   BPD biparietal diameter: the minor axis (2b),
 *   OFD occipito-frontal diameter: the major axis (2a),
 * in frame pixels always, and in millimetres when the frame is calibrated (FrameCalibration: from the
 * DICOM Sequence of Ultrasound Regions, or a stream definition's `pixelSpacingMm`). The axes are measured
 * on the fitted ellipse, centre line to centre line of its outline (HC18's convention), not outer-to-inner
 * as some calipers are placed. A pixel spacing that differs along x and y is applied to the ellipse
 * itself (the ellipse in millimetres is the pixel ellipse scaled per axis, whose axes are its singular values). */
import type { Ellipse, Frame } from './frame.js';
import type { Rect } from './roi.js';

/** How frame pixels map to physical size. */
export interface FrameCalibration {
  /** Millimetres per pixel along x (columns) and y (rows). */
  readonly mmPerPixel: { readonly x: number; readonly y: number };
  /** Where it came from: a DICOM ultrasound region, the stream definition's `pixelSpacingMm`, or a
   * labelled set's pixel size (`sam2rad eval`, provenance.csv). */
  readonly source: 'dicom' | 'stream' | 'dataset';
  /** The calibrated region in frame pixels (a DICOM ultrasound region); absent: the whole frame. */
  readonly region?: Rect;
}

export interface Biometry {
  /** Head circumference, biparietal and occipito-frontal diameters in frame pixels. */
  readonly hcPx: number;
  readonly bpdPx: number;
  readonly ofdPx: number;
  /** The same in millimetres; null when the frame has no calibration. */
  readonly hcMm: number | null;
  readonly bpdMm: number | null;
  readonly ofdMm: number | null;
  /** The calibration used (mm per pixel along x and y, and its source); null: pixels only. */
  readonly mmPerPixel: { readonly x: number; readonly y: number } | null;
  readonly calibration: FrameCalibration['source'] | null;
  /** False when the ellipse reaches outside the calibrated region (its millimetres are then doubtful). */
  readonly inRegion: boolean;
}

/** Perimeter of an ellipse with semi-axes a, b (Ramanujan: pi (3(a+b) - sqrt((3a+b)(a+3b)))); the error
 * is below 0.04 % for every ratio of axes a fetal head has. */
export function ellipsePerimeter(a: number, b: number): number {
  return Math.PI * (3 * (a + b) - Math.sqrt((3 * a + b) * (a + 3 * b)));
}

/** Semi-axes (major, minor) of the ellipse scaled by sx along x and sy along y. */
export function scaledSemiAxes(ellipse: Ellipse, sx: number, sy: number): { a: number; b: number } {
  const cos = Math.cos(ellipse.angle);
  const sin = Math.sin(ellipse.angle);
  // M = diag(sx, sy) R(angle) diag(a, b); the semi-axes of M's image of the unit circle are its singular values.
  const m11 = sx * cos * ellipse.a;
  const m12 = -sx * sin * ellipse.b;
  const m21 = sy * sin * ellipse.a;
  const m22 = sy * cos * ellipse.b;
  const p = m11 * m11 + m12 * m12 + m21 * m21 + m22 * m22;
  const det = Math.abs(m11 * m22 - m12 * m21);
  const root = Math.sqrt(Math.max(0, p * p - 4 * det * det));
  return { a: Math.sqrt((p + root) / 2), b: Math.sqrt(Math.max(0, (p - root) / 2)) };
}

/** Whether the ellipse's bounding box lies inside the rectangle. */
function ellipseInside(ellipse: Ellipse, rect: Rect): boolean {
  const { cx, cy, a, b, angle } = ellipse;
  const hx = Math.hypot(a * Math.cos(angle), b * Math.sin(angle));
  const hy = Math.hypot(a * Math.sin(angle), b * Math.cos(angle));
  return cx - hx >= rect.x && cy - hy >= rect.y && cx + hx <= rect.x + rect.width && cy + hy <= rect.y + rect.height;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** HC, BPD and OFD of a fitted ellipse (frame pixels), in millimetres too when `calibration` is given.
 * `axisScale` multiplies the semi-axes first (the manifest's `mask.biometry_axis_scales`: where the model's
 * masks reach past the outline's centre line that the measurement convention uses). */
export function ellipseBiometry(fitted: Ellipse, calibration?: FrameCalibration, axisScale = 1): Biometry {
  const ellipse = axisScale === 1 ? fitted : { ...fitted, a: fitted.a * axisScale, b: fitted.b * axisScale };
  const px = {
    hcPx: round(ellipsePerimeter(ellipse.a, ellipse.b), 2),
    bpdPx: round(2 * ellipse.b, 2),
    ofdPx: round(2 * ellipse.a, 2),
  };
  if (!calibration) return { ...px, hcMm: null, bpdMm: null, ofdMm: null, mmPerPixel: null, calibration: null, inRegion: true };
  const { x, y } = calibration.mmPerPixel;
  const mm = scaledSemiAxes(ellipse, x, y);
  return {
    ...px,
    hcMm: round(ellipsePerimeter(mm.a, mm.b), 2),
    bpdMm: round(2 * mm.b, 2),
    ofdMm: round(2 * mm.a, 2),
    mmPerPixel: { x, y },
    calibration: calibration.source,
    inRegion: calibration.region ? ellipseInside(ellipse, calibration.region) : true,
  };
}

/** The frame with `calibration` unless it has its own (a DICOM region's calibration wins over a configured one). */
export function calibrated<T extends Frame>(frame: T, calibration: FrameCalibration): T {
  return frame.calibration ? frame : { ...frame, calibration };
}
