import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../src/core/frames/ffmpeg.js';
import { FrameChunker } from '../../plugins/sources/frame-chunker.js';
import { OutputSizeParser } from '../../plugins/sources/output-size.js';

describe('ffmpeg executables', () => {
  const saved = process.env.FFMPEG_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = saved;
  });

  it('rejects an FFMPEG_PATH that is not an executable file, then finds ffmpeg once it is unset', async () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    await expect(ffmpegPath()).rejects.toThrow('FFMPEG_PATH=/nonexistent/ffmpeg: no executable file there');
    delete process.env.FFMPEG_PATH;
    expect(await ffmpegPath()).toMatch(/ffmpeg$/);
    expect(await ffprobePath()).toMatch(/ffprobe$/);
  });
});

describe('FrameChunker', () => {
  it('cuts arbitrary reads into whole frames, each in its own buffer', () => {
    const chunker = new FrameChunker(4);
    expect(chunker.push(Uint8Array.from([1, 2, 3]))).toEqual([]);
    const frames = chunker.push(Uint8Array.from([4, 5, 6, 7, 8, 9, 10]));
    expect(frames.map((f) => [...f])).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(frames[0]!.buffer).not.toBe(frames[1]!.buffer);
    expect(chunker.pending).toBe(2);
  });
});

describe('OutputSizeParser', () => {
  it("reads the output stream size from ffmpeg's log, split anywhere, not the input's or the fourcc", () => {
    const log = [
      'Input #0, mpegts, from \'udp://127.0.0.1:5000\':',
      '  Stream #0:0[0x100]: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p, 1920x1080, 30 fps',
      'Output #0, rawvideo, to \'pipe:1\':',
      '  Stream #0:0: Video: rawvideo (Y800 / 0x30303859), gray(pc, progressive), 640x360 [SAR 1:1 DAR 16:9], q=2-31',
      '',
    ].join('\n');
    const parser = new OutputSizeParser();
    const cut = log.indexOf('640x') + 2;
    expect(parser.push(log.slice(0, cut))).toBeUndefined();
    expect(parser.push(log.slice(cut))).toEqual({ width: 640, height: 360 });
  });
});
