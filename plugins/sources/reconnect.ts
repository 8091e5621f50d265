/** Keeps a live feed going: when an attempt fails or ends, wait and start another, forever. The wait
 * doubles from `initialDelayMs` and resets as soon as frames flow. While the feed is expected back (it
 * streamed within the last `expectMs`: a sender restarting, a cable pulled and plugged back) the wait is
 * capped at `liveMaxDelayMs`, so a feed that returns is picked up within a fraction of a second; a feed
 * that never came, or has been gone longer, is polled gently (up to `maxDelayMs`). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthReporter } from './health.js';
import type { RawFrame } from './ffmpeg-process.js';

export interface BackoffOptions {
  readonly initialDelayMs?: number;
  /** Cap on the wait for a feed that never streamed or has been gone longer than `expectMs`. */
  readonly maxDelayMs?: number;
  /** Cap on the wait while the feed is expected back. */
  readonly liveMaxDelayMs?: number;
  /** How long after its last frame a feed is expected back. */
  readonly expectMs?: number;
}

export const DEFAULT_BACKOFF = { initialDelayMs: 100, maxDelayMs: 10_000, liveMaxDelayMs: 500, expectMs: 10 * 60_000 } as const;

/** What an attempt knows about the ones before it (to choose its ffmpeg options). */
export interface AttemptContext {
  /** 0 for the first attempt. */
  readonly attempt: number;
  /** True once any earlier attempt delivered frames: this one is a reconnect to a known feed. */
  readonly streamedBefore: boolean;
}

export async function* reconnecting(
  label: string,
  attempt: (signal: AbortSignal, context: AttemptContext) => AsyncIterable<RawFrame>,
  health: HealthReporter,
  backoff: BackoffOptions,
  signal: AbortSignal,
  now: () => number = () => performance.now(),
): AsyncGenerator<RawFrame> {
  const initial = backoff.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs;
  const max = Math.max(initial, backoff.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs);
  const liveMax = Math.min(max, Math.max(initial, backoff.liveMaxDelayMs ?? DEFAULT_BACKOFF.liveMaxDelayMs));
  const expectMs = backoff.expectMs ?? DEFAULT_BACKOFF.expectMs;
  let delay = initial;
  let lastFrameAt: number | undefined;
  for (let n = 0; !signal.aborted; n++) {
    try {
      let flowing = false;
      for await (const frame of attempt(signal, { attempt: n, streamedBefore: lastFrameAt !== undefined })) {
        if (!flowing) {
          flowing = true;
          delay = initial;
        }
        lastFrameAt = now();
        yield frame;
      }
      if (signal.aborted) return;
      health.set('reconnecting', `${label}: the feed ended`);
    } catch (err) {
      if (signal.aborted) return;
      health.set('reconnecting', (err as Error).message);
    }
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return; // aborted while waiting
    }
    const expected = lastFrameAt !== undefined && now() - lastFrameAt < expectMs;
    delay = Math.min(delay * 2, expected ? liveMax : max);
    health.countReconnect();
  }
}
