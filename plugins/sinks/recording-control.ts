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
import { RecordingQuota } from './recording-quota.js';

export interface RecordingControllerOptions extends Omit<RecorderOptions, 'context' | 'fps'> {
  /** Processed frames. Must be hot/shared: the controller subscribes only while recording. */
  readonly frames: Observable<SegmentedFrame>;
  /** Read at each start, so a recording carries the source and model of its time. */
  readonly context: () => RecordingContext;
  /** Source frame rate when known (read at each start); 30 otherwise. */
  readonly fps?: () => number | undefined;
  /** Keep all recordings under this many bytes, removing the oldest first (recording-quota.ts). */
  readonly quotaBytes?: number;
  /** How often the quota is checked while recording. Default 5000 ms. */
  readonly quotaIntervalMs?: number;
  /** Quota removals and the like (default: console.warn). */
  readonly log?: (line: string) => void;
}

/** Start/stop recordings of a frame stream; the server's `RecordingControl`. */
export class RecordingController implements RecordingControl {
  readonly dir: string;
  private readonly subject = new Subject<RecordingEvent>();
  readonly events: Observable<RecordingEvent> = this.subject.asObservable();
  private current: { recorder: Recorder; subscription: Subscription } | null = null;
  private starting = false;
  private last: RecordingState = { active: false, id: null, frames: 0, error: null };
  private readonly quota: RecordingQuota | undefined;
  private quotaTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RecordingControllerOptions) {
    this.dir = options.dir;
    const log = options.log ?? ((line: string) => console.warn(`[recording] ${line}`));
    this.quota = options.quotaBytes === undefined ? undefined : new RecordingQuota(options.dir, options.quotaBytes, log);
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
      if (this.quota) this.announce(await this.quota.enforce());
      const recorder = await Recorder.start({ dir, maxQueue, metadataIntervalMs, ffmpegPath, context: context(), fps: fps?.() });
      const subscription = this.options.frames.subscribe({ next: (frame) => recorder.write(frame) });
      this.current = { recorder, subscription };
      void recorder.closed.then((state) => this.finished(recorder, state));
      this.subject.next({ type: 'started', id: recorder.id });
      if (this.quota) {
        this.quotaTimer = setInterval(() => void this.checkQuota(recorder), this.options.quotaIntervalMs ?? 5000);
        this.quotaTimer.unref();
      }
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

  /** While recording: older recordings go first; the running one is stopped when it alone passes the quota. */
  private async checkQuota(recorder: Recorder): Promise<void> {
    const quota = this.quota!;
    try {
      const check = await quota.enforce({ id: recorder.id, bytes: await recorder.bytesOnDisk() });
      this.announce(check);
      if (check.totalBytes > quota.quotaBytes && this.current?.recorder === recorder) {
        await recorder.abort(
          `recording stopped after ${recorder.frames} frames: the recording quota of ${quota.quotaBytes} bytes is reached ` +
            `(${check.totalBytes} bytes; no older recording left to remove)`,
        );
      }
    } catch (err) {
      (this.options.log ?? console.warn)(`recording quota check failed: ${(err as Error).message}`);
    }
  }

  private announce(check: { readonly removed: readonly string[] }): void {
    for (const id of check.removed) this.subject.next({ type: 'removed', id, reason: 'quota' });
  }

  private finished(recorder: Recorder, state: RecordingState): void {
    if (this.current?.recorder !== recorder) return;
    clearInterval(this.quotaTimer);
    this.current.subscription.unsubscribe();
    this.current = null;
    this.last = state;
    this.subject.next(
      state.error === null ? { type: 'stopped', id: state.id!, frames: state.frames } : { type: 'failed', id: state.id!, frames: state.frames, error: state.error },
    );
  }
}
