import { createReadStream } from 'node:fs';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stdinSource } from '../../plugins/sources/index.js';
import { makeClip, makeTempDir } from './clips.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

describe('stdin source', () => {
  it('decodes a piped MPEG-TS stream, learning the frame size from ffmpeg', async () => {
    const clip = await makeClip(`${temp.dir}/piped.ts`, 8, '80x60');
    const source = stdinSource({ input: createReadStream(clip), realtime: false });
    const frames = await firstValueFrom(source.frames.pipe(toArray()));
    expect(frames.map((f) => [f.index, f.width, f.height, f.data.length])).toEqual(
      [...Array(8).keys()].map((i) => [i, 80, 60, 80 * 60]),
    );
    expect(source.status.state).toBe('ended');
  });

  it('fails with ffmpeg\'s reason when the piped bytes are not video', async () => {
    const { Readable } = await import('node:stream');
    const source = stdinSource({ input: Readable.from([Buffer.from('this is not a video stream\n')]) });
    await expect(firstValueFrom(source.frames)).rejects.toThrow(/^stdin: ffmpeg exited with code \d+: .+/);
    expect(source.status).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/^stdin: /) });
  });
});
