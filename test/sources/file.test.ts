import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSource, fileSource, openSource } from '../../plugins/sources/index.js';
import { makeClip, makeTempDir } from './clips.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let clip: string;

beforeAll(async () => {
  temp = await makeTempDir();
  clip = await makeClip(`${temp.dir}/clip.mp4`, 12);
});
afterAll(() => temp.remove());

describe('file source', () => {
  it('decodes exactly every frame with realtime:false, stamped and numbered', async () => {
    const source = await fileSource(clip, { realtime: false });
    expect(source.info).toMatchObject({ width: 64, height: 48, frameCount: 12, fps: 10 });
    const frames = await firstValueFrom(source.frames.pipe(toArray()));
    expect(frames.map((f) => f.index)).toEqual([...Array(12).keys()]);
    for (const f of frames) {
      expect([f.width, f.height, f.data.length]).toEqual([64, 48, 64 * 48]);
      expect(f.timestamps.decoded).toBeTypeOf('number');
    }
    expect(source.status.state).toBe('ended');
  });

  it('loops: frames keep coming past the end, numbered on, repeating the content', async () => {
    const source = await openSource(clip, { realtime: false, loop: true });
    const frames = await firstValueFrom(source.frames.pipe(take(30), toArray()));
    expect(frames.map((f) => f.index)).toEqual([...Array(30).keys()]);
    expect(Buffer.from(frames[12]!.data).equals(Buffer.from(frames[0]!.data))).toBe(true);
    expect(Buffer.from(frames[25]!.data).equals(Buffer.from(frames[1]!.data))).toBe(true);
    // Unsubscribing (take) kills ffmpeg; the source reports 'ended' once it is gone.
    await firstValueFrom(source.health.pipe(filter((h) => h.state === 'ended')));
  });

  it('pull() yields frames on demand and stops ffmpeg when the loop is left', async () => {
    const source = await fileSource(clip, { realtime: false, loop: true });
    const seen: number[] = [];
    for await (const frame of source.pull()) {
      seen.push(frame.index);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(source.status.state).toBe('ended');
  });

  it('scales to a forced width and height', async () => {
    const source = await fileSource(clip, { realtime: false, width: 32, height: 24 });
    const frame = await firstValueFrom(source.frames);
    expect([frame.width, frame.height, frame.data.length]).toEqual([32, 24, 32 * 24]);
  });

  it('plays the demo clip (HC18 pseudo-cine) at its native size', async () => {
    const source = await demoSource();
    expect(source).toMatchObject({ uri: 'demo', kind: 'demo', live: true, info: { width: 640, height: 432, fps: 30 } });
    const frames = await firstValueFrom(source.frames.pipe(take(3), toArray()));
    expect(frames.map((f) => [f.index, f.width, f.height])).toEqual([[0, 640, 432], [1, 640, 432], [2, 640, 432]]);
  });
});
