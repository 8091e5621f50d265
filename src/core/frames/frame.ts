/** A decoded video frame as it flows through the pipeline. Ultrasound B-mode is grey, so frames are
 * 8-bit luma (ffmpeg converts colour feeds with `-pix_fmt gray`). */
import type { Biometry, FrameCalibration } from './biometry.js';
import type { Rect } from './roi.js';

export interface Frame {
  /** 0-based index within its source (counts every decoded frame, dropped or not). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** width * height bytes, row-major. */
  readonly data: Uint8Array;
  /** Monotonic clock (performance.now(), ms) at each stage the frame has passed, in order. */
  readonly timestamps: StageTimestamps;
  /** Millimetres per pixel, when the source knows them (a DICOM ultrasound region, a stream definition's
   * `pixelSpacingMm`): classes with an ellipse get their biometry in mm. Absent: pixels only. */
  readonly calibration?: FrameCalibration;
}

export type Stage =
  | 'decoded'
  | 'preprocessed'
  | 'image_encoder'
  | 'memory_attention'
  | 'prompt_predictor'
  | 'mask_decoder'
  | 'memory_encoder'
  | 'postprocessed'
  | 'sent';

export type StageTimestamps = Partial<Record<Stage, number>>;

/** One class's result on one frame. */
export interface ClassResult {
  readonly className: string;
  /** Value of this class in class maps and recorded masks (1-based). */
  readonly value: number;
  /** Decoder object-score logit; < 0 means the object is absent and the mask is empty. */
  readonly objectScore: number;
  /** Box from the prompt predictor, in frame pixels [x0, y0, x1, y1]. */
  readonly box: readonly [number, number, number, number];
  /** Foreground pixel count of this class in `classMap`. */
  readonly area: number;
  /** Classes with an ellipse shape prior: the ellipse painted as the mask. */
  readonly ellipse?: Ellipse;
  /** With `ellipse`: head circumference, BPD and OFD in pixels, and in mm on a calibrated frame (biometry.ts). */
  readonly biometry?: Biometry;
}

/** Centre, semi-axes (a >= b) and the major axis' angle (radians, from +x towards +y), in frame pixels. */
export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly a: number;
  readonly b: number;
  readonly angle: number;
}

export interface SegmentedFrame extends Frame {
  /** width * height bytes: 0 background, else the `value` of the class (later classes win overlaps). */
  readonly classMap: Uint8Array;
  readonly results: readonly ClassResult[];
  /** The part of this frame the model saw (its ROI crop); absent when it saw the whole frame. */
  readonly roi?: Rect;
}

export function stamp<T extends Frame>(frame: T, stage: Stage, at: number = performance.now()): T {
  return { ...frame, timestamps: { ...frame.timestamps, [stage]: at } };
}
