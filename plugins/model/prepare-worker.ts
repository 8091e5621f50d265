/** The model input made on another thread: a worker_threads worker that letterboxes a grey frame and
 * normalises it into the image encoder's input (letterbox.ts, the very code the main thread would run).
 *
 * onnxruntime-node runs a session synchronously on the calling (main) thread, so nothing else in
 * JavaScript on that thread can run during a graph; this worker is how the next frame's preprocessing
 * overlaps the current frame's inference. `PrepareThread` is the main thread's side; this file is also
 * the worker's entry (it serves requests when loaded as a worker). */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { compiledFile } from '../../src/core/runtime/compiled-file.js';
import { letterboxGeometry, letterboxGrey, toInputTensor, type Normalisation } from './letterbox.js';

interface PrepareRequest {
  readonly id: number;
  readonly grey: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly norm: Normalisation;
  /** A buffer to fill (3 * size * size floats), handed over and back. */
  readonly out: Float32Array | null;
}

interface PrepareReply {
  readonly id: number;
  readonly input?: Float32Array;
  /** performance.timeOrigin + performance.now() in the worker when the input was ready (epoch ms). */
  readonly readyAt?: number;
  readonly error?: string;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  let letterboxed = new Uint8Array(0);
  port.on('message', (request: PrepareRequest) => {
    try {
      const { size } = request;
      const geometry = letterboxGeometry(request.width, request.height, size);
      if (letterboxed.length !== size * size) letterboxed = new Uint8Array(size * size);
      const out = request.out?.length === 3 * size * size ? request.out : new Float32Array(3 * size * size);
      const input = toInputTensor(letterboxGrey(request.grey, geometry, letterboxed), request.norm, out);
      const reply: PrepareReply = { id: request.id, input, readyAt: performance.timeOrigin + performance.now() };
      port.postMessage(reply, [input.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies PrepareReply);
    }
  });
}

const workerFile = (): string | null => compiledFile(import.meta.url, 'prepare-worker.js');

/** The main thread's side of the worker: one request at a time in flight per call; the worker is
 * started on first use and does not keep the process alive. */
export class PrepareThread {
  private worker: Worker | null = null;
  private failed = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(reply: PrepareReply): void }>();

  /** False when no worker can run here (no compiled worker file, or it died): prepare on the main thread. */
  get available(): boolean {
    return !this.failed && (this.worker !== null || workerFile() !== null);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const file = workerFile();
    if (!file) throw new Error('prepare worker: no compiled prepare-worker.js (run npm run build)');
    const worker = new Worker(file);
    worker.unref();
    worker.on('message', (reply: PrepareReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    const fail = (error: string): void => {
      this.failed = true;
      this.worker = null;
      for (const [id, waiter] of this.waiting) waiter.resolve({ id, error });
      this.waiting.clear();
    };
    worker.on('error', (err) => fail(`prepare worker failed: ${err.message}`));
    worker.on('exit', (code) => fail(`prepare worker exited (${code})`));
    this.worker = worker;
    return worker;
  }

  /** The encoder input for `grey`, made on the worker; `out` (3 * size * size floats) is handed over and
   * comes back filled. Resolves with the input and when it was ready (this thread's performance.now()). */
  async prepare(grey: Uint8Array, width: number, height: number, size: number, norm: Normalisation, out: Float32Array | null): Promise<{ input: Float32Array; readyAt: number }> {
    const worker = this.start();
    const id = this.nextId++;
    // Its own buffer, exactly the pixels, handed over without a second copy.
    const copy = grey.slice(0, width * height);
    const transfer: ArrayBuffer[] = [copy.buffer as ArrayBuffer];
    if (out) transfer.push(out.buffer as ArrayBuffer);
    const reply = await new Promise<PrepareReply>((resolve) => {
      this.waiting.set(id, { resolve });
      worker.postMessage({ id, grey: copy, width, height, size, norm: { scale: norm.scale, mean: [...norm.mean], std: [...norm.std] }, out } satisfies PrepareRequest, transfer);
    });
    if (!reply.input) throw new Error(reply.error ?? 'prepare worker: no reply');
    return { input: reply.input, readyAt: reply.readyAt! - performance.timeOrigin };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
