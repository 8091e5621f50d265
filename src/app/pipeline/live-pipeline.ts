/** The live graph, one way: source -> ROI crop -> real-time policy + Sam2Rad -> (server, recorder).
 * The output is hot and shared, so the server and a recording see the same processed frames. */
import { catchError, EMPTY, share, type Observable, type OperatorFunction } from 'rxjs';
import type { Frame, SegmentedFrame } from '../../core/frames/frame.js';
import type { Metrics } from '../server/metrics.js';
import type { SourceStatus } from '../../core/contracts/live-status.js';
import type { Source } from '../../../plugins/sources/index.js';
import { segmentLatest } from '../../../plugins/model/segment.js';
import type { SegmentationSession } from '../../../plugins/model/segmentation-session.js';

export interface LivePipelineOptions {
  readonly source: Source;
  readonly session: SegmentationSession;
  readonly metrics: Metrics;
  /** Region-of-interest crop (scanner UI removed) before the model. */
  readonly crop?: OperatorFunction<Frame, Frame>;
  readonly log: (line: string) => void;
}

export function livePipeline(options: LivePipelineOptions): Observable<SegmentedFrame> {
  const { source, session, metrics, log } = options;
  const frames = options.crop ? source.frames.pipe(options.crop) : source.frames;
  return frames.pipe(
    segmentLatest(
      session,
      () => metrics.framesDropped.inc({ reason: 'model_busy' }),
      (err, frame) => {
        metrics.framesDropped.inc({ reason: 'model_error' });
        log(`frame ${frame.index}: model failed (${err.message}); frame skipped`);
      },
    ),
    catchError((err: Error) => {
      log(`source ${source.uri} stopped: ${err.message}`);
      return EMPTY;
    }),
    share(),
  );
}

export function sourceStatus(source: Source): SourceStatus {
  const health = source.status;
  return {
    state: health.state,
    up: health.state === 'streaming',
    uri: source.uri,
    lastError: health.lastError ?? null,
    reconnects: health.reconnects,
    since: health.since,
  };
}
