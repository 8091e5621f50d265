/** Offline decoding: every frame of a video file, in order, as grey Frames, with back-pressure
 * (ffmpeg's stdout is read only as fast as the consumer asks). Used where no frame may be dropped:
 * `segment`, `eval --clip`, benchmarks. */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Frame } from './frame.js';
import { ffmpegPath, ffprobePath } from './ffmpeg.js';

const run = promisify(execFile);

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
}

export async function probeVideo(file: string): Promise<VideoInfo> {
  try {
    const { stdout } = await run(await ffprobePath(), [
      '-v', 'error', '-select_streams', 'v:0', '-count_packets',
      '-show_entries', 'stream=width,height,avg_frame_rate,nb_read_packets', '-of', 'json', file,
    ]);
    const stream = JSON.parse(stdout).streams?.[0];
    if (!stream) throw new Error('no video stream');
    const [num, den] = String(stream.avg_frame_rate).split('/').map(Number);
    return {
      width: stream.width,
      height: stream.height,
      fps: num && den ? num / den : 30,
      frameCount: Number(stream.nb_read_packets),
    };
  } catch (err) {
    const message = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new Error(`${file}: cannot read video (${message.split('\n')[0]})`);
  }
}

export async function decodeVideoFrames(file: string): Promise<{ info: VideoInfo; frameCount: number; frames: AsyncIterable<Frame> }> {
  const info = await probeVideo(file);
  const binary = await ffmpegPath();
  async function* frames(): AsyncGenerator<Frame> {
    const child = spawn(binary, ['-v', 'error', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough',
      '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const size = info.width * info.height;
    let pending: Buffer = Buffer.alloc(0);
    let index = 0;
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= size) {
          const data = new Uint8Array(pending.subarray(0, size));
          pending = pending.subarray(size);
          yield { index: index++, width: info.width, height: info.height, data, timestamps: { decoded: performance.now() } };
        }
      }
      const code = await exited;
      if (code !== 0) throw new Error(`${file}: ffmpeg failed while decoding (${stderr.trim().split('\n')[0] ?? `exit ${code}`})`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
  return { info, frameCount: info.frameCount, frames: frames() };
}
