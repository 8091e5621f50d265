/** Start/stop recordings of a live frame stream: the server's RecordingControl
 * (src/core/contracts/live-status.ts), one Recorder (recorder.ts) at a time. */
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { SegmentedFrame } from '../../src/core/frames/frame.js';
import {
  RecordingConflictError,
  type RecordingControl,
  type RecordingEvent,
  type RecordingInfo,
  type RecordingState,
} from '../../src/core/contracts/live-status.js';
import { Recorder, type RecorderOptions } from './recorder.js';
import type { RecordingContext } from './recording-format.js';
import { listRecordings } from './recording-catalogue.js';

export interface RecordingControllerOptions extends Omit<RecorderOptions, 'context' | 'fps'> {
  /** Processed frames. Must be hot/shared: the controller subscribes only while recording. */
  readonly frames: Observable<SegmentedFrame>;
  /** Read at each start, so a recording carries the source and model of its time. */
  readonly context: () => RecordingContext;
  /** Source frame rate when known (read at each start); 30 otherwise. */
  readonly fps?: () => number | undefined;
}

/** Start/stop recordings of a frame stream; the server's `RecordingControl`. */
export class RecordingController implements RecordingControl {
  readonly dir: string;
  private readonly subject = new Subject<RecordingEvent>();
  readonly events: Observable<RecordingEvent> = this.subject.asObservable();
  private current: { recorder: Recorder; subscription: Subscription } | null = null;
  private starting = false;
  private last: RecordingState = { active: false, id: null, frames: 0, error: null };

  constructor(private readonly options: RecordingControllerOptions) {
    this.dir = options.dir;
  }

  state(): RecordingState {
    if (this.current) return { active: true, id: this.current.recorder.id, frames: this.current.recorder.frames, error: null };
    return this.last;
  }

  async start(): Promise<RecordingState> {
    if (this.current || this.starting) throw new RecordingConflictError('a recording is already running');
    this.starting = true;
    try {
      const { dir, maxQueue, metadataIntervalMs, ffmpegPath, context, fps } = this.options;
      const recorder = await Recorder.start({ dir, maxQueue, metadataIntervalMs, ffmpegPath, context: context(), fps: fps?.() });
      const subscription = this.options.frames.subscribe({ next: (frame) => recorder.write(frame) });
      this.current = { recorder, subscription };
      void recorder.closed.then((state) => this.finished(recorder, state));
      this.subject.next({ type: 'started', id: recorder.id });
      return this.state();
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<RecordingState> {
    if (!this.current) throw new RecordingConflictError('no recording is running');
    const { recorder, subscription } = this.current;
    subscription.unsubscribe();
    return recorder.stop();
  }

  list(): Promise<RecordingInfo[]> {
    return listRecordings(this.dir, this.current?.recorder.id ?? null);
  }

  /** Stop any running recording (e.g. on shutdown). */
  async close(): Promise<void> {
    if (this.current) await this.stop();
    this.subject.complete();
  }

  private finished(recorder: Recorder, state: RecordingState): void {
    if (this.current?.recorder !== recorder) return;
    this.current.subscription.unsubscribe();
    this.current = null;
    this.last = state;
    this.subject.next(
      state.error === null ? { type: 'stopped', id: state.id!, frames: state.frames } : { type: 'failed', id: state.id!, frames: state.frames, error: state.error },
    );
  }
}
