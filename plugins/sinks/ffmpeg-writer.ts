/**
 * Raw frames piped into an ffmpeg child that writes crash-tolerant H.264 MP4: fragmented with an empty
 * moov and a short GOP, flushed per packet, so a SIGKILL leaves a file playable up to the last
 * completed fragment (at most half a second).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

export interface VideoWriterOptions {
  readonly ffmpegPath: string;
  readonly output: string;
  readonly width: number;
  readonly height: number;
  /** Input pixel layout: 'gray' (1 byte/pixel) or 'rgb24' (3 bytes/pixel). */
  readonly pixelFormat: 'gray' | 'rgb24';
  readonly fps: number;
}

const STDERR_TAIL_BYTES = 4096;

function videoWriterArgs(o: VideoWriterOptions): string[] {
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
    '-fps_mode', 'passthrough',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-flush_packets', '1',
    '-f', 'mp4', '-y', o.output,
  ];
}

export class VideoWriter {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private stderrTail = '';
  private exitError: Error | null = null;
  private readonly exited: Promise<void>;

  constructor(private readonly options: VideoWriterOptions) {
    this.child = spawn(options.ffmpegPath, videoWriterArgs(options), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // EPIPE when ffmpeg dies mid-write; the exit handler below reports the real cause.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise<void>((resolve) => {
      this.child.once('error', (err) => {
        this.exitError = new Error(`cannot run ${options.ffmpegPath}: ${err.message}`);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        if (code !== 0) this.exitError ??= new Error(this.describeExit(code, signal));
        resolve();
      });
    });
  }

  /** Resolves once ffmpeg has accepted the frame (waiting for 'drain' when its pipe is full). */
  async write(frame: Uint8Array): Promise<void> {
    this.throwIfExited();
    if (this.child.stdin.write(frame)) return;
    await Promise.race([once(this.child.stdin, 'drain'), this.exited]);
    this.throwIfExited();
  }

  /** Close stdin and wait for ffmpeg to finish the file; rejects with ffmpeg's error output on failure. */
  async finish(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
    if (this.exitError) throw this.exitError;
  }

  private throwIfExited(): void {
    if (this.exitError) throw this.exitError;
    if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(this.describeExit(this.child.exitCode, this.child.signalCode));
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const detail = this.stderrTail.trim();
    return `ffmpeg writing ${this.options.output} ${how}${detail ? `: ${detail}` : ''}`;
  }
}
