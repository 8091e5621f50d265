/** Keeps a live feed going: when an attempt fails or ends, wait and start another, forever, with an
 * exponential backoff (so a dead camera or sender is polled gently) that resets as soon as frames flow. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthReporter } from './health.js';
import type { RawFrame } from './ffmpeg-process.js';

export interface BackoffOptions {
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

export const DEFAULT_BACKOFF = { initialDelayMs: 500, maxDelayMs: 10_000 } as const;

export async function* reconnecting(
  label: string,
  attempt: (signal: AbortSignal) => AsyncIterable<RawFrame>,
  health: HealthReporter,
  backoff: BackoffOptions,
  signal: AbortSignal,
): AsyncGenerator<RawFrame> {
  const initial = backoff.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs;
  const max = Math.max(initial, backoff.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs);
  let delay = initial;
  while (!signal.aborted) {
    try {
      let flowing = false;
      for await (const frame of attempt(signal)) {
        if (!flowing) {
          flowing = true;
          delay = initial;
        }
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
    delay = Math.min(delay * 2, max);
    health.countReconnect();
  }
}
