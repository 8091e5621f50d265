/** A V4L2 capture device (USB/HDMI grabber on a scanner's video out). Reconnects like a network feed
 * (same watchdog scaled to the frame rate, same short backoff while it is expected back), so a grabber
 * that is unplugged, or whose device node disappears and reappears, is reopened by itself. */
import { runFfmpeg } from './ffmpeg-process.js';
import { forcedSize, scaleFilter } from './forced-size.js';
import { FrameClock } from './frame-clock.js';
import { makeSource } from './make-source.js';
import { reconnecting } from './reconnect.js';
import type { LiveSourceOptions, Source } from '../../src/core/contracts/source.js';

export interface V4l2SourceOptions extends LiveSourceOptions {
  /** The device's pixel format to ask for, e.g. 'mjpeg' or 'yuyv422' (`v4l2-ctl --list-formats-ext`). */
  readonly inputFormat?: string;
  /** Capture size to ask the device for, e.g. '1280x720'. */
  readonly videoSize?: string;
  readonly framerate?: number;
}

/** stallTimeoutMs: the watchdog before the frame rate is known; then it follows the rate (frame-clock.ts). */
export const V4L2_DEFAULTS = { firstFrameTimeoutMs: 10_000, stallTimeoutMs: 3_000 } as const;

export function v4l2Source(device: string, options: V4l2SourceOptions = {}): Source {
  const uri = `v4l2:${device}`;
  if (options.videoSize !== undefined && !/^\d+x\d+$/.test(options.videoSize)) {
    throw new Error(`${uri}: videoSize must look like 1280x720 (got ${options.videoSize})`);
  }
  if (options.framerate !== undefined && !(options.framerate > 0)) {
    throw new Error(`${uri}: framerate must be a positive number (got ${options.framerate})`);
  }
  const forced = forcedSize(options, uri);
  const inputArgs = [
    '-f', 'v4l2',
    ...(options.inputFormat ? ['-input_format', options.inputFormat] : []),
    ...(options.videoSize ? ['-video_size', options.videoSize] : []),
    ...(options.framerate ? ['-framerate', String(options.framerate)] : []),
    '-i', device,
  ];
  const clock = new FrameClock({
    ...(options.stallTimeoutMs !== undefined ? { fixedMs: options.stallTimeoutMs } : {}),
    unknownMs: V4L2_DEFAULTS.stallTimeoutMs,
  });
  const job = {
    label: uri,
    inputArgs,
    firstFrameTimeoutMs: options.firstFrameTimeoutMs ?? V4L2_DEFAULTS.firstFrameTimeoutMs,
    stallTimeoutMs: () => clock.stallTimeoutMs(),
    ...(forced ? { size: forced, filter: scaleFilter(forced) } : {}),
  };
  return makeSource({ uri, kind: 'v4l2', live: true, info: forced ?? {} }, (signal, health) =>
    reconnecting(job.label, (attempt) => clock.timed(runFfmpeg(job, attempt)), health, options.reconnect ?? {}, signal),
  );
}
