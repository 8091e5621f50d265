/** The ROI crop as an RxJS operator: a fixed rectangle, none, or automatic detection that is refreshed
 * every few seconds from a handful of sampled frames (never computed per frame). */
import { defer, map, type OperatorFunction } from 'rxjs';
import type { Frame } from './frame.js';
import { cropFrame, fullFrame, rectIoU, type Rect, type RoiFrame } from './roi.js';
import { detectRoi, RoiAccumulator, type RoiDetection, type RoiDetectionOptions, type RoiMethod } from './roi-detection.js';

/** 'none' passes frames whole (still as RoiFrame, so downstream code has one shape). */
export type RoiSetting = 'auto' | 'none' | Rect;

export interface AutoRoiOptions extends RoiDetectionOptions {
  /** Frames per detection (default 8). */
  readonly samples?: number;
  /** Take every n-th frame as a sample (default 4: 8 samples span ~1 s at 30 fps, enough to see motion). */
  readonly sampleEvery?: number;
  /** Frames between the end of one detection and the start of the next (default 300, ~10 s at 30 fps;
   * 0 detects once). Catches depth or layout changes on the scanner. */
  readonly redetectEvery?: number;
  /** A detection of the same method replaces the current ROI only when their IoU is below this
   * (default 0.9), so the crop does not jitter by a few pixels. */
  readonly minIoU?: number;
  /** Told whenever the ROI in use changes. */
  readonly onChange?: (detection: RoiDetection, frame: Frame) => void;
}

export function cropToRoi<T extends Frame>(setting: RoiSetting, options: AutoRoiOptions = {}): OperatorFunction<T, T & RoiFrame> {
  return (frames) => defer(() => frames.pipe(map(roiCropper<T>(setting, options))));
}

/** The crop as a function of one frame sequence (it keeps the automatic detection's state): for
 * code that pulls frames itself, such as `sam2rad eval`. On a single still image, 'auto' is the
 * one-frame brightness detection. 'auto' on a frame whose calibration has a region (the ultrasound
 * region of a DICOM cine) crops that region. */
export function roiCropper<T extends Frame>(setting: RoiSetting, options: AutoRoiOptions = {}): (frame: T) => T & RoiFrame {
  if (setting === 'none') return (frame) => cropFrame(frame, fullFrame(frame.width, frame.height));
  if (setting !== 'auto') return (frame) => cropFrame(frame, setting);
  const detect = autoRoi<T>(options);
  // A source that says where its image lies (a DICOM ultrasound region) needs no detection.
  return (frame) => (frame.calibration?.region ? cropFrame(frame, frame.calibration.region) : detect(frame));
}

/** Motion evidence beats brightness, which beats nothing. */
const RANK: Record<RoiMethod, number> = { 'full-frame': 0, brightness: 1, motion: 2 };

/** Per-subscription state machine: on the first frame (or a new frame size) a one-frame brightness
 * detection gives a crop at once; sampling then refines it with motion, and repeats periodically. */
function autoRoi<T extends Frame>(options: AutoRoiOptions): (frame: T) => T & RoiFrame {
  const samples = Math.max(2, options.samples ?? 8);
  const sampleEvery = Math.max(1, options.sampleEvery ?? 4);
  const redetectEvery = options.redetectEvery ?? 300;
  const minIoU = options.minIoU ?? 0.9;
  let current: RoiDetection | undefined;
  let accumulator: RoiAccumulator | undefined;
  let collected = 0;
  let idle = 0;

  const adopt = (found: RoiDetection, frame: Frame): void => {
    const better = !current || RANK[found.method] > RANK[current.method];
    const moved = current && RANK[found.method] === RANK[current.method] && rectIoU(found.rect, current.rect) < minIoU;
    if (better || moved) {
      current = found;
      options.onChange?.(found, frame);
    }
  };

  return (frame) => {
    if (!accumulator || accumulator.width !== frame.width || accumulator.height !== frame.height) {
      current = undefined;
      adopt(detectRoi([frame], options), frame);
      accumulator = new RoiAccumulator(frame.width, frame.height);
      collected = 0;
    }
    if (accumulator.count < samples) {
      if (collected++ % sampleEvery === 0) accumulator.add(frame);
      if (accumulator.count === samples) {
        adopt(accumulator.detect(options), frame);
        idle = 0;
      }
    } else if (redetectEvery > 0 && ++idle >= redetectEvery) {
      accumulator = new RoiAccumulator(frame.width, frame.height);
      collected = 0;
    }
    return cropFrame(frame, current!.rect);
  };
}
