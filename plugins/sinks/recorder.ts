/**
 * Writes one segmented cine recording (the folder layout is in recording-format.ts). Every accepted frame
 * lands in both videos, the masks and the metadata, so video frame count == mask count == metadata
 * frameCount. RecordingController (recording-control.ts) starts and stops recorders on a live stream.
 *
 * Storage faults (a full disk, a write error) stop the recording, never the stream: the error names the
 * cause in plain words, the frame's partial mask is removed, and a reserve file (.reserve, kept at 1 MiB
 * plus twice metadata.json) is deleted first so that the videos' last fragment and the final metadata.json
 * (complete: false, with the error) still fit on a full disk. A reserve that cannot grow means the disk is
 * full: the recording stops there, cleanly, before a write fails.
 */
import { appendFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SegmentedFrame } from '../../src/core/frames/frame.js';
import type { RecordingState } from '../../src/core/contracts/live-status.js';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';
import { VideoWriter } from './ffmpeg-writer.js';
import { renderOverlay } from './overlay.js';
import {
  METADATA_FILE,
  createExactFolder,
  createRecordingFolder,
  encodeMask,
  maskName,
  writeJsonAtomic,
  type RecordedFrame,
  type RecordingContext,
  type RecordingMetadata,
} from './recording-format.js';

export interface RecorderOptions {
  /** Root folder; the recording gets its own sub-folder named by its id. */
  readonly dir: string;
  readonly context: RecordingContext;
  /** Frame rate written into the MP4s: the source rate when known. Default 30. */
  readonly fps?: number;
  /** Frames waiting to be written before the recording stops with an overflow error. Default 90. */
  readonly maxQueue?: number;
  /** How often metadata.json is rewritten while recording, so a crash leaves a recent one. Default 1000. */
  readonly metadataIntervalMs?: number;
  /** Defaults to the resolved ffmpeg (src/core/frames/ffmpeg.ts). */
  readonly ffmpegPath?: string;
  /** Record into exactly this folder (must not exist yet) instead of a new sub-folder of `dir`. */
  readonly folder?: string;
}

interface Encoders {
  readonly overlay: VideoWriter;
  readonly source: VideoWriter;
}

/** Space kept free for finishing a recording on a full disk: this plus twice metadata.json's size. */
export const RESERVE_BASE_BYTES = 1024 * 1024;
export const RESERVE_FILE = '.reserve';

/** Plain words for a storage error (errno code or ffmpeg's message), or undefined for anything else. */
export function storageFault(message: string, code?: string): string | undefined {
  const has = (c: string, text: RegExp) => code === c || text.test(message);
  if (has('ENOSPC', /ENOSPC|No space left on device/)) return 'the recording disk is full';
  if (has('EDQUOT', /EDQUOT|Disk quota exceeded/)) return 'the disk quota of the recording folder is exceeded';
  if (has('EFBIG', /EFBIG|File too large|SIGXFSZ/)) return 'a recording file reached the size limit';
  if (has('EROFS', /EROFS|Read-only file system/)) return 'the recording disk is read-only';
  if (has('EIO', /EIO\b|Input\/output error/)) return 'the recording disk reported an I/O error';
  return undefined;
}

/**
 * One recording. `write` never blocks the caller: frames queue up to `maxQueue`; past that the
 * recording stops with an overflow error instead of silently losing frames.
 */
export class Recorder {
  readonly id: string;
  readonly folder: string;
  /** Resolves with the final state once the recording is finalised, by stop() or by a failure. */
  readonly closed: Promise<RecordingState>;

  private readonly queue: SegmentedFrame[] = [];
  private readonly recorded: RecordedFrame[] = [];
  private readonly fps: number;
  private readonly maxQueue: number;
  private readonly ffmpegPath: string;
  private readonly startedAt = new Date().toISOString();
  private readonly metadataTimer: NodeJS.Timeout;
  private encoders: Encoders | null = null;
  private size: { width: number; height: number } | null = null;
  private masks: RecordingMetadata['masks'] = null;
  private accepting = true;
  private failure: string | null = null;
  private pumping: Promise<void> | null = null;
  private metadataWrite: Promise<void> = Promise.resolve();
  private savedFrameCount = -1;
  private reserveBytes = 0;
  private maskBytes = 0;
  private resolveClosed!: (state: RecordingState) => void;
  private closing = false;

  /** Create the folder and an initial metadata.json, then accept frames. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    const fps = options.fps ?? 30;
    if (!(fps > 0 && Number.isFinite(fps))) throw new Error(`recording fps must be a positive number, got ${fps}`);
    const { id, folder } = options.folder ? await createExactFolder(options.folder) : await createRecordingFolder(options.dir);
    const recorder = new Recorder(id, folder, { ...options, ffmpegPath: options.ffmpegPath ?? (await ffmpegPath()) }, fps);
    try {
      await recorder.saveMetadata(false);
      await recorder.growReserve();
    } catch (err) {
      await recorder.stop();
      const fault = storageFault((err as Error).message, (err as NodeJS.ErrnoException).code);
      throw new Error(`cannot start a recording in ${folder}: ${fault ? `${fault} (${(err as Error).message})` : (err as Error).message}`);
    }
    return recorder;
  }

  private constructor(
    id: string,
    folder: string,
    private readonly options: RecorderOptions,
    fps: number,
  ) {
    this.id = id;
    this.folder = folder;
    this.fps = fps;
    this.maxQueue = options.maxQueue ?? 90;
    this.ffmpegPath = options.ffmpegPath!;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.metadataTimer = setInterval(() => {
      if (this.recorded.length === this.savedFrameCount) return;
      void this.saveMetadata(false)
        .then(() => this.growReserve())
        .catch((err: NodeJS.ErrnoException) => {
          const fault = storageFault(err.message, err.code);
          this.fail(fault ? `recording stopped after ${this.recorded.length} frames: ${fault} (${err.message})` : `cannot write metadata: ${err.message}`);
        });
    }, options.metadataIntervalMs ?? 1000);
    this.metadataTimer.unref();
  }

  /** Frames fully written (videos, mask and metadata entry). */
  get frames(): number {
    return this.recorded.length;
  }

  get error(): string | null {
    return this.failure;
  }

  /** Bytes this recording holds on disk now: videos, masks and metadata (not the temporary reserve). */
  async bytesOnDisk(): Promise<number> {
    const sizes = await Promise.all(
      ['overlay.mp4', 'source.mp4', METADATA_FILE].map((name) => stat(path.join(this.folder, name)).then((s) => s.size, () => 0)),
    );
    return sizes.reduce((a, b) => a + b, 0) + this.maskBytes;
  }

  /** Stop with `reason` as the error (e.g. a quota reached); what was written is kept. */
  abort(reason: string): Promise<RecordingState> {
    this.fail(reason);
    return this.closed;
  }

  /** Queue a frame. Ignored once the recording is stopping or failed. */
  write(frame: SegmentedFrame): void {
    if (!this.accepting) return;
    if (this.queue.length >= this.maxQueue) {
      this.fail(
        `recording stopped: the writer fell ${this.queue.length} frames behind the stream (limit ${this.maxQueue}); ` +
          `frames up to source index ${this.recorded.at(-1)?.index ?? 'none'} were kept`,
      );
      return;
    }
    this.queue.push(frame);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** Stop accepting frames, write the queued ones, finalise both MP4s and metadata.json. */
  stop(): Promise<RecordingState> {
    if (!this.closing) {
      this.closing = true;
      this.accepting = false;
      void this.finalise().then(this.resolveClosed);
    }
    return this.closed;
  }

  private fail(message: string): void {
    this.failure ??= message;
    void this.stop();
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      try {
        await this.writeFrame(frame);
      } catch (err) {
        this.queue.length = 0;
        // The frame is not recorded: its mask, if half written, goes too (masks == frameCount).
        await unlink(path.join(this.folder, maskName(this.recorded.length))).catch(() => {});
        const { message, code } = err as NodeJS.ErrnoException;
        const fault = storageFault(message, code);
        this.fail(`recording failed at source frame ${frame.index}: ${fault ? `${fault}: ` : ''}${message}`);
      }
    }
  }

  private async writeFrame(frame: SegmentedFrame): Promise<void> {
    const { width, height } = frame;
    const encoders = this.encoders ?? this.openEncoders(frame);
    if (width !== this.size!.width || height !== this.size!.height) {
      throw new Error(`frame size changed from ${this.size!.width}x${this.size!.height} to ${width}x${height}`);
    }
    const n = this.recorded.length;
    const mask = encodeMask(frame, this.masks!.encoding === 'binary');
    await Promise.all([
      encoders.overlay.write(renderOverlay(frame.data, frame.classMap, width, height)),
      encoders.source.write(frame.data),
      writeFile(path.join(this.folder, maskName(n)), mask),
    ]);
    this.maskBytes += mask.length;
    const biometry = frame.results.filter((r) => r.biometry).map((r) => [r.className, r.biometry!] as const);
    this.recorded.push({
      index: frame.index,
      timestamps: frame.timestamps,
      objectScores: Object.fromEntries(frame.results.map((r) => [r.className, r.objectScore])),
      ...(biometry.length ? { biometry: Object.fromEntries(biometry) } : {}),
    });
  }

  /** The first frame fixes size and mask encoding for the whole recording. */
  private openEncoders(first: SegmentedFrame): Encoders {
    const { width, height } = first;
    this.size = { width, height };
    const classes = first.results.map(({ className, value }) => ({ className, value }));
    this.masks = { encoding: classes.length <= 1 ? 'binary' : 'class-value', classes };
    const common = { ffmpegPath: this.ffmpegPath, width, height, fps: this.fps };
    this.encoders = {
      overlay: new VideoWriter({ ...common, output: path.join(this.folder, 'overlay.mp4'), pixelFormat: 'rgb24' }),
      source: new VideoWriter({ ...common, output: path.join(this.folder, 'source.mp4'), pixelFormat: 'gray' }),
    };
    return this.encoders;
  }

  private async finalise(): Promise<RecordingState> {
    await this.pumping;
    clearInterval(this.metadataTimer);
    // Room for the videos' last fragment and the final metadata.json, also on a full disk.
    await unlink(path.join(this.folder, RESERVE_FILE)).catch(() => {});
    this.reserveBytes = 0;
    if (this.encoders) {
      const results = await Promise.allSettled([this.encoders.overlay.finish(), this.encoders.source.finish()]);
      for (const r of results) if (r.status === 'rejected') this.failure ??= `finalising video failed: ${(r.reason as Error).message}`;
    }
    try {
      await this.saveMetadata(true);
    } catch (err) {
      this.failure ??= `cannot write metadata: ${(err as Error).message}`;
    }
    return { active: false, id: this.id, frames: this.recorded.length, error: this.failure };
  }

  /** Grows .reserve to RESERVE_BASE_BYTES plus twice metadata.json; rejects (ENOSPC) on a full disk. */
  private async growReserve(): Promise<void> {
    if (this.closing) return;
    const metadataBytes = await stat(path.join(this.folder, METADATA_FILE)).then((s) => s.size, () => 0);
    const missing = RESERVE_BASE_BYTES + 2 * metadataBytes - this.reserveBytes;
    if (missing <= 0) return;
    await appendFile(path.join(this.folder, RESERVE_FILE), Buffer.alloc(missing));
    this.reserveBytes += missing;
  }

  /** Serialised so two snapshots never race on the temp file. */
  private saveMetadata(final: boolean): Promise<void> {
    const write = this.metadataWrite.then(() => {
      this.savedFrameCount = this.recorded.length;
      return writeJsonAtomic(this.folder, METADATA_FILE, this.metadata(final));
    });
    this.metadataWrite = write.catch(() => {});
    return write;
  }

  private metadata(final: boolean): RecordingMetadata {
    return {
      format: 'sam2rad-recording',
      version: 1,
      id: this.id,
      source: { uri: this.options.context.sourceUri },
      model: this.options.context.model,
      fps: this.fps,
      width: this.size?.width ?? null,
      height: this.size?.height ?? null,
      startedAt: this.startedAt,
      endedAt: final ? new Date().toISOString() : null,
      complete: final && this.failure === null,
      error: this.failure,
      frameCount: this.recorded.length,
      masks: this.masks,
      frames: this.recorded,
    };
  }
}
