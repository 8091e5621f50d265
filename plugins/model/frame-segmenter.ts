/** Turns one grey frame into a SegmentedFrame: model inference for every tracked object, then the
 * masks painted back at source resolution (as an ellipse for classes with that shape prior in the
 * manifest). Object score < 0 means no mask for that object. In manual
 * mode an object with neither a prompt on this frame nor a prompted (conditioning) frame in its memory
 * is not run at all: there is nothing to segment yet (its score is -Infinity, `null` in JSON). */
import type { ClassResult, Frame, SegmentedFrame } from '../../src/frames/frame.js';
import { paintMask } from './mask-upsample.js';
import { paintEllipseMask } from './shape-prior.js';
import { hasPrompts } from './prompts.js';
import type { ObjectQuery, Sam2RadModel } from './sam2rad-model.js';

function isIdle(query: ObjectQuery): boolean {
  return query.mode === 'manual' && !query.bank.hasConditioning && !hasPrompts(query.prompts);
}

export async function segmentFrame(
  model: Sam2RadModel,
  frame: Frame,
  queries: readonly ObjectQuery[],
): Promise<SegmentedFrame> {
  const active = queries.filter((q) => !isIdle(q));
  const inference = await model.infer(frame.data, frame.width, frame.height, active);
  const classMap = new Uint8Array(frame.width * frame.height);
  const { geometry } = inference;
  const k = 1 / geometry.scale;
  const s = geometry.size;
  let next = 0;
  const results: ClassResult[] = queries.map((query) => {
    const value = query.classIndex + 1;
    const className = model.manifest.classes[query.classIndex]!;
    const object = isIdle(query) ? undefined : inference.objects[next++];
    if (!object) return { className, value, objectScore: Number.NEGATIVE_INFINITY, box: [0, 0, 0, 0], area: 0 };
    const [x0, y0, x1, y1] = object.box;
    const result = { className, value, objectScore: object.objectScore, box: [x0 * s * k, y0 * s * k, x1 * s * k, y1 * s * k] as const };
    if (object.objectScore < 0) return { ...result, area: 0 };
    const { size } = model.manifest.mask;
    if (model.manifest.mask.shape_priors?.[className] === 'ellipse') {
      return { ...result, ...paintEllipseMask(object.maskLogits, size, geometry, value, classMap) };
    }
    return { ...result, area: paintMask(object.maskLogits, size, geometry, value, classMap) };
  });
  const postprocessed = performance.now();
  return {
    ...frame,
    timestamps: { ...frame.timestamps, ...inference.timestamps, postprocessed },
    classMap,
    results,
  };
}
