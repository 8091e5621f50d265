/** VideoWriter against ffmpeg builds of different releases: the option spellings follow `ffmpeg -version`,
 * and an ffmpeg that dies mid-stream is reported by its own error output, never by the pipe's EPIPE. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoWriter } from '../../plugins/sinks/ffmpeg-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A stand-in ffmpeg: answers -version as the given release, otherwise prints its arguments on stderr and
 * exits 1 without reading a byte of its input (as a real ffmpeg does on an option it does not know). */
async function fakeFfmpeg(name: string, banner: string, libavutil: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    [
      '#!/bin/sh',
      'for a in "$@"; do if [ "$a" = -version ]; then',
      `  echo '${banner}'; echo 'libavutil      ${libavutil} / ${libavutil}'; exit 0`,
      'fi; done',
      'echo "fake ffmpeg refuses: $*" >&2',
      'exit 1',
      '',
    ].join('\n'),
  );
  await chmod(file, 0o755);
  return file;
}

async function failure(ffmpegPath: string): Promise<string> {
  const writer = new VideoWriter({ ffmpegPath, output: path.join(dir, 'out.mp4'), width: 1024, height: 1024, pixelFormat: 'gray', fps: 25 });
  const frame = new Uint8Array(1024 * 1024);
  try {
    // 1 MiB frames overflow the pipe at once: the write waits for 'drain' and meets the broken pipe.
    for (let i = 0; i < 20; i++) await writer.write(frame);
    await writer.finish();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the writer did not fail');
}

describe('VideoWriter', () => {
  it('passes -vsync passthrough to ffmpeg before 5.1 and reports its stderr, not EPIPE, when it dies', async () => {
    const message = await failure(await fakeFfmpeg('ffmpeg-4', 'ffmpeg version N-47683-g0e8eb07980-static', '56. 24.101'));
    expect(message).toMatch(/^ffmpeg writing .*out\.mp4 exited with code 1: fake ffmpeg refuses: .* -vsync passthrough /);
    expect(message).not.toContain('-fps_mode');
    expect(message).not.toMatch(/EPIPE/);
  });

  it('passes -fps_mode passthrough to ffmpeg 5.1 and later', async () => {
    const message = await failure(await fakeFfmpeg('ffmpeg-7', 'ffmpeg version 7.1.1 Copyright (c) 2000-2025 the FFmpeg developers', '59. 39.100'));
    expect(message).toMatch(/fake ffmpeg refuses: .* -fps_mode passthrough /);
    expect(message).not.toContain('-vsync');
  });

  it('reports an ffmpeg that cannot run on the first write', async () => {
    await expect(failure(path.join(dir, 'missing-ffmpeg'))).resolves.toMatch(/^cannot run .*missing-ffmpeg: .*ENOENT/);
  });
});
