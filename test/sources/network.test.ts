import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frames/frame.js';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';
import { networkSource, openSource } from '../../plugins/sources/index.js';
import type { SourceHealth } from '../../src/core/contracts/source.js';

/** A real ffmpeg sending a small MPEG-TS test pattern to 127.0.0.1:port, paced at 15 fps. */
async function startSender(port: number): Promise<ChildProcess> {
  return spawn(
    await ffmpegPath(),
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=15',
      '-c:v', 'mpeg2video', '-g', '5', '-pix_fmt', 'yuv420p',
      '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`,
    ],
    { stdio: 'ignore' },
  );
}

async function stop(sender: ChildProcess): Promise<void> {
  if (sender.exitCode !== null || sender.signalCode !== null) return;
  const exited = new Promise((resolve) => sender.once('exit', resolve));
  sender.kill('SIGKILL');
  await exited;
}

/** A UDP port that was free a moment ago. */
async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Waits (bounded, not timed) for the first value matching `predicate`. */
function until<T>(values: Observable<T>, predicate: (value: T) => boolean, ms = 8000): Promise<T> {
  return firstValueFrom(values.pipe(filter(predicate), timeout(ms)));
}

const senders: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(senders.splice(0).map(stop));
});

describe('network source', () => {
  it('receives UDP frames and reconnects after the sender is killed and restarted', async () => {
    const port = await freePort();
    const source = networkSource(`udp://127.0.0.1:${port}`, {
      firstFrameTimeoutMs: 5000,
      stallTimeoutMs: 1000,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    });
    const states: SourceHealth['state'][] = [];
    const watching = source.health.subscribe((h) => states.push(h.state));
    const frames: Frame[] = [];
    const receiving = source.frames.subscribe((f) => frames.push(f));
    try {
      senders.push(await startSender(port));
      await until(source.health, (h) => h.state === 'streaming');
      const first = await until(source.frames, () => true);
      expect([first.width, first.height]).toEqual([96, 64]); // size learned from ffmpeg's log

      await stop(senders.pop()!);
      const dropped = await until(source.health, (h) => h.state === 'reconnecting');
      expect(dropped.lastError).toMatch(/127\.0\.0\.1/);
      const before = frames.length;

      senders.push(await startSender(port));
      await until(source.health, (h) => h.state === 'streaming');
      const after = await until(source.frames, () => true);
      expect(after.index).toBeGreaterThanOrEqual(before); // numbering goes on across the reconnect
      expect(source.status.reconnects).toBeGreaterThanOrEqual(1);
      expect(states.slice(0, 2)).toEqual(['connecting', 'streaming']);
      expect(states).toContain('reconnecting');
      expect(states.at(-1)).toBe('streaming');
    } finally {
      receiving.unsubscribe();
      await until(source.health, (h) => h.state === 'ended');
      watching.unsubscribe();
    }
  }, 20_000);

  it('rejects a URL scheme it cannot read, naming the URI', async () => {
    await expect(openSource('gopher://example.org/video')).rejects.toThrow(/gopher:\/\/example\.org\/video: unsupported URL scheme/);
  });
});
