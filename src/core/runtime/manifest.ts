/** The model manifest: everything the runtime knows about a model directory comes from here, so any
 * directory with a valid manifest and its graphs (ours, or one built from a real SAM2 export) drops in. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { checkSchema, must, nonNegativeInteger, positiveInteger, show } from '../schema/schema-errors.js';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from './providers.js';

export const GRAPH_NAMES = [
  'image_encoder',
  'memory_attention',
  'prompt_predictor',
  'mask_decoder',
  'memory_encoder',
] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

/** fp32: the graphs under "graphs". fp16 / int8: the copies under "variants.fp16" (training/export/convert_fp16.py)
 * or "variants.int8" (training/export/quantize_int8.py), which take and return the same float32 tensors, so
 * nothing else in the runtime changes. */
export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];
/** The Python module (run from the repository root) that makes each variant. */
const VARIANT_MODULES: Record<Exclude<Precision, 'fp32'>, string> = {
  fp16: 'training.export.convert_fp16',
  int8: 'training.export.quantize_int8',
};
/** A precision, or the one the manifest's `precision_defaults` gives for a provider (fp32 if none). */
export type PrecisionChoice = Precision | { readonly defaultFor: ExecutionProvider };

/** Shapes a class's mask can be drawn as (plugins/model/shape-prior.ts). */
export const SHAPE_PRIORS = ['ellipse'] as const;
export type ShapePrior = (typeof SHAPE_PRIORS)[number];

/** A tensor dimension: a size, or a name for a dynamic one (`B`, `P`). */
const dim = z.union([z.int().nonnegative(), z.string()], { error: must('a size (integer >= 0) or a dimension name') });
const tensorSpec = z.looseObject({
  dtype: z.enum(['float32', 'float16', 'int64']),
  shape: z.array(dim),
});
export type Dim = z.output<typeof dim>;
export type TensorSpec = z.output<typeof tensorSpec>;

const graphFile = z.looseObject({
  file: z.string(),
  sha256: z.string({ error: must('a hex sha256') }).regex(/^[0-9a-f]{64}$/),
  bytes: nonNegativeInteger(),
});
export type GraphFile = z.output<typeof graphFile>;

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

/** Tensors by name: the ones the runtime feeds or reads must be there; others may be. */
const tensors = (required: readonly string[]) =>
  z.object(Object.fromEntries(required.map((name) => [name, tensorSpec]))).catchall(tensorSpec);
const graphSpec = (name: GraphName) =>
  graphFile.extend({ inputs: tensors(REQUIRED_TENSORS[name].inputs), outputs: tensors(REQUIRED_TENSORS[name].outputs) });
export type GraphSpec = z.output<ReturnType<typeof graphSpec>>;

const byGraph = <T extends z.ZodType>(schema: (name: GraphName) => T) =>
  z.looseObject(Object.fromEntries(GRAPH_NAMES.map((name) => [name, schema(name)])) as Record<GraphName, T>);

/** manifest.json: the type, the checks and their messages (docs/model.md, "Manifest"). Fields the runtime
 * does not read (`config`, `training`, `metrics`, notes) are kept as they are. */
export const manifestSchema = z
  .looseObject(
    {
      format: z.literal('sam2rad-manifest/1'),
      name: z.string(),
      version: z.string(),
      input: z.looseObject({
        image_size: positiveInteger().multipleOf(16, { error: must('a multiple of 16') }),
        channels: positiveInteger(),
        pixel_scale: z.number(),
        pixel_mean: z.array(z.number(), { error: must('3 numbers') }).length(3),
        pixel_std: z.array(z.number(), { error: must('3 numbers') }).length(3),
      }),
      mask: z.looseObject({
        size: positiveInteger(),
        /** A pixel is in the mask where the upsampled logit is above this. */
        threshold_logit: z.number({ error: must('a number (the logit above which a pixel is in the mask)') }),
        /** Per-class thresholds that replace `threshold_logit` (chosen on the training split by
         * scripts/choose-thresholds.mjs). */
        class_threshold_logits: z
          .record(z.string(), z.number({ error: (issue) => `is ${show(issue.input)} (expected a number)` }))
          .optional(),
        output_index: nonNegativeInteger(),
        /** Classes whose masks are drawn as a fitted shape (plugins/model/shape-prior.ts). */
        shape_priors: z
          .record(z.string(), z.enum(SHAPE_PRIORS, { error: (issue) => `is ${show(issue.input)} (expected one of ${SHAPE_PRIORS.join(', ')})` }))
          .optional(),
        /** Per-class factor on a fitted ellipse's semi-axes before HC, BPD and OFD (src/core/frames/biometry.ts):
         * a model trained on masks filled to the outer edge of a drawn outline measures long against the
         * outline's centre line. Chosen on the training split (scripts/choose-biometry-scale.mjs); 1 when absent. */
        biometry_axis_scales: z
          .record(z.string(), z.number({ error: (issue) => `is ${show(issue.input)} (expected a number)` }).min(0.5).max(1.5))
          .optional(),
      }),
      classes: z.array(z.string(), { error: must('a non-empty list of names') }).min(1),
      prompts: z.looseObject({ learned_tokens: positiveInteger() }),
      memory: z.looseObject({
        frames: positiveInteger(),
        conditioning_slots: nonNegativeInteger(),
        dim: positiveInteger(),
        size: positiveInteger(),
        pointer_dim: positiveInteger(),
      }),
      graphs: byGraph(graphSpec),
      /** Other files for the same graphs (same tensor names and types), e.g. `fp16`. */
      variants: z.record(z.string(), byGraph(() => graphFile)).optional(),
      /** The precision to load on a provider when none is asked for, e.g. `{"cpu": "int8"}` (the model card
       * gives its accuracy); providers not listed get fp32. */
      precision_defaults: z
        .record(
          z.string(),
          z.enum(PRECISIONS, { error: (issue) => `is ${show(issue.input)}, which is neither fp32 nor one of the manifest's variants` }),
        )
        .optional(),
      training: z.unknown().optional(),
      metrics: z.unknown().optional(),
    },
    { error: 'manifest is not a JSON object' },
  )
  .superRefine((m, ctx) => {
    const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    for (const key of ['class_threshold_logits', 'shape_priors', 'biometry_axis_scales'] as const) {
      for (const name of Object.keys(m.mask[key] ?? {})) {
        if (!m.classes.includes(name)) problem(['mask', key], `names "${name}", which is not one of the classes`);
      }
    }
    for (const [ep, precision] of Object.entries(m.precision_defaults ?? {})) {
      if (!(EXECUTION_PROVIDERS as readonly string[]).includes(ep)) {
        problem(['precision_defaults'], `names "${ep}", which is not an execution provider (${EXECUTION_PROVIDERS.join(', ')})`);
      } else if (precision !== 'fp32' && m.variants?.[precision] === undefined) {
        problem(['precision_defaults', ep], `is "${precision}", which is neither fp32 nor one of the manifest's variants`);
      }
    }
  });

export type Manifest = z.output<typeof manifestSchema>;

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

/** Structural validation with errors that name the file and the field. */
export function validateManifest(value: unknown, file: string): Manifest {
  const checked = checkSchema(manifestSchema, value, '', 'quoted');
  if (!checked.ok) throw new ModelError(file, checked.message);
  return checked.value;
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
    throw new ModelError(manifestPath, `this model has no "${precision}" variant (make one with: /usr/bin/python3 -m ${VARIANT_MODULES[precision]} ${path.dirname(manifestPath)})`);
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
