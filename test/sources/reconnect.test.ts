/** The reconnect path of live sources (network and V4L2 alike): the stall watchdog follows the feed's frame
 * rate, and the backoff stays short while a feed that streamed is expected back. No ffmpeg: a fake decoder
 * stands for a device that delivers, disappears and reappears. */
import { describe, expect, it } from 'vitest';
import { FrameClock } from '../../plugins/sources/frame-clock.js';
import { HealthReporter } from '../../plugins/sources/health.js';
import { isListener } from '../../plugins/sources/network.js';
import { reconnecting, type AttemptContext } from '../../plugins/sources/reconnect.js';
import type { RawFrame } from '../../plugins/sources/ffmpeg-process.js';

const frame: RawFrame = { width: 2, height: 2, data: new Uint8Array(4) };

describe('FrameClock', () => {
  it('times out after six frame intervals, at least 1 s and at most 10 s', () => {
    const at = (fps: number) => {
      const clock = new FrameClock();
      for (let i = 0; i < 20; i++) clock.tick(i * (1000 / fps));
      return clock.stallTimeoutMs();
    };
    expect(at(30)).toBe(1000);
    expect(at(5)).toBeCloseTo(1200);
    expect(at(1)).toBeCloseTo(6000);
    expect(at(0.1)).toBe(10_000);
  });

  it('uses the given default until the rate is known, and a fixed timeout when one is set', () => {
    const clock = new FrameClock({ unknownMs: 5000 });
    expect(clock.stallTimeoutMs()).toBe(5000);
    clock.tick(0);
    clock.tick(33);
    expect(clock.stallTimeoutMs()).toBe(5000);
    expect(new FrameClock({ fixedMs: 1234 }).stallTimeoutMs()).toBe(1234);
  });

  it('does not count the gap between two decoders as a frame interval', async () => {
    const clock = new FrameClock();
    const frames = async function* () {
      for (let i = 0; i < 5; i++) yield frame;
    };
    for await (const _ of clock.timed(frames())) void _;
    await new Promise((resolve) => setTimeout(resolve, 300));
    for await (const _ of clock.timed(frames())) void _;
    expect(clock.intervalMs).toBeLessThan(100);
  });
});

describe('reconnecting', () => {
  /** Runs `script` (one entry per attempt: frames to deliver, then fail) and records when each attempt began. */
  async function run(script: readonly number[], backoff: Parameters<typeof reconnecting>[3], now?: () => number) {
    const health = new HealthReporter();
    const abort = new AbortController();
    const starts: number[] = [];
    const contexts: AttemptContext[] = [];
    const attempt = async function* (_signal: AbortSignal, context: AttemptContext): AsyncGenerator<RawFrame> {
      starts.push(performance.now());
      contexts.push(context);
      if (context.attempt >= script.length - 1) abort.abort();
      for (let i = 0; i < script[context.attempt]!; i++) yield frame;
      throw new Error(`v4l2:/dev/video9: attempt ${context.attempt} failed`);
    };
    let frames = 0;
    for await (const _ of reconnecting('v4l2:/dev/video9', attempt, health, backoff, abort.signal, now)) frames++;
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    return { frames, gaps, contexts, health: health.current };
  }

  it('keeps the wait short after a feed that streamed (a device unplugged and plugged back)', async () => {
    // Streams, then 6 failed attempts (the device is gone), then streams again.
    const { frames, gaps, contexts, health } = await run([3, 0, 0, 0, 0, 0, 0, 2], { initialDelayMs: 20, liveMaxDelayMs: 60, maxDelayMs: 5000 });
    expect(frames).toBe(5);
    expect(Math.max(...gaps)).toBeLessThan(60 + 150);
    expect(contexts.map((c) => c.streamedBefore)).toEqual([false, true, true, true, true, true, true, true]);
    expect(health.reconnects).toBe(7);
    expect(health.lastError).toMatch(/attempt 6 failed/);
  });

  it('backs off up to maxDelayMs for a feed that never streamed, or has been gone longer than expectMs', async () => {
    const never = await run([0, 0, 0, 0, 0], { initialDelayMs: 20, liveMaxDelayMs: 20, maxDelayMs: 160 });
    expect(never.gaps.at(-1)).toBeGreaterThanOrEqual(150);
    // The clock jumps an hour after the first frame: that feed is no longer expected back soon.
    let hour = 0;
    const gone = await run([1, 0, 0, 0, 0], { initialDelayMs: 20, liveMaxDelayMs: 20, maxDelayMs: 160, expectMs: 60_000 }, () => (hour++ ? 3_600_000 : 0));
    expect(gone.gaps.at(-1)).toBeGreaterThanOrEqual(150);
  });
});

describe('isListener', () => {
  it('tells feeds that wait for their sender from those that dial out', () => {
    expect(isListener('udp://0.0.0.0:5000')).toBe(true);
    expect(isListener('tcp://0.0.0.0:5000?listen=1')).toBe(true);
    expect(isListener('tcp://scanner:5000')).toBe(false);
    expect(isListener('srt://0.0.0.0:9000?mode=listener')).toBe(true);
    expect(isListener('srt://scanner:9000')).toBe(false);
    expect(isListener('rtsp://0.0.0.0:8554/live', ['-rtsp_flags', 'listen'])).toBe(true);
    expect(isListener('rtsp://camera/live')).toBe(false);
  });
});
