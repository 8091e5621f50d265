import { writeFile } from 'node:fs/promises';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource, v4l2Source } from '../../plugins/sources/index.js';
import { makeTempDir } from './clips.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

describe('openSource errors name the URI and the reason', () => {
  it('missing file', async () => {
    await expect(openSource(`${temp.dir}/nope.mp4`)).rejects.toThrow(`${temp.dir}/nope.mp4: no such file or directory`);
  });

  it('a file that is not video (ffprobe says why)', async () => {
    const text = `${temp.dir}/notes.mp4`;
    await writeFile(text, 'hello, not a video\n');
    await expect(openSource(text)).rejects.toThrow(new RegExp(`^${text}: not readable as video \\(ffprobe: .+\\)`));
  });

  it('a missing capture device', async () => {
    await expect(openSource('/dev/video97')).rejects.toThrow(/v4l2:\/dev\/video97: no such device \/dev\/video97/);
    await expect(openSource('v4l2:/dev/video0?fps=30')).rejects.toThrow(/unknown parameter "fps"/);
  });

  it('empty URI and bad size options', async () => {
    await expect(openSource(' ')).rejects.toThrow(/empty URI/);
    await expect(openSource('udp://127.0.0.1:5000', { width: 64 })).rejects.toThrow(/udp:\/\/127\.0\.0\.1:5000: option height must be a positive integer/);
  });
});

describe('v4l2 source', () => {
  it('keeps retrying a device that is gone, reporting ffmpeg\'s error', async () => {
    const source = v4l2Source('/dev/video-unplugged', { reconnect: { initialDelayMs: 100, maxDelayMs: 200 } });
    const running = source.frames.subscribe();
    try {
      const health = await firstValueFrom(source.health.pipe(filter((h) => h.state === 'reconnecting'), timeout(8000)));
      expect(health.lastError).toMatch(/^v4l2:\/dev\/video-unplugged: ffmpeg exited with code \d+: .*video-unplugged/);
    } finally {
      running.unsubscribe();
    }
  });
});
