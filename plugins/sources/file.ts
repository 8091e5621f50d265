/** A video file decoded by ffmpeg: paced at its native frame rate (live-like, for serve and the demo),
 * optionally looped, or as fast as possible with every frame (offline segment and benchmarks). */
import { stat } from 'node:fs/promises';
import { runFfmpeg } from './ffmpeg-process.js';
import { forcedSize, scaleFilter } from './forced-size.js';
import { makeSource, type SourceIdentity } from './make-source.js';
import { probeVideo } from './probe.js';
import type { CommonSourceOptions, Source } from '../../src/core/contracts/source.js';

export interface FileSourceOptions extends CommonSourceOptions {
  /** Pace frames at the file's native rate (default true); false decodes every frame at full speed. */
  readonly realtime?: boolean;
  /** Start again at the end, forever (default false). */
  readonly loop?: boolean;
}

export function fileSource(path: string, options: FileSourceOptions = {}): Promise<Source> {
  return videoFileSource(path, options, { uri: path, kind: 'file' });
}

/** Shared with the demo source, which is a file under another name. */
export async function videoFileSource(
  path: string,
  options: FileSourceOptions,
  name: Pick<SourceIdentity, 'uri' | 'kind'>,
): Promise<Source> {
  const found = await stat(path).catch(() => undefined);
  if (!found) throw new Error(`${name.uri}: file not found (${path})`);
  if (!found.isFile()) throw new Error(`${name.uri}: not a file (${path})`);
  const probe = await probeVideo(path);
  const forced = forcedSize(options, name.uri);
  const size = forced ?? { width: probe.width, height: probe.height };
  const realtime = options.realtime ?? true;
  const inputArgs = [
    ...(realtime ? ['-re'] : []),
    ...(options.loop ? ['-stream_loop', '-1'] : []),
    // Rotation metadata would make ffmpeg write rotated frames of another size than the probed one.
    '-noautorotate',
    '-i', path,
  ];
  const identity: SourceIdentity = {
    ...name,
    live: realtime,
    info: {
      ...size,
      ...(probe.fps ? { fps: probe.fps } : {}),
      ...(probe.frameCount ? { frameCount: probe.frameCount } : {}),
    },
  };
  return makeSource(identity, (signal) =>
    runFfmpeg({ label: name.uri, inputArgs, size, ...(forced ? { filter: scaleFilter(forced) } : {}) }, signal),
  );
}
