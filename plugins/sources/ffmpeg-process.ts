/** One ffmpeg decode run: spawns ffmpeg, reads 8-bit grey rawvideo from its stdout in exact frame-size
 * chunks, and ends when ffmpeg exits. Reading is pull-based (async iteration), so a consumer that stops
 * pulling makes ffmpeg block on the pipe instead of buffering frames here. */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ffmpegBuild, passthroughArgs } from '../../src/core/frames/ffmpeg.js';
import { FrameChunker } from './frame-chunker.js';
import { OutputSizeParser } from './output-size.js';
import type { FrameSize } from '../../src/core/contracts/source.js';

export interface FfmpegJob {
  /** Names the source in errors (its URI). */
  readonly label: string;
  /** Input options ending with `-i INPUT`. */
  readonly inputArgs: readonly string[];
  /** The output frame size when known (probed, or forced by `filter`); else read from ffmpeg's log. */
  readonly size?: FrameSize;
  /** A -vf filter chain (e.g. scale=W:H); conversion to grey follows it. */
  readonly filter?: string;
  /** Fed to ffmpeg's standard input (a piped container stream, or a concat list). */
  readonly stdin?: Readable | string;
  /** Kill ffmpeg if the first frame has not come after this long (live feeds that never start). */
  readonly firstFrameTimeoutMs?: number;
  /** Kill ffmpeg if no frame has come for this long after the first (a feed that went silent); a function
   * is asked again after every frame (a watchdog that follows the feed's frame rate: frame-clock.ts). */
  readonly stallTimeoutMs?: number | (() => number);
}

export interface RawFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export class FfmpegError extends Error {
  constructor(
    readonly label: string,
    reason: string,
  ) {
    super(`${label}: ${reason}`);
    this.name = 'FfmpegError';
  }
}

/** Log lines kept for error messages. */
const STDERR_LINES = 30;

export async function* runFfmpeg(job: FfmpegJob, signal: AbortSignal): AsyncGenerator<RawFrame> {
  let build;
  try {
    build = await ffmpegBuild();
  } catch (err) {
    throw new FfmpegError(job.label, (err as Error).message);
  }
  const binary = build.path;
  if (signal.aborted) return;
  const args = [
    '-hide_banner', '-nostats',
    // The output size is only logged at info level; otherwise keep the log to what explains a failure.
    '-loglevel', job.size ? 'error' : 'info',
    ...(job.stdin === undefined ? ['-nostdin'] : []),
    // One decoding thread per feed: frame threading (ffmpeg's default, cores + 1 threads) delays each frame
    // by a frame per extra thread and cost ~15 % more CPU on the demo clip; one core decodes a 1080p H.264
    // frame in ~6 ms here, and several feeds spread over cores by themselves.
    '-threads', '1',
    ...job.inputArgs,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...(job.filter ? ['-vf', job.filter] : []),
    // Every decoded frame exactly once: no duplicates or drops for frame-rate conversion.
    ...passthroughArgs(build),
    '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
  ];
  const child = spawn(binary, args, { stdio: [job.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, sig) => resolve({ code, signal: sig }));
  });

  const log: string[] = [];
  const sizeParser = new OutputSizeParser();
  let sawSize: (size: FrameSize) => void = () => {};
  const sizeLogged = new Promise<FrameSize>((resolve) => (sawSize = resolve));
  // stdout and stderr are pipes by the stdio option above.
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  stderr.setEncoding('utf8');
  let partialLine = '';
  stderr.on('data', (text: string) => {
    const lines = (partialLine + text).split(/\r?\n|\r/);
    partialLine = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) log.push(line);
    log.splice(0, Math.max(0, log.length - STDERR_LINES));
    const size = sizeParser.push(text);
    if (size) sawSize(size);
  });

  const input = job.stdin;
  if (child.stdin) {
    // ffmpeg may stop reading early (it failed, or we killed it): a broken pipe is not our error.
    child.stdin.on('error', () => {});
    if (typeof input === 'string') child.stdin.end(input);
    else if (input) input.pipe(child.stdin);
  }

  let stalled: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const watch = (ms: number | undefined, what: string): void => {
    clearTimeout(timer);
    if (ms !== undefined) {
      timer = setTimeout(() => {
        stalled = `${what} for ${Math.round(ms / 100) / 10} s`;
        child.kill('SIGKILL');
      }, ms);
    }
  };
  const kill = (): void => void child.kill('SIGKILL');
  signal.addEventListener('abort', kill, { once: true });

  try {
    watch(job.firstFrameTimeoutMs, 'no frame');
    let chunker: FrameChunker | undefined;
    let size = job.size;
    for await (const chunk of stdout as AsyncIterable<Buffer>) {
      if (!chunker) {
        size ??= await Promise.race([sizeLogged, exited.then(() => sizeParser.size)]);
        if (!size) throw new FfmpegError(job.label, 'ffmpeg wrote video before logging its size');
        chunker = new FrameChunker(size.width * size.height);
      }
      for (const data of chunker.push(chunk)) {
        // The watchdog times ffmpeg, not the consumer: it is off while a pull() consumer holds the frame.
        clearTimeout(timer);
        yield { width: size!.width, height: size!.height, data };
        watch(typeof job.stallTimeoutMs === 'function' ? job.stallTimeoutMs() : job.stallTimeoutMs, 'no new frame');
      }
    }
    const end = await exited;
    if (signal.aborted) return;
    if (stalled) throw new FfmpegError(job.label, stalled);
    if (end.error) throw new FfmpegError(job.label, `cannot run ${binary}: ${end.error.message}`);
    if (end.code !== 0) {
      const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
      throw new FfmpegError(job.label, `ffmpeg ${how}: ${explain([...log, partialLine])}`);
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', kill);
    if (input && typeof input !== 'string' && child.stdin) input.unpipe(child.stdin);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The last few log lines that say something: not the indented stream dump, the closing statistics or
 * deprecation notes; "[tcp @ 0x55d0...]" prefixes lose the pointer. */
function explain(log: readonly string[]): string {
  const useful = log
    .filter((line) => line.trim() && !/^\s/.test(line) && !/^(frame=|video:|Press \[q\])|is deprecated/.test(line))
    .map((line) => line.replace(/ @ 0x[0-9a-f]+\]/, ']').trim());
  return useful.slice(-3).join(' | ') || 'no message';
}
