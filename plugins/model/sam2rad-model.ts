/** The Sam2Rad model on onnxruntime-node: five graphs chained per frame, exactly as in training
 * (training/model/model.py, `Sam2Rad.frame`):
 *
 *   image [1,3,S,S] -> image_encoder -> memory_attention (per object bank) -> prompt_predictor
 *   -> mask_decoder (learned + human prompts) -> memory_encoder -> bank
 *
 * Several objects (classes) run as one batch through every graph after the encoder. Shapes below use
 * docs/model.md's names: n objects, S = input size, E = S/16, M memory frames of m x m, T mask tokens,
 * P point slots. */
import * as ort from 'onnxruntime-node';
import type { Stage } from '../../src/core/frames/frame.js';
import type { LoadedManifest, Manifest, Precision } from '../../src/core/runtime/manifest.js';
import {
  describeChoice,
  keepsOutputsOnDevice,
  type ProviderChoice,
  type SessionSettings,
} from '../../src/core/runtime/execution-provider.js';
import type { ModelIdentity } from '../../src/core/contracts/model-identity.js';
import { releaseDeviceTensors } from './device-outputs.js';
import { ImagePreparer, type PreparedImage } from './image-preparer.js';
import type { FrameInference, ObjectQuery } from './object-query.js';
import { createSessions, releaseSessions, type Sessions } from './graph-sessions.js';
import { outputMasks, repeat, type DecodedMasks, type ImageFeatures, type LearnedPrompts } from './graph-tensors.js';
import { letterboxGeometry, type Letterbox } from './letterbox.js';
import { MemoryBank } from './memory-bank.js';
import { encodePoints, hasPrompts } from './prompts.js';



export interface ModelOptions extends SessionSettings {
  /** Which graph files to run; fp16 and int8 need the manifest's variants. Default: the manifest's
   * `precision_defaults` for `ep` (int8 on cpu for the shipped model), else fp32. */
  readonly precision?: Precision;
  /** Frames after which a conditioning (prompted) frame ages out of the bank. */
  readonly conditioningMaxAge?: number;
}

export class Sam2RadModel {
  private constructor(
    readonly loaded: LoadedManifest,
    private readonly sessions: Sessions,
    readonly provider: ProviderChoice,
    private readonly options: ModelOptions,
    /** Intermediate tensors stay in GPU memory between graphs (DEVICE_OUTPUTS); else they pass through the host. */
    readonly outputsOnDevice: boolean,
  ) {
    this.preparer = new ImagePreparer(loaded.manifest.input, options.intraOpThreads);
  }

  private readonly preparer: ImagePreparer;

  static async load(dir: string, options: ModelOptions, log: (line: string) => void = () => {}): Promise<Sam2RadModel> {
    const { loaded, sessions, provider } = await createSessions(dir, options, true);
    log(`${describeChoice(provider)}; ${loaded.precision} graphs`);
    const model = new Sam2RadModel(loaded, sessions, provider, options, keepsOutputsOnDevice(provider.used));
    if (!model.outputsOnDevice) return model;
    // Device-resident outputs depend on the provider build and driver: one frame proves them, or the
    // model is rebuilt with every tensor in host memory.
    try {
      await model.probeFrame();
      log('graph outputs stay on the device between graphs (gpu-buffer)');
      return model;
    } catch (err) {
      await model.release();
      log(`device-resident outputs unavailable (${(err as Error).message.split('\n')[0]}); tensors go through host memory`);
      const host = await createSessions(dir, { ...options, ep: provider.used }, false);
      return new Sam2RadModel(host.loaded, host.sessions, provider, options, false);
    }
  }

  private async probeFrame(): Promise<void> {
    const s = this.manifest.input.image_size;
    await this.infer(new Uint8Array(s * s), s, s, [{ classIndex: 0, bank: this.newBank(), mode: 'auto', updateMemory: true }]);
  }

  get precision(): Precision {
    return this.loaded.precision;
  }

  get manifest(): Manifest {
    return this.loaded.manifest;
  }

  get identity(): ModelIdentity {
    const { name, version } = this.manifest;
    return { name, version, manifestSha256: this.loaded.sha256, precision: this.precision };
  }

  classIndex(name: string): number {
    const i = this.manifest.classes.indexOf(name);
    if (i < 0) throw new Error(`unknown class "${name}" (this model has: ${this.manifest.classes.join(', ')})`);
    return i;
  }

  newBank(): MemoryBank {
    const m = this.manifest.memory;
    return new MemoryBank(
      { frames: m.frames, dim: m.dim, size: m.size, pointerDim: m.pointer_dim },
      this.options.conditioningMaxAge,
    );
  }

  /** Letterbox and normalise a grey frame for `infer` (image-preparer.ts). */
  prepare(grey: Uint8Array, width: number, height: number): PreparedImage {
    return this.preparer.prepare(grey, width, height);
  }

  /** Whether `prepareAsync` can overlap a running graph (a spare core; image-preparer.ts). */
  get preparesAhead(): boolean {
    return this.preparer.preparesAhead;
  }

  /** `prepare` on a worker thread where one can run; the same pixels either way. */
  prepareAsync(grey: Uint8Array, width: number, height: number): Promise<PreparedImage> {
    return this.preparer.prepareAsync(grey, width, height);
  }

  /** Give a prepared image's buffer back without running it (e.g. a frame dropped for a newer one). */
  discard(prepared: PreparedImage): void {
    this.preparer.discard(prepared);
  }

  /** Runs all five graphs for one grey frame and every object query, stamping the time after each.
   * `prepared` (from `prepare` on these very pixels) saves the letterbox; its `preparedAt` is the frame's
   * `preprocessed` stamp. */
  async infer(grey: Uint8Array, width: number, height: number, queries: readonly ObjectQuery[], prepared?: PreparedImage): Promise<FrameInference> {
    const m = this.manifest;
    const ready = prepared && prepared.source === grey && prepared.width === width && prepared.height === height ? prepared : undefined;
    if (prepared && !ready) this.discard(prepared);
    const n = queries.length;
    // Nothing to segment (manual mode before any prompt): skip the graphs entirely.
    if (n === 0) {
      if (ready) this.discard(ready);
      return { geometry: letterboxGeometry(width, height, m.input.image_size), objects: [], timestamps: {} };
    }
    const { geometry, input, preparedAt } = ready ?? this.prepare(grey, width, height);
    const timestamps: Partial<Record<Stage, number>> = { preprocessed: preparedAt };
    let image: ImageFeatures;
    try {
      image = await this.encodeImage(input);
    } finally {
      // The encoder has read its input (the outputs are new tensors): the buffer can take the next frame.
      this.discard({ input } as PreparedImage);
    }
    timestamps.image_encoder = performance.now();

    const embedBatch = repeat(image.embed, n);
    const conditioned = await this.attendMemory(embedBatch, queries);
    timestamps.memory_attention = performance.now();

    const learned = await this.predictPrompts(conditioned, queries);
    timestamps.prompt_predictor = performance.now();

    const decoded = await this.decodeMasks(image, conditioned, learned, queries, geometry);
    timestamps.mask_decoder = performance.now();
    releaseDeviceTensors(conditioned, learned.embeddings, learned.maskPrompt);

    const ms = m.mask.size;
    const tokens = decoded.maskLogits.dims[1]!;
    const chosen = outputMasks(decoded.maskLogits, n, m.mask);
    const scores = decoded.objectScores.data as Float32Array;
    const ious = decoded.ious.data as Float32Array;
    const conditioning = queries.map((q) => q.mode !== 'auto' && hasPrompts(q.prompts));
    if (queries.some((q) => q.updateMemory)) {
      await this.encodeMemory(embedBatch, chosen, decoded, queries, conditioning);
      timestamps.memory_encoder = performance.now();
    }
    const { boxes } = learned;
    const objects = queries.map((_, i) => ({
      maskLogits: chosen.subarray(i * ms * ms, (i + 1) * ms * ms),
      objectScore: scores[i]!,
      iou: ious[i * tokens + m.mask.output_index]!,
      box: [boxes[i * 4]!, boxes[i * 4 + 1]!, boxes[i * 4 + 2]!, boxes[i * 4 + 3]!] as const,
      conditioning: conditioning[i]!,
    }));
    return { geometry, objects, timestamps };
  }

  /** Encode image: the normalised input [1,3,S,S] -> ImageFeatures (batch 1). */
  private async encodeImage(input: Float32Array): Promise<ImageFeatures> {
    const s = this.manifest.input.image_size;
    const enc = await this.sessions.image_encoder.run({ image: new ort.Tensor('float32', input, [1, 3, s, s]) });
    return { embed: enc.image_embed!, feats0: enc.high_res_feats_0!, feats1: enc.high_res_feats_1! };
  }

  /** Attend memory: image_embed [n,256,E,E] and each object's bank (memory [n,M,64,m,m], memory_valid [n,M],
   * object_pointers [n,M,256]) -> conditioned_embed [n,256,E,E] (may stay on the device). */
  private async attendMemory(embedBatch: ort.Tensor, queries: readonly ObjectQuery[]): Promise<ort.Tensor> {
    const n = queries.length;
    const { frames, dim, size, pointer_dim: pdim } = this.manifest.memory;
    const memory = new Float32Array(n * frames * dim * size * size);
    const valid = new Float32Array(n * frames);
    const pointers = new Float32Array(n * frames * pdim);
    queries.forEach((q, i) => {
      memory.set(q.bank.memory, i * q.bank.memory.length);
      valid.set(q.bank.valid, i * frames);
      pointers.set(q.bank.pointers, i * frames * pdim);
    });
    const { conditioned_embed: conditioned } = await this.sessions.memory_attention.run({
      image_embed: embedBatch,
      memory: new ort.Tensor('float32', memory, [n, frames, dim, size, size]),
      memory_valid: new ort.Tensor('float32', valid, [n, frames]),
      object_pointers: new ort.Tensor('float32', pointers, [n, frames, pdim]),
    });
    return conditioned!;
  }

  /** Predict prompts: conditioned_embed [n,256,E,E] and class_index [n] -> LearnedPrompts. */
  private async predictPrompts(conditioned: ort.Tensor, queries: readonly ObjectQuery[]): Promise<LearnedPrompts> {
    const ppn = await this.sessions.prompt_predictor.run({
      image_embed: conditioned,
      class_index: new ort.Tensor('int64', BigInt64Array.from(queries.map((q) => BigInt(q.classIndex))), [queries.length]),
    });
    return { boxes: ppn.box!.data as Float32Array, embeddings: ppn.prompt_embeddings!, maskPrompt: ppn.mask_prompt! };
  }

  /** Decode masks (prompt encoder + mask decoder): conditioned_embed, the encoder's high-res features
   * repeated to [n,...], point_coords [n,P,2] / point_labels [n,P] (the learned box unless manual, then the
   * human box and clicks; -1 pads), the learned prompts where used (flags [n]) -> DecodedMasks. */
  private async decodeMasks(
    image: ImageFeatures,
    conditioned: ort.Tensor,
    learned: LearnedPrompts,
    queries: readonly ObjectQuery[],
    geometry: Letterbox,
  ): Promise<DecodedMasks> {
    const n = queries.length;
    const { boxes } = learned;
    const useLearned = queries.map((q) => (q.mode === 'manual' ? 0 : 1));
    const points = queries.map((q, i) =>
      encodePoints(useLearned[i] ? boxes.subarray(i * 4, i * 4 + 4) : null, q.mode === 'auto' ? undefined : q.prompts, geometry),
    );
    const p = Math.max(...points.map((x) => x.labels.length));
    const coords = new Float32Array(n * p * 2);
    const labels = new Float32Array(n * p).fill(-1);
    points.forEach((x, i) => {
      coords.set(x.coords, i * p * 2);
      labels.set(x.labels, i * p);
    });
    const flags = Float32Array.from(useLearned);
    const dec = await this.sessions.mask_decoder.run({
      image_embed: conditioned,
      high_res_feats_0: repeat(image.feats0, n),
      high_res_feats_1: repeat(image.feats1, n),
      point_coords: new ort.Tensor('float32', coords, [n, p, 2]),
      point_labels: new ort.Tensor('float32', labels, [n, p]),
      prompt_embeddings: learned.embeddings,
      use_prompt_embeddings: new ort.Tensor('float32', flags, [n]),
      mask_input: learned.maskPrompt,
      has_mask_input: new ort.Tensor('float32', flags, [n]),
    });
    return {
      maskLogits: dec.mask_logits!,
      ious: dec.iou_predictions!,
      objectScores: dec.object_score_logits!,
      objectPointers: dec.object_pointer!,
    };
  }

  /** Encode memory: the unconditioned image_embed [n,256,E,E], the chosen mask_logits [n,1,ms,ms] and
   * object_score_logits [n,1] -> memory_features [n,64,m,m], pushed with object_pointer [n,256] into the
   * bank of every object that updates its memory. */
  private async encodeMemory(
    embedBatch: ort.Tensor,
    chosen: Float32Array,
    decoded: DecodedMasks,
    queries: readonly ObjectQuery[],
    conditioning: readonly boolean[],
  ): Promise<void> {
    const n = queries.length;
    const ms = this.manifest.mask.size;
    const pdim = this.manifest.memory.pointer_dim;
    const { memory_features: features } = await this.sessions.memory_encoder.run({
      image_embed: embedBatch,
      mask_logits: new ort.Tensor('float32', chosen, [n, 1, ms, ms]),
      object_score_logits: decoded.objectScores,
    });
    const feats = features!.data as Float32Array;
    const per = feats.length / n;
    const ptrs = decoded.objectPointers.data as Float32Array;
    queries.forEach((q, i) => {
      if (q.updateMemory) {
        q.bank.push(feats.slice(i * per, (i + 1) * per), ptrs.slice(i * pdim, (i + 1) * pdim), conditioning[i]!);
      }
    });
  }

  async release(): Promise<void> {
    await this.preparer.close();
    await releaseSessions(this.sessions);
  }
}
