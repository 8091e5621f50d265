/** The model manifest: everything the runtime knows about a model directory comes from here, so any
 * directory with a valid manifest and its graphs (ours, or one built from a real SAM2 export) drops in. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from './execution-provider.js';

export const GRAPH_NAMES = [
  'image_encoder',
  'memory_attention',
  'prompt_predictor',
  'mask_decoder',
  'memory_encoder',
] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

/** fp32: the graphs under "graphs". fp16 / int8: the copies under "variants.fp16" (training/convert_fp16.py) or
 * "variants.int8" (training/quantize_int8.py), which take and return the same float32 tensors, so nothing
 * else in the runtime changes. */
export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];
const VARIANT_SCRIPTS: Record<Exclude<Precision, 'fp32'>, string> = {
  fp16: 'training/convert_fp16.py',
  int8: 'training/quantize_int8.py',
};
/** A precision, or the one the manifest's `precision_defaults` gives for a provider (fp32 if none). */
export type PrecisionChoice = Precision | { readonly defaultFor: ExecutionProvider };

/** Shapes a class's mask can be drawn as (plugins/model/shape-prior.ts). */
export const SHAPE_PRIORS = ['ellipse'] as const;
export type ShapePrior = (typeof SHAPE_PRIORS)[number];

export type Dim = number | string;
export interface TensorSpec {
  readonly dtype: 'float32' | 'float16' | 'int64';
  readonly shape: readonly Dim[];
}
export interface GraphFile {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}
export interface GraphSpec extends GraphFile {
  readonly inputs: Readonly<Record<string, TensorSpec>>;
  readonly outputs: Readonly<Record<string, TensorSpec>>;
}

export interface Manifest {
  readonly format: 'sam2rad-manifest/1';
  readonly name: string;
  readonly version: string;
  readonly input: {
    readonly image_size: number;
    readonly channels: number;
    readonly pixel_scale: number;
    readonly pixel_mean: readonly number[];
    readonly pixel_std: readonly number[];
  };
  readonly mask: {
    readonly size: number;
    /** A pixel is in the mask where the upsampled logit is above this. */
    readonly threshold_logit: number;
    /** Per-class thresholds that replace `threshold_logit` (chosen on the training split by
     * scripts/choose-thresholds.mjs). */
    readonly class_threshold_logits?: Readonly<Record<string, number>>;
    readonly output_index: number;
    /** Classes whose masks are drawn as a fitted shape (plugins/model/shape-prior.ts). */
    readonly shape_priors?: Readonly<Record<string, ShapePrior>>;
  };
  readonly classes: readonly string[];
  readonly prompts: { readonly learned_tokens: number };
  readonly memory: {
    readonly frames: number;
    readonly conditioning_slots: number;
    readonly dim: number;
    readonly size: number;
    readonly pointer_dim: number;
  };
  readonly graphs: Readonly<Record<GraphName, GraphSpec>>;
  /** Other files for the same graphs (same tensor names and types), e.g. `fp16`. */
  readonly variants?: Readonly<Record<string, Readonly<Record<GraphName, GraphFile>>>>;
  /** The precision to load on a provider when none is asked for, e.g. `{"cpu": "int8"}` (the model card
   * gives its accuracy); providers not listed get fp32. */
  readonly precision_defaults?: Readonly<Partial<Record<ExecutionProvider, Precision>>>;
  readonly training?: unknown;
  readonly metrics?: unknown;
}

export interface LoadedManifest {
  readonly dir: string;
  readonly path: string;
  readonly manifest: Manifest;
  /** sha256 of manifest.json itself: identifies the exact model in recordings. */
  readonly sha256: string;
  readonly precision: Precision;
  /** Each graph of `precision`: its file (relative to `dir`) and bytes, already checked against the manifest's sha256. */
  readonly graphs: Readonly<Record<GraphName, { readonly file: string; readonly bytes: Uint8Array }>>;
}

export class ModelError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelError';
  }
}

const REQUIRED_TENSORS: Record<GraphName, { inputs: string[]; outputs: string[] }> = {
  image_encoder: { inputs: ['image'], outputs: ['high_res_feats_0', 'high_res_feats_1', 'image_embed'] },
  memory_attention: {
    inputs: ['image_embed', 'memory', 'memory_valid', 'object_pointers'],
    outputs: ['conditioned_embed'],
  },
  prompt_predictor: {
    inputs: ['image_embed', 'class_index'],
    outputs: ['box', 'prompt_embeddings', 'mask_prompt'],
  },
  mask_decoder: {
    inputs: [
      'image_embed', 'high_res_feats_0', 'high_res_feats_1', 'point_coords', 'point_labels',
      'prompt_embeddings', 'use_prompt_embeddings', 'mask_input', 'has_mask_input',
    ],
    outputs: ['mask_logits', 'iou_predictions', 'object_score_logits', 'object_pointer'],
  },
  memory_encoder: {
    inputs: ['image_embed', 'mask_logits', 'object_score_logits'],
    outputs: ['memory_features'],
  },
};

function need(cond: unknown, file: string, message: string): asserts cond {
  if (!cond) throw new ModelError(file, message);
}

function isPositiveInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

function validateGraphFile(g: any, file: string, where: string): void {
  need(g && typeof g.file === 'string', file, `"${where}.file" is missing`);
  need(typeof g.sha256 === 'string' && /^[0-9a-f]{64}$/.test(g.sha256), file, `"${where}.sha256" must be a hex sha256`);
}

/** Structural validation with errors that name the field. */
export function validateManifest(value: unknown, file: string): Manifest {
  need(typeof value === 'object' && value !== null, file, 'manifest is not a JSON object');
  const m = value as Record<string, any>;
  need(m.format === 'sam2rad-manifest/1', file, `unsupported "format" ${JSON.stringify(m.format)} (expected "sam2rad-manifest/1")`);
  need(typeof m.name === 'string' && typeof m.version === 'string', file, '"name" and "version" must be strings');
  need(isPositiveInt(m.input?.image_size), file, '"input.image_size" must be a positive integer');
  need(m.input.image_size % 16 === 0, file, '"input.image_size" must be a multiple of 16');
  for (const key of ['pixel_mean', 'pixel_std'] as const) {
    need(Array.isArray(m.input[key]) && m.input[key].length === 3, file, `"input.${key}" must be 3 numbers`);
  }
  need(typeof m.input.pixel_scale === 'number', file, '"input.pixel_scale" must be a number');
  need(isPositiveInt(m.mask?.size), file, '"mask.size" must be a positive integer');
  need(typeof m.mask.threshold_logit === 'number', file, '"mask.threshold_logit" must be a number (the logit above which a pixel is in the mask)');
  need(Array.isArray(m.classes) && m.classes.length > 0 && m.classes.every((c: unknown) => typeof c === 'string'),
    file, '"classes" must be a non-empty list of names');
  for (const [name, threshold] of Object.entries(m.mask.class_threshold_logits ?? {})) {
    need(m.classes.includes(name), file, `"mask.class_threshold_logits" names "${name}", which is not one of the classes`);
    need(typeof threshold === 'number' && Number.isFinite(threshold), file,
      `"mask.class_threshold_logits.${name}" is ${JSON.stringify(threshold)} (expected a number)`);
  }
  for (const [name, prior] of Object.entries(m.mask.shape_priors ?? {})) {
    need(m.classes.includes(name), file, `"mask.shape_priors" names "${name}", which is not one of the classes`);
    need((SHAPE_PRIORS as readonly unknown[]).includes(prior), file,
      `"mask.shape_priors.${name}" is ${JSON.stringify(prior)} (expected one of ${SHAPE_PRIORS.join(', ')})`);
  }
  need(isPositiveInt(m.prompts?.learned_tokens), file, '"prompts.learned_tokens" must be a positive integer');
  for (const key of ['frames', 'dim', 'size', 'pointer_dim'] as const) {
    need(isPositiveInt(m.memory?.[key]), file, `"memory.${key}" must be a positive integer`);
  }
  need(typeof m.graphs === 'object' && m.graphs !== null, file, '"graphs" is missing');
  for (const name of GRAPH_NAMES) {
    const g = m.graphs[name];
    validateGraphFile(g, file, `graphs.${name}`);
    for (const io of ['inputs', 'outputs'] as const) {
      for (const tensor of REQUIRED_TENSORS[name][io]) {
        need(g[io]?.[tensor]?.shape, file, `"graphs.${name}.${io}.${tensor}" is missing`);
      }
    }
  }
  if (m.variants !== undefined) {
    need(typeof m.variants === 'object' && m.variants !== null, file, '"variants" must be an object');
    for (const [variant, graphs] of Object.entries(m.variants as Record<string, any>)) {
      for (const name of GRAPH_NAMES) validateGraphFile(graphs?.[name], file, `variants.${variant}.${name}`);
    }
  }
  for (const [ep, precision] of Object.entries(m.precision_defaults ?? {})) {
    need((EXECUTION_PROVIDERS as readonly string[]).includes(ep), file,
      `"precision_defaults" names "${ep}", which is not an execution provider (${EXECUTION_PROVIDERS.join(', ')})`);
    need(precision === 'fp32' || m.variants?.[precision as string] !== undefined, file,
      `"precision_defaults.${ep}" is ${JSON.stringify(precision)}, which is neither fp32 nor one of the manifest's variants`);
  }
  return m as Manifest;
}

/** The precision a provider runs when none is asked for: the manifest's `precision_defaults`, else fp32. */
export function defaultPrecision(manifest: Manifest, ep: ExecutionProvider): Precision {
  return manifest.precision_defaults?.[ep] ?? 'fp32';
}

/** The file, hash and size of each graph for one precision. */
function graphFiles(manifest: Manifest, precision: Precision, manifestPath: string): Record<GraphName, GraphFile> {
  if (precision === 'fp32') return manifest.graphs;
  const variant = manifest.variants?.[precision];
  if (!variant) {
    throw new ModelError(manifestPath, `this model has no "${precision}" variant (make one with: /usr/bin/python3 ${VARIANT_SCRIPTS[precision]} ${path.dirname(manifestPath)})`);
  }
  return variant;
}

/** Reads manifest.json and every graph of the chosen precision, checking each graph exists and matches its sha256. */
export async function loadManifest(dir: string, choice: PrecisionChoice = 'fp32'): Promise<LoadedManifest> {
  const manifestPath = path.join(dir, 'manifest.json');
  let raw: Buffer;
  try {
    raw = await readFile(manifestPath);
  } catch (err) {
    throw new ModelError(manifestPath, `cannot read the model manifest (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ModelError(manifestPath, `not valid JSON (${(err as Error).message})`);
  }
  const manifest = validateManifest(parsed, manifestPath);
  const precision = typeof choice === 'string' ? choice : defaultPrecision(manifest, choice.defaultFor);
  const specs = graphFiles(manifest, precision, manifestPath);
  const label = (name: GraphName) => (precision === 'fp32' ? `graph "${name}"` : `${precision} graph "${name}"`);
  const graphs = {} as Record<GraphName, { file: string; bytes: Uint8Array }>;
  for (const name of GRAPH_NAMES) {
    const spec = specs[name];
    const file = path.join(dir, spec.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new ModelError(file, `${label(name)} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== spec.sha256) {
      throw new ModelError(file, `${label(name)} does not match the manifest (sha256 ${digest.slice(0, 12)}…, expected ${spec.sha256.slice(0, 12)}…): the file is corrupt or from another model`);
    }
    graphs[name] = { file: spec.file, bytes };
  }
  const sha256 = createHash('sha256').update(raw).digest('hex');
  return { dir, path: manifestPath, manifest, sha256, precision, graphs };
}
