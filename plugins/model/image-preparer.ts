/** Frames made ready for the image encoder: letterboxed and normalised into pooled buffers, on this thread
 * or, where a spare core lets it overlap a running graph, on a worker thread (prepare-worker.ts). */
import { availableParallelism } from 'node:os';
import type { Manifest } from '../../src/core/runtime/manifest.js';
import { letterboxGeometry, letterboxGrey, toInputTensor, type Letterbox } from './letterbox.js';
import { PrepareThread } from './prepare-worker.js';

/** A frame letterboxed and normalised for the image encoder, made ahead of `infer` (Sam2RadModel.prepare),
 * e.g. while the previous frame is in the graphs. */
export interface PreparedImage {
  /** The grey pixels it was made from (infer uses it only for these very pixels). */
  readonly source: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly geometry: Letterbox;
  /** [1, 3, S, S] image encoder input, from the model's pool until infer or discard returns it. */
  readonly input: Float32Array;
  /** performance.now() when it was ready (the frame's `preprocessed` stamp). */
  readonly preparedAt: number;
}

export class ImagePreparer {
  constructor(
    /** The manifest's input section: size S and normalisation. */
    private readonly input: Manifest['input'],
    /** Threads the graphs use on this thread's behalf (a worker only helps with a core to spare). */
    private readonly intraOpThreads: number,
  ) {}

  /** Image encoder inputs no longer in use, for the next frames (a few: one running, one prepared ahead). */
  private readonly inputPool: Float32Array[] = [];
  private letterboxed = new Uint8Array(0);

  /** Letterbox and normalise a grey frame for `infer` (synchronous; the buffers come from a small pool,
   * returned when `infer` has encoded it or `discard` is called). */
  prepare(grey: Uint8Array, width: number, height: number): PreparedImage {
    const s = this.input.image_size;
    const geometry = letterboxGeometry(width, height, s);
    if (this.letterboxed.length !== s * s) this.letterboxed = new Uint8Array(s * s);
    const pooled = this.inputPool.pop();
    const input = toInputTensor(
      letterboxGrey(grey, geometry, this.letterboxed),
      { scale: this.input.pixel_scale, mean: this.input.pixel_mean, std: this.input.pixel_std },
      pooled?.length === 3 * s * s ? pooled : undefined,
    );
    return { source: grey, width, height, geometry, input, preparedAt: performance.now() };
  }

  private readonly prepareThread = new PrepareThread();

  /**
   * Whether `prepareAsync` can overlap a running graph: onnxruntime-node runs graphs on this thread with
   * `intraOpThreads` threads in all, so a worker thread overlaps them only on a spare core (more cores than
   * intra-op threads); on a machine without one it would only take CPU from the graphs. The environment
   * variable SAM2RAD_PREPARE_WORKER=1 or 0 forces it on or off.
   */
  get preparesAhead(): boolean {
    const forced = process.env.SAM2RAD_PREPARE_WORKER;
    if (forced === '0') return false;
    if (!this.prepareThread.available) return false;
    return forced === '1' || availableParallelism() > this.intraOpThreads;
  }

  /** `prepare` on a worker thread (prepare-worker.ts), so that it can overlap a graph running on this
   * thread; on this thread when no worker can run. Same pixels either way. */
  async prepareAsync(grey: Uint8Array, width: number, height: number): Promise<PreparedImage> {
    if (!this.prepareThread.available) return this.prepare(grey, width, height);
    const s = this.input.image_size;
    const pooled = this.inputPool.pop();
    try {
      const { input, readyAt } = await this.prepareThread.prepare(
        grey, width, height, s,
        { scale: this.input.pixel_scale, mean: this.input.pixel_mean, std: this.input.pixel_std },
        pooled?.length === 3 * s * s ? pooled : null,
      );
      return { source: grey, width, height, geometry: letterboxGeometry(width, height, s), input, preparedAt: readyAt };
    } catch {
      return this.prepare(grey, width, height);
    }
  }

  /** Give a prepared image's buffer back without running it (e.g. a frame dropped for a newer one). */
  discard(prepared: PreparedImage): void {
    if (this.inputPool.length < 4 && !this.inputPool.includes(prepared.input)) this.inputPool.push(prepared.input);
  }

  async close(): Promise<void> {
    await this.prepareThread.close();
  }
}
