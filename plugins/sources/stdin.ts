/** A container stream piped into the process (`ffmpeg ... -f mpegts - | sam2rad serve --source -`).
 * It cannot be replayed or reopened, so it ends with the pipe instead of reconnecting. */
import type { Readable } from 'node:stream';
import { runFfmpeg } from './ffmpeg-process.js';
import { forcedSize, scaleFilter } from './forced-size.js';
import { makeSource } from './make-source.js';
import type { CommonSourceOptions, Source } from '../../src/core/contracts/source.js';

export interface StdinSourceOptions extends CommonSourceOptions {
  /** The stream to decode (default process.stdin). */
  readonly input?: Readable;
  /** ffmpeg input format for streams it cannot recognise by probing, e.g. 'mpegts' or 'h264'. */
  readonly format?: string;
  /** Pace by timestamps (default true), so a whole file piped in plays like a live feed. */
  readonly realtime?: boolean;
}

export function stdinSource(options: StdinSourceOptions = {}): Source {
  const input = options.input ?? process.stdin;
  if ((input as Readable & { isTTY?: boolean }).isTTY) {
    throw new Error('stdin: standard input is a terminal, not a piped stream (e.g. ffmpeg ... -f mpegts - | sam2rad ...)');
  }
  const forced = forcedSize(options, 'stdin');
  const inputArgs = [
    ...((options.realtime ?? true) ? ['-re'] : []),
    ...(options.format ? ['-f', options.format] : []),
    '-i', 'pipe:0',
  ];
  const job = {
    label: 'stdin',
    inputArgs,
    stdin: input,
    ...(forced ? { size: forced, filter: scaleFilter(forced) } : {}),
  };
  return makeSource({ uri: 'stdin', kind: 'stdin', live: true, info: forced ?? {} }, (signal) => runFfmpeg(job, signal));
}
