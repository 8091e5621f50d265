/**
 * Raw frames piped into an ffmpeg child that writes crash-tolerant H.264 MP4: fragmented with an empty
 * moov and a short GOP, flushed per packet, so a SIGKILL leaves a file playable up to the last
 * completed fragment (at most half a second).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { ffmpegBuild, passthroughArgs, type FfmpegBuild } from '../../src/core/frames/ffmpeg.js';

export interface VideoWriterOptions {
  /** The ffmpeg to run; its release (read once) picks option spellings that changed between versions. */
  readonly ffmpegPath: string;
  readonly output: string;
  readonly width: number;
  readonly height: number;
  /** Input pixel layout: 'gray' (1 byte/pixel) or 'rgb24' (3 bytes/pixel). */
  readonly pixelFormat: 'gray' | 'rgb24';
  readonly fps: number;
}

const STDERR_TAIL_BYTES = 4096;

function videoWriterArgs(o: VideoWriterOptions, build: FfmpegBuild): string[] {
  // Keyframe (and thus fragment) every half second bounds what a crash can lose.
  const gop = Math.max(1, Math.ceil(o.fps / 2));
  return [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', o.pixelFormat, '-video_size', `${o.width}x${o.height}`, '-framerate', String(o.fps),
    '-i', 'pipe:0',
    // yuv420p needs even dimensions; pad odd ones by one pixel instead of failing.
    '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    // zerolatency: no lookahead or B-frames, so each frame is encoded (and flushed) as it arrives.
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(gop), '-pix_fmt', 'yuv420p',
    // One output frame per input frame: never duplicated or dropped to fit a nominal rate.
    ...passthroughArgs(build),
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-flush_packets', '1',
    '-f', 'mp4', '-y', o.output,
  ];
}

type WriterChild = ChildProcessByStdio<Writable, null, Readable>;

/** Frames piped to one ffmpeg. ffmpeg starts once its release is known (`ffmpeg -version`, cached per
 * binary), which picks the option spellings; a write or finish after ffmpeg died rejects with its exit
 * status and the tail of its error output, never with the pipe's EPIPE. */
export class VideoWriter {
  private readonly started: Promise<WriterChild | null>;
  private readonly exited: Promise<void>;
  private stderrTail = '';
  private exitError: Error | null = null;
  private closed = false;

  constructor(private readonly options: VideoWriterOptions) {
    let exited!: () => void;
    this.exited = new Promise<void>((resolve) => (exited = resolve));
    this.started = ffmpegBuild(options.ffmpegPath).then(
      (build) => this.spawn(build, exited),
      (err: Error) => {
        this.exitError = err;
        this.closed = true;
        exited();
        return null;
      },
    );
  }

  private spawn(build: FfmpegBuild, exited: () => void): WriterChild {
    const child = spawn(build.path, videoWriterArgs(this.options, build), { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // EPIPE when ffmpeg dies mid-write; the close handler below reports the real cause.
    child.stdin.on('error', () => {});
    child.once('error', (err) => {
      this.exitError ??= new Error(`cannot run ${build.path}: ${err.message}`);
      this.closed = true;
      exited();
    });
    // 'close' comes after stderr has ended, so the message holds ffmpeg's last words.
    child.once('close', (code, signal) => {
      if (code !== 0) this.exitError ??= new Error(this.describeExit(code, signal));
      this.closed = true;
      exited();
    });
    return child;
  }

  /** Resolves once ffmpeg has accepted the frame (waiting for 'drain' when its pipe is full). */
  async write(frame: Uint8Array): Promise<void> {
    const child = await this.started;
    await this.throwIfExited(child);
    if (child!.stdin.write(frame)) return;
    // A broken pipe rejects 'drain': wait for ffmpeg's exit instead and report that.
    await Promise.race([once(child!.stdin, 'drain').catch(() => this.exited), this.exited]);
    await this.throwIfExited(child);
  }

  /** Close stdin and wait for ffmpeg to finish the file; rejects with ffmpeg's error output on failure. */
  async finish(): Promise<void> {
    const child = await this.started;
    child?.stdin.end();
    await this.exited;
    if (this.exitError) throw this.exitError;
  }

  private async throwIfExited(child: WriterChild | null): Promise<void> {
    // Exited but not yet closed: its stderr may still be arriving, so wait for 'close' to have all of it.
    if (!this.closed && child && (child.exitCode !== null || child.signalCode !== null)) await this.exited;
    if (this.exitError) throw this.exitError;
    if (this.closed) throw new Error(this.describeExit(child?.exitCode ?? null, child?.signalCode ?? null));
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const detail = this.stderrTail.trim();
    return `ffmpeg writing ${this.options.output} ${how}${detail ? `: ${detail}` : ''}`;
  }
}
