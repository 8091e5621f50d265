/** Turns one grey frame into a SegmentedFrame: model inference for every tracked object, then the
 * masks painted back at source resolution. Object score < 0 means no mask for that object. */
import type { ClassResult, Frame, SegmentedFrame } from '../../src/frames/frame.js';
import { paintMask } from './mask-upsample.js';
import type { ObjectQuery, Sam2RadModel } from './sam2rad-model.js';

export async function segmentFrame(
  model: Sam2RadModel,
  frame: Frame,
  queries: readonly ObjectQuery[],
): Promise<SegmentedFrame> {
  const inference = await model.infer(frame.data, frame.width, frame.height, queries);
  const classMap = new Uint8Array(frame.width * frame.height);
  const { geometry } = inference;
  const k = 1 / geometry.scale;
  const s = geometry.size;
  const results: ClassResult[] = inference.objects.map((object, i) => {
    const value = queries[i]!.classIndex + 1;
    const present = object.objectScore >= 0;
    const area = present ? paintMask(object.maskLogits, model.manifest.mask.size, geometry, value, classMap) : 0;
    const [x0, y0, x1, y1] = object.box;
    return {
      className: model.manifest.classes[queries[i]!.classIndex]!,
      value,
      objectScore: object.objectScore,
      box: [x0 * s * k, y0 * s * k, x1 * s * k, y1 * s * k],
      area,
    };
  });
  const postprocessed = performance.now();
  return {
    ...frame,
    timestamps: { ...frame.timestamps, ...inference.timestamps, postprocessed },
    classMap,
    results,
  };
}
