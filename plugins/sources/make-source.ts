/** Turns a decoder (an async iterable of raw frames) into a Source: numbered, stamped frames, both as a
 * shared Observable for live use and as a pull iterator for offline use, with the health lifecycle. */
import { Observable, share } from 'rxjs';
import type { FrameCalibration } from '../../src/core/frames/biometry.js';
import { stamp, type Frame } from '../../src/core/frames/frame.js';
import type { RawFrame } from './ffmpeg-process.js';
import { HealthReporter } from './health.js';
import type { Source, SourceInfo, SourceKind } from '../../src/core/contracts/source.js';

export interface SourceIdentity {
  readonly uri: string;
  readonly kind: SourceKind;
  readonly live: boolean;
  readonly info: SourceInfo;
}

/** A decoded frame, with the calibration of its pixels when the source knows it (DICOM regions). */
export interface DecodedFrame extends RawFrame {
  readonly calibration?: FrameCalibration;
}

export type Decoder = (signal: AbortSignal, health: HealthReporter) => AsyncIterable<DecodedFrame>;

export function makeSource(identity: SourceIdentity, decoder: Decoder): Source {
  const health = new HealthReporter();

  async function* decode(signal: AbortSignal): AsyncGenerator<Frame> {
    health.set('connecting');
    let index = 0;
    let failed = false;
    try {
      for await (const raw of decoder(signal, health)) {
        if (health.current.state !== 'streaming') health.set('streaming');
        const frame: Frame = {
          index: index++, width: raw.width, height: raw.height, data: raw.data, timestamps: {},
          ...(raw.calibration ? { calibration: raw.calibration } : {}),
        };
        yield stamp(frame, 'decoded');
      }
    } catch (err) {
      if (!signal.aborted) {
        failed = true;
        health.set('failed', (err as Error).message);
        throw err;
      }
    } finally {
      if (!failed) health.set('ended');
    }
  }

  const frames = new Observable<Frame>((subscriber) => {
    const abort = new AbortController();
    void (async () => {
      try {
        for await (const frame of decode(abort.signal)) {
          subscriber.next(frame);
          // Unsubscribed from inside next (take(n)): leaving the loop kills ffmpeg.
          if (abort.signal.aborted) return;
        }
        subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    })();
    return () => abort.abort();
  }).pipe(share());

  return {
    ...identity,
    frames,
    async *pull() {
      const abort = new AbortController();
      try {
        yield* decode(abort.signal);
      } finally {
        abort.abort();
      }
    },
    health: health.changes,
    get status() {
      return health.current;
    },
  };
}
