/** What every video source hands to the pipeline: grey frames, and its health for the status page. */
import type { Observable } from 'rxjs';
import type { Frame } from '../frames/frame.js';

export type SourceKind = 'file' | 'demo' | 'network' | 'v4l2' | 'stdin' | 'images' | 'raw' | 'dicom';

/** connecting: first attempt, no frame yet. streaming: frames arrive. reconnecting: the feed dropped (or
 * never came) and the source is waiting or retrying. ended: finished or stopped. failed: gave up with an error. */
export type SourceState = 'connecting' | 'streaming' | 'reconnecting' | 'ended' | 'failed';

export interface SourceHealth {
  readonly state: SourceState;
  /** The latest error (kept while reconnecting and after recovery, for the status page). */
  readonly lastError?: string;
  /** Reconnect attempts since the source started. */
  readonly reconnects: number;
  /** Date.now() when `state` was entered. */
  readonly since: number;
}

/** What is known before decoding starts (from ffprobe or the options); live feeds may know nothing. */
export interface SourceInfo {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Frames in one pass of a file, when the container says so. */
  readonly frameCount?: number;
}

export interface Source {
  readonly uri: string;
  readonly kind: SourceKind;
  /** Live feeds run at their own pace: a slow consumer loses frames (see src/core/operators/realtime.ts). */
  readonly live: boolean;
  readonly info: SourceInfo;
  /** Stamped 'decoded'. Subscribing starts ffmpeg; concurrent subscribers share one ffmpeg, and it is
   * killed when the last one unsubscribes. Errors end the stream only for non-reconnecting sources. */
  readonly frames: Observable<Frame>;
  /** The same frames, decoded only as fast as they are pulled: for offline work on every frame
   * (segment, benchmarks) without buffering. Each call runs its own ffmpeg; leaving the loop kills it. */
  pull(): AsyncIterable<Frame>;
  /** Current health first, then every change. */
  readonly health: Observable<SourceHealth>;
  readonly status: SourceHealth;
}

export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** Options every source accepts. */
export interface CommonSourceOptions {
  /** Scale every frame to this size (both or neither) instead of the native size. */
  readonly width?: number;
  readonly height?: number;
  /** Non-fatal problems (default: console.warn). */
  readonly onWarning?: (message: string) => void;
}

/** For sources that reconnect (network, v4l2). */
export interface LiveSourceOptions extends CommonSourceOptions {
  /** Backoff before a retry: starts at `initialDelayMs` (100) and doubles, up to `liveMaxDelayMs` (500)
   * while the feed is expected back (it streamed within the last `expectMs`, 10 min), else up to
   * `maxDelayMs` (10000); reset once frames flow. */
  readonly reconnect?: {
    readonly initialDelayMs?: number;
    readonly maxDelayMs?: number;
    readonly liveMaxDelayMs?: number;
    readonly expectMs?: number;
  };
  /** An attempt that produced no frame within this long is abandoned (default 15000 network, 10000 v4l2). */
  readonly firstFrameTimeoutMs?: number;
  /** A feed with no new frame for this long is treated as dropped. Default: six frame intervals of the
   * feed's own rate, at least 1000 and at most 10000 ms (5000 network, 3000 v4l2 until the rate is known). */
  readonly stallTimeoutMs?: number;
}
