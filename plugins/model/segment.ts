/** The segmentation stage as RxJS operators, for this pipeline and for integrators' own pipelines.
 *
 *   frames$.pipe(segment(session))                        // every frame, in order
 *   frames$.pipe(segmentLatest(session, onDrop))          // real time: newest frame first, drops counted
 */
import { concatMap, type OperatorFunction } from 'rxjs';
import type { Frame, SegmentedFrame } from '../../src/frames/frame.js';
import { latestOnly } from '../../src/pipeline/realtime.js';
import type { SegmentationSession } from './segmentation-session.js';

/** Segments every frame in order (memory needs order). Upstream should be paced or bounded. */
export function segment(session: SegmentationSession): OperatorFunction<Frame, SegmentedFrame> {
  return concatMap((frame) => session.process(frame));
}

/** Real-time segmentation: while a frame is in the model, only the newest arriving frame waits;
 * older waiting frames are dropped and reported to `onDrop`. */
export function segmentLatest(
  session: SegmentationSession,
  onDrop: (frame: Frame) => void,
): OperatorFunction<Frame, SegmentedFrame> {
  return latestOnly((frame: Frame) => session.process(frame), onDrop);
}
