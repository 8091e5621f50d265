/** ffprobe of a video file: proves it is readable video before any decoding, and gives its frame size
 * (the raw frame size ffmpeg will write), rate and length. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffprobePath } from '../../src/core/frames/ffmpeg.js';

const run = promisify(execFile);

export interface VideoProbe {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly fps?: number;
  readonly frameCount?: number;
}

interface ProbeStream {
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
}

export async function probeVideo(file: string): Promise<VideoProbe> {
  const binary = await ffprobePath();
  let stdout: string;
  try {
    ({ stdout } = await run(binary, [
      '-v', 'error', '-select_streams', 'v:0',
      '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames',
      '-of', 'json', file,
    ]));
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    // ffprobe starts its message with the file name, which the message already gives.
    const reason = (stderr.split('\n').pop() || (err as Error).message).replace(`${file}: `, '');
    throw new Error(`${file}: not readable as video (ffprobe: ${reason})`);
  }
  const stream = (JSON.parse(stdout) as { streams?: ProbeStream[] }).streams?.[0];
  if (!stream) throw new Error(`${file}: not a video (ffprobe found no video stream)`);
  if (!stream.width || !stream.height) throw new Error(`${file}: ffprobe reports no frame size for its video stream`);
  const fps = rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate);
  const frameCount = Number(stream.nb_frames);
  return {
    codec: stream.codec_name ?? 'unknown',
    width: stream.width,
    height: stream.height,
    ...(fps ? { fps } : {}),
    ...(frameCount > 0 ? { frameCount } : {}),
  };
}

/** "30000/1001" -> 29.97; "0/0" (unknown) -> undefined. */
function rate(text: string | undefined): number | undefined {
  const [num, den] = (text ?? '').split('/').map(Number);
  return num && den ? num / den : undefined;
}
