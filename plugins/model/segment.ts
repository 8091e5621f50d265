/** The segmentation stage as RxJS operators, for this pipeline and for integrators' own pipelines.
 *
 *   frames$.pipe(segment(session))                        // every frame, in order
 *   frames$.pipe(segmentLatest(session, onDrop))          // real time: newest frame first, drops counted
 */
import { catchError, concatMap, EMPTY, from, type OperatorFunction } from 'rxjs';
import type { Frame, SegmentedFrame } from '../../src/core/frames/frame.js';
import { latestOnly } from '../../src/core/operators/realtime.js';
import type { SegmentationSession } from './segmentation-session.js';

/** Segments every frame in order (memory needs order). Upstream should be paced or bounded. */
export function segment(session: SegmentationSession): OperatorFunction<Frame, SegmentedFrame> {
  return concatMap((frame) => session.process(frame));
}

/** Real-time segmentation: while a frame is in the model, only the newest arriving frame waits;
 * older waiting frames are dropped and reported to `onDrop`. With `onError`, a frame the model fails
 * on is reported and skipped instead of ending the stream (a live server keeps serving). */
export function segmentLatest(
  session: SegmentationSession,
  onDrop: (frame: Frame) => void,
  onError?: (error: Error, frame: Frame) => void,
): OperatorFunction<Frame, SegmentedFrame> {
  const stage = onError
    ? (frame: Frame) =>
        from(session.process(frame)).pipe(
          catchError((err: Error) => {
            onError(err, frame);
            return EMPTY;
          }),
        )
    : (frame: Frame) => session.process(frame);
  return latestOnly(stage, onDrop);
}
