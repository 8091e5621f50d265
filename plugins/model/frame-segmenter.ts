/** Turns one grey frame into a SegmentedFrame: model inference for every tracked object, then the
 * masks painted back at source resolution (as an ellipse for classes with that shape prior in the
 * manifest). Object score < 0 means no mask for that object. In manual mode an object with neither a
 * prompt on this frame nor a prompted (conditioning) frame in its memory is not run at all: there is
 * nothing to segment yet (its score is -Infinity, `null` in JSON).
 *
 * A cropped frame (RoiFrame) is segmented on the crop, and everything outside this function stays in
 * the source frame's pixels: prompts come in and results go out on the whole frame. A fitted ellipse
 * comes with its biometry (HC, BPD, OFD; in mm when the frame carries a calibration). */
import { ellipseBiometry } from '../../src/core/frames/biometry.js';
import type { ClassResult, Frame, SegmentedFrame } from '../../src/core/frames/frame.js';
import { boxToSource, isRoiFrame, type Rect, type RoiFrame } from '../../src/core/frames/roi.js';
import { paintMask } from './mask-upsample.js';
import { atOrigin, type Placement } from './row-spans.js';
import { hasPrompts, type FramePrompts } from './prompts.js';
import type { PreparedImage } from './image-preparer.js';
import type { FrameInference, ObjectQuery } from './object-query.js';
import type { Sam2RadModel } from './sam2rad-model.js';
import { paintEllipseMask } from './shape-prior.js';

/** A crop copied out of its source frame; a crop that is the whole frame (cropFrame passes it without a
 * copy) is segmented and painted as the frame itself. */
function isCopiedCrop(frame: Frame): frame is RoiFrame {
  return isRoiFrame(frame) && frame.data !== frame.sourceData;
}

function isIdle(query: ObjectQuery): boolean {
  return query.mode === 'manual' && !query.bank.hasConditioning && !hasPrompts(query.prompts);
}

/** The model's input for `frame` (the crop of an RoiFrame), made ahead of `segmentFrame` (which then skips
 * the letterbox): see Sam2RadModel.prepare. */
export function prepareFrame(model: Sam2RadModel, frame: Frame): PreparedImage {
  return model.prepare(frame.data, frame.width, frame.height);
}

export async function segmentFrame(
  model: Sam2RadModel,
  frame: Frame,
  queries: readonly ObjectQuery[],
  prepared?: PreparedImage,
): Promise<SegmentedFrame> {
  return (await inferFrame(model, frame, queries, prepared))();
}

/**
 * `segmentFrame` in two steps: the graphs (awaited; the model is free again, memory updated, when this
 * resolves), then the returned function paints the masks and maps the results to the frame (synchronous).
 * A pipeline can start the next frame's graphs before painting this one's.
 */
export async function inferFrame(
  model: Sam2RadModel,
  frame: Frame,
  queries: readonly ObjectQuery[],
  prepared?: PreparedImage,
): Promise<() => SegmentedFrame> {
  if (!isCopiedCrop(frame)) {
    const finish = await inferCrop(model, frame, queries, prepared);
    return () => withBiometry(finish(), model.manifest.mask.biometry_axis_scales);
  }
  const finish = await inferCrop(model, frame, queries.map((q) => ({ ...q, prompts: q.prompts && promptsInCrop(q.prompts, frame.roi) })), prepared);
  return () => withBiometry(inSource(finish(), frame), model.manifest.mask.biometry_axis_scales);
}

/** The crop's results in the source frame (its class map was painted there already: paintCrop). */
function inSource(segmented: SegmentedFrame, frame: RoiFrame): SegmentedFrame {
  const { roi } = frame;
  return {
    index: frame.index,
    timestamps: segmented.timestamps,
    width: frame.sourceWidth,
    height: frame.sourceHeight,
    data: frame.sourceData,
    classMap: segmented.classMap,
    results: segmented.results.map((r) => resultInSource(r, frame)),
    roi,
    ...(frame.calibration ? { calibration: frame.calibration } : {}),
  };
}

/** HC, BPD and OFD of every fitted ellipse (source-frame pixels; mm on a calibrated frame), each class's
 * semi-axes scaled by its `axisScales` entry. */
function withBiometry(frame: SegmentedFrame, axisScales?: Readonly<Record<string, number>>): SegmentedFrame {
  if (!frame.results.some((r) => r.ellipse)) return frame;
  return {
    ...frame,
    results: frame.results.map((r) =>
      r.ellipse ? { ...r, biometry: ellipseBiometry(r.ellipse, frame.calibration, axisScales?.[r.className] ?? 1) } : r,
    ),
  };
}

async function inferCrop(model: Sam2RadModel, frame: Frame, queries: readonly ObjectQuery[], prepared?: PreparedImage): Promise<() => SegmentedFrame> {
  const active = queries.filter((q) => !isIdle(q));
  const inference = await model.infer(frame.data, frame.width, frame.height, active, prepared);
  return () => paintCrop(model, frame, queries, inference);
}

/** The masks painted at frame resolution: for a crop, straight into a class map of the source frame's size
 * (no crop-sized map to copy back). Results stay in the crop's pixels. */
function paintCrop(model: Sam2RadModel, frame: Frame, queries: readonly ObjectQuery[], inference: FrameInference): SegmentedFrame {
  const crop = isCopiedCrop(frame);
  const classMap = new Uint8Array(crop ? frame.sourceWidth * frame.sourceHeight : frame.width * frame.height);
  const at: Placement = crop ? { stride: frame.sourceWidth, x: frame.roi.x, y: frame.roi.y } : atOrigin(frame.width);
  const { geometry } = inference;
  const k = 1 / geometry.scale;
  const s = geometry.size;
  const { size, threshold_logit, class_threshold_logits, shape_priors: priors } = model.manifest.mask;
  let next = 0;
  const results: ClassResult[] = queries.map((query) => {
    const value = query.classIndex + 1;
    const className = model.manifest.classes[query.classIndex]!;
    const object = isIdle(query) ? undefined : inference.objects[next++];
    if (!object) return { className, value, objectScore: Number.NEGATIVE_INFINITY, box: [0, 0, 0, 0], area: 0 };
    const [x0, y0, x1, y1] = object.box;
    const { logits, objectScore } = query.smoothing?.update(object.maskLogits, object.objectScore) ?? { logits: object.maskLogits, objectScore: object.objectScore };
    const result = { className, value, objectScore, box: [x0 * s * k, y0 * s * k, x1 * s * k, y1 * s * k] as const };
    if (objectScore < 0) return { ...result, area: 0 };
    const threshold = class_threshold_logits?.[className] ?? threshold_logit;
    if (priors?.[className] === 'ellipse') {
      return { ...result, ...paintEllipseMask(logits, size, geometry, value, classMap, threshold, at) };
    }
    return { ...result, area: paintMask(logits, size, geometry, value, classMap, threshold, at).area };
  });
  const postprocessed = performance.now();
  return {
    ...frame,
    timestamps: { ...frame.timestamps, ...inference.timestamps, postprocessed },
    classMap,
    results,
  };
}

/** Source-frame prompts in the crop's pixels; points outside the crop are moved to its edge. */
function promptsInCrop(prompts: FramePrompts, roi: Rect): FramePrompts {
  const x = (v: number) => Math.min(roi.width, Math.max(0, v - roi.x));
  const y = (v: number) => Math.min(roi.height, Math.max(0, v - roi.y));
  const { box, points } = prompts;
  return {
    points: points?.map((p) => ({ ...p, x: x(p.x), y: y(p.y) })),
    box: box && [x(box[0]), y(box[1]), x(box[2]), y(box[3])],
  };
}

function resultInSource(result: ClassResult, frame: RoiFrame): ClassResult {
  const { x, y } = frame.roi;
  // An object that was not run has no box to move.
  const moved = Number.isFinite(result.objectScore) ? { ...result, box: boxToSource(result.box, frame) } : result;
  return result.ellipse ? { ...moved, ellipse: { ...result.ellipse, cx: result.ellipse.cx + x, cy: result.ellipse.cy + y } } : moved;
}
