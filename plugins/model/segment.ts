/** The segmentation stage as RxJS operators, for this pipeline and for integrators' own pipelines.
 *
 *   frames$.pipe(segment(session))                        // every frame, in order
 *   frames$.pipe(segmentLatest(session, onDrop))          // real time: newest frame first, drops counted
 *
 * Both prepare the next frame's model input (the letterbox) on a worker thread while the current frame is
 * in the model's graphs (onnxruntime-node runs them on this thread, so only another thread can overlap
 * them), and queue the next frame's graphs before painting a frame's masks (src/core/operators/realtime.ts:
 * inOrderPrepared, latestOnlyPrepared). */
import type { OperatorFunction } from 'rxjs';
import type { Frame, SegmentedFrame } from '../../src/core/frames/frame.js';
import { inOrderPrepared, latestOnlyPrepared } from '../../src/core/operators/prepared.js';
import type { PreparedImage } from './image-preparer.js';
import type { SegmentationSession } from './segmentation-session.js';

/** Segments every frame in order (memory needs order). Upstream should be paced or bounded. */
export function segment(session: SegmentationSession): OperatorFunction<Frame, SegmentedFrame> {
  return inOrderPrepared(
    (frame: Frame, ahead) => preparing(session, frame, ahead),
    async (frame, prepared) => session.infer(frame, [], await prepared),
    (prepared) => void prepared.then((p) => p && session.discard(p)),
  );
}

/** The frame's model input: on the worker thread while the model is busy (`ahead`), else here at once
 * (a round trip to the worker would only delay an idle model). Undefined when the model cannot prepare
 * ahead here (no spare core: Sam2RadModel.preparesAhead) or that failed: infer makes it when it runs. */
function preparing(session: SegmentationSession, frame: Frame, ahead: boolean): Promise<PreparedImage | undefined> {
  if (ahead) return session.preparesAhead ? session.prepareAsync(frame).catch(() => undefined) : Promise.resolve(undefined);
  try {
    return Promise.resolve(session.prepare(frame));
  } catch {
    return Promise.resolve(undefined);
  }
}

/** Real-time segmentation: while a frame is in the model, only the newest arriving frame waits (prepared
 * on a worker thread shortly before the model is expected to be free); older waiting frames are dropped
 * and reported to `onDrop`. A frame's masks are painted once the next frame is queued for the model. With
 * `onError`, a frame the model fails on is reported and skipped instead of ending the stream (a live
 * server keeps serving). */
export function segmentLatest(
  session: SegmentationSession,
  onDrop: (frame: Frame) => void,
  onError?: (error: Error, frame: Frame) => void,
): OperatorFunction<Frame, SegmentedFrame> {
  return latestOnlyPrepared<Frame, Promise<PreparedImage | undefined>, SegmentedFrame>({
    prepare: (frame, ahead) => preparing(session, frame, ahead),
    stage: async (frame, prepared) => session.infer(frame, [], await prepared),
    onDrop: (frame, prepared) => {
      void prepared?.then((p) => p && session.discard(p));
      onDrop(frame);
    },
    discard: (prepared) => void prepared.then((p) => p && session.discard(p)),
    ...(onError ? { onError } : {}),
  });
}
