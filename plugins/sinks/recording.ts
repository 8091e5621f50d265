/**
 * Segmented cine recording. A recording is a folder `<dir>/<id>/` holding
 *   overlay.mp4      H.264, mask burned in colour onto the grey frames
 *   source.mp4       H.264, the grey frames as received
 *   masks/NNNNNN.png one per recorded frame (NNNNNN = 0-based position in the videos)
 *   metadata.json    source, model, per-frame index/timestamps/object scores; replaced atomically
 * Every accepted frame lands in all three, so video frame count == mask count == metadata frameCount.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { SegmentedFrame, StageTimestamps } from '../../src/core/frames/frame.js';
import {
  RecordingConflictError,
  type RecordingControl,
  type RecordingEvent,
  type RecordingFile,
  type RecordingInfo,
  type RecordingState,
} from '../../src/core/contracts/live-status.js';
import { ffmpegPath } from '../../src/core/frames/ffmpeg.js';
import { VideoWriter } from './ffmpeg-writer.js';
import { renderOverlay } from './overlay.js';
import type { ModelIdentity } from '../../src/core/contracts/model-identity.js';

/** Where the frames come from; written into metadata.json. */
export interface RecordingContext {
  readonly sourceUri: string | null;
  readonly model: ModelIdentity | null;
}

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

export interface RecordedFrame {
  /** Source frame index (gaps are frames the pipeline dropped before recording). */
  readonly index: number;
  readonly timestamps: StageTimestamps;
  readonly objectScores: Readonly<Record<string, number>>;
}

export interface RecordingMetadata {
  readonly format: 'sam2rad-recording';
  readonly version: 1;
  readonly id: string;
  readonly source: { readonly uri: string | null };
  readonly model: RecordingContext['model'];
  readonly fps: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** True once stop() finalised every file; false in a snapshot taken while recording. */
  readonly complete: boolean;
  readonly error: string | null;
  readonly frameCount: number;
  /** 'binary': 0/255 for a single class; 'class-value': pixel = class value. */
  readonly masks: { readonly encoding: 'binary' | 'class-value'; readonly classes: readonly { readonly className: string; readonly value: number }[] } | null;
  readonly frames: readonly RecordedFrame[];
}

const METADATA_FILE = 'metadata.json';
const METADATA_TEMP = '.metadata.json.tmp';
const MASK_DIR = 'masks';
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

function maskName(n: number): string {
  return `${MASK_DIR}/${String(n).padStart(6, '0')}.png`;
}

/** Write JSON so readers only ever see the old or the new complete file. */
async function writeJsonAtomic(folder: string, name: string, value: unknown): Promise<void> {
  const temp = path.join(folder, METADATA_TEMP);
  await writeFile(temp, JSON.stringify(value));
  await rename(temp, path.join(folder, name));
}

/** A fresh folder named after the start time (sortable); suffixed if two start in the same millisecond. */
async function createRecordingFolder(dir: string): Promise<{ id: string; folder: string }> {
  await mkdir(dir, { recursive: true });
  const base = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const id = n === 0 ? base : `${base}-${n}`;
    const folder = path.join(dir, id);
    try {
      await mkdir(folder);
      await mkdir(path.join(folder, MASK_DIR));
      return { id, folder };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function createExactFolder(folder: string): Promise<{ id: string; folder: string }> {
  try {
    await mkdir(path.dirname(folder), { recursive: true });
    await mkdir(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${folder}: cannot create the output folder (${code === 'EEXIST' ? 'it already exists' : code})`);
  }
  await mkdir(path.join(folder, MASK_DIR));
  return { id: path.basename(folder), folder };
}

function encodeMask(frame: SegmentedFrame, binary: boolean): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = binary ? Buffer.from(frame.classMap.map((v) => (v === 0 ? 0 : 255))) : Buffer.from(frame.classMap);
  // Masks are mostly flat: a low deflate level is nearly as small and several times faster.
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, deflateLevel: 3 });
}

interface Encoders {
  readonly overlay: VideoWriter;
  readonly source: VideoWriter;
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
  private resolveClosed!: (state: RecordingState) => void;
  private closing = false;

  /** Create the folder and an initial metadata.json, then accept frames. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    const fps = options.fps ?? 30;
    if (!(fps > 0 && Number.isFinite(fps))) throw new Error(`recording fps must be a positive number, got ${fps}`);
    const { id, folder } = options.folder ? await createExactFolder(options.folder) : await createRecordingFolder(options.dir);
    const recorder = new Recorder(id, folder, { ...options, ffmpegPath: options.ffmpegPath ?? (await ffmpegPath()) }, fps);
    await recorder.saveMetadata(false);
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
      if (this.recorded.length !== this.savedFrameCount) void this.saveMetadata(false).catch((err: Error) => this.fail(`cannot write metadata: ${err.message}`));
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
        this.fail(`recording failed at source frame ${frame.index}: ${(err as Error).message}`);
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
    await Promise.all([
      encoders.overlay.write(renderOverlay(frame.data, frame.classMap, width, height)),
      encoders.source.write(frame.data),
      writeFile(path.join(this.folder, maskName(n)), encodeMask(frame, this.masks!.encoding === 'binary')),
    ]);
    this.recorded.push({
      index: frame.index,
      timestamps: frame.timestamps,
      objectScores: Object.fromEntries(frame.results.map((r) => [r.className, r.objectScore])),
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

export interface RecordingControllerOptions extends Omit<RecorderOptions, 'context' | 'fps'> {
  /** Processed frames. Must be hot/shared: the controller subscribes only while recording. */
  readonly frames: Observable<SegmentedFrame>;
  /** Read at each start, so a recording carries the source and model of its time. */
  readonly context: () => RecordingContext;
  /** Source frame rate when known (read at each start); 30 otherwise. */
  readonly fps?: () => number | undefined;
}

/** Start/stop recordings of a frame stream; the server's `RecordingControl`. */
export class RecordingController implements RecordingControl {
  readonly dir: string;
  private readonly subject = new Subject<RecordingEvent>();
  readonly events: Observable<RecordingEvent> = this.subject.asObservable();
  private current: { recorder: Recorder; subscription: Subscription } | null = null;
  private starting = false;
  private last: RecordingState = { active: false, id: null, frames: 0, error: null };

  constructor(private readonly options: RecordingControllerOptions) {
    this.dir = options.dir;
  }

  state(): RecordingState {
    if (this.current) return { active: true, id: this.current.recorder.id, frames: this.current.recorder.frames, error: null };
    return this.last;
  }

  async start(): Promise<RecordingState> {
    if (this.current || this.starting) throw new RecordingConflictError('a recording is already running');
    this.starting = true;
    try {
      const { dir, maxQueue, metadataIntervalMs, ffmpegPath, context, fps } = this.options;
      const recorder = await Recorder.start({ dir, maxQueue, metadataIntervalMs, ffmpegPath, context: context(), fps: fps?.() });
      const subscription = this.options.frames.subscribe({ next: (frame) => recorder.write(frame) });
      this.current = { recorder, subscription };
      void recorder.closed.then((state) => this.finished(recorder, state));
      this.subject.next({ type: 'started', id: recorder.id });
      return this.state();
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<RecordingState> {
    if (!this.current) throw new RecordingConflictError('no recording is running');
    const { recorder, subscription } = this.current;
    subscription.unsubscribe();
    return recorder.stop();
  }

  list(): Promise<RecordingInfo[]> {
    return listRecordings(this.dir, this.current?.recorder.id ?? null);
  }

  /** Stop any running recording (e.g. on shutdown). */
  async close(): Promise<void> {
    if (this.current) await this.stop();
    this.subject.complete();
  }

  private finished(recorder: Recorder, state: RecordingState): void {
    if (this.current?.recorder !== recorder) return;
    this.current.subscription.unsubscribe();
    this.current = null;
    this.last = state;
    this.subject.next(
      state.error === null ? { type: 'stopped', id: state.id!, frames: state.frames } : { type: 'failed', id: state.id!, frames: state.frames, error: state.error },
    );
  }
}

/** metadata.json as far as it can be read; `error` says why when it cannot. */
async function readMetadata(folder: string): Promise<Partial<RecordingMetadata>> {
  try {
    return JSON.parse(await readFile(path.join(folder, METADATA_FILE), 'utf8')) as Partial<RecordingMetadata>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${METADATA_FILE} is missing` : `${METADATA_FILE} is unreadable: ${(err as Error).message}` };
  }
}

/** Recordings under `dir`, newest first. A missing `dir` has none. */
export async function listRecordings(dir: string, activeId: string | null = null): Promise<RecordingInfo[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ids = entries.filter((e) => e.isDirectory() && SAFE_ID.test(e.name)).map((e) => e.name).sort().reverse();
  return Promise.all(
    ids.map(async (id): Promise<RecordingInfo> => {
      const folder = path.join(dir, id);
      const [meta, children, masks] = await Promise.all([
        readMetadata(folder),
        readdir(folder, { withFileTypes: true }),
        readdir(path.join(folder, MASK_DIR)).catch(() => [] as string[]),
      ]);
      const files: RecordingFile[] = await Promise.all(
        children
          .filter((c) => c.isFile() && SAFE_ID.test(c.name))
          .map(async (c) => ({ name: c.name, bytes: (await stat(path.join(folder, c.name))).size })),
      );
      const active = id === activeId;
      return {
        id,
        startedAt: meta.startedAt ?? null,
        endedAt: meta.endedAt ?? null,
        frameCount: meta.frameCount ?? null,
        complete: !active && meta.complete === true,
        active,
        error: meta.error ?? null,
        files: files.sort((a, b) => a.name.localeCompare(b.name)),
        maskCount: masks.filter((m) => m.endsWith('.png')).length,
      };
    }),
  );
}
