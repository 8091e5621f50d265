/** Stream definitions: small JSON files (streams/*.json) naming a source, its options, the ROI, the model
 * and the classes to segment, so a setup is started by name instead of a long command line.
 *
 *   { "name": "demo", "description": "...",
 *     "source": "demo" | { "uri": "udp://0.0.0.0:5000", "loop": false, ...source options },
 *     "roi": "auto" | "none" | { "x": 0, "y": 0, "width": 640, "height": 480 },   (default "auto")
 *     "model": "../models/sam2rad-us",      (optional: the default model)
 *     "classes": ["fetal_head"],            (optional: all the model's classes)
 *     "pixelSpacingMm": 0.12 | {"x": 0.12, "y": 0.125},  (optional: mm per pixel, for biometry in mm)
 *     "$schema": "./stream-definition.schema.json" }   (optional: for editors)
 *
 * Relative paths (a source file or folder, the model directory) are relative to the definition file.
 * `streamDefinitionSchema` is the one definition of the format: the type, the checks (unknown fields are
 * errors: a typo must not be ignored) and the messages, which name the file and the field; the JSON Schema
 * in streams/ is generated from it. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { OpenSourceOptions } from '../../../plugins/sources/index.js';
import type { RoiSetting } from '../../core/frames/roi-crop.js';
import {
  checkSchema,
  formatProblem,
  must,
  nonEmptyString,
  nonNegativeInteger,
  positiveInteger,
  positiveNumber,
} from '../../core/schema/schema-errors.js';

/** Rejects unknown keys of a strict object with `message` (each key is reported at its own path). */
const unknownKeys = (message: string) => (issue: z.core.$ZodRawIssue) => (issue.code === 'unrecognized_keys' ? message : undefined);

const SOURCE_OPTION_FIELDS = {
  loop: z.boolean().optional().meta({ description: 'Start again at the end (files, images).' }),
  realtime: z.boolean().optional().meta({ description: 'Pace frames at their own rate (files, images, stdin; default true).' }),
  width: positiveInteger().optional().meta({ description: 'Scale every frame to this width (with height).' }),
  height: positiveInteger().optional().meta({ description: 'Scale every frame to this height (with width).' }),
  fps: positiveNumber().optional().meta({ description: 'Frames per second of a folder of images.' }),
  format: nonEmptyString().optional().meta({ description: 'stdin: the ffmpeg input format, e.g. mpegts.' }),
  inputFormat: nonEmptyString().optional().meta({ description: "v4l2: the device's pixel format, e.g. mjpeg." }),
  videoSize: z.string({ error: must('like 1280x720') }).regex(/^\d+x\d+$/).optional().meta({ description: 'v4l2: capture size, e.g. 1280x720.' }),
  framerate: positiveNumber().optional().meta({ description: 'v4l2: frame rate to ask the device for.' }),
  probeSize: positiveInteger().optional().meta({ description: 'Network: ffmpeg -probesize in bytes.' }),
  analyzeDurationUs: positiveInteger().optional().meta({ description: 'Network: ffmpeg -analyzeduration in microseconds.' }),
  inputArgs: z.array(z.string(), { error: must('a list of strings') }).optional().meta({ description: 'Network: extra ffmpeg input options.' }),
  firstFrameTimeoutMs: positiveNumber().optional().meta({ description: 'Network, v4l2: how long to wait for the first frame.' }),
  stallTimeoutMs: positiveNumber().optional().meta({ description: 'Network, v4l2: a source silent this long is reconnected.' }),
  reconnect: z
    .strictObject(
      { initialDelayMs: positiveNumber().optional(), maxDelayMs: positiveNumber().optional() },
      { error: unknownKeys('is not initialDelayMs or maxDelayMs') },
    )
    .optional()
    .meta({ description: 'Network, v4l2: reconnection backoff.' }),
};

const sourceObject = z
  .strictObject(
    {
      uri: z.string({ error: must('a non-empty URI string') }).regex(/\S/).meta({ description: 'Where the video comes from (see streams/README.md).' }),
      ...SOURCE_OPTION_FIELDS,
    },
    { error: unknownKeys(`is not a source option (${Object.keys(SOURCE_OPTION_FIELDS).join(', ')})`) },
  )
  .refine((s) => (s.width === undefined) === (s.height === undefined), { path: ['width'], message: 'and source.height go together' });

const roiRect = z.strictObject(
  { x: nonNegativeInteger(), y: nonNegativeInteger(), width: positiveInteger(), height: positiveInteger() },
  { error: unknownKeys('is not x, y, width or height') },
);

const FIELDS = {
  $schema: z.string().optional().meta({ description: 'The JSON Schema of this file, for editors.' }),
  name: z
    .string({ error: must('a name of letters, digits, - and _ (it names the stream in URLs and recordings)') })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/)
    .meta({ description: 'Letters, digits, - and _; unique among the definitions.' }),
  description: z.string().optional(),
  source: z
    .union([z.string().regex(/\S/, { error: 'must not be empty' }), sourceObject], { error: must('a URI string or an object with "uri"') })
    .meta({ description: 'A source URI, or {"uri": ..., ...source options}; relative paths are relative to this file.' }),
  roi: z
    .union([z.enum(['auto', 'none']), roiRect], { error: must('"auto", "none" or {x, y, width, height}') })
    .default('auto')
    .meta({ description: 'The part of the frame the model sees: "auto" (found in the scanner screen), "none", or a fixed rectangle in source pixels.' }),
  model: nonEmptyString('a model directory path').optional().meta({ description: 'Model directory, relative to this file (default: the shipped model).' }),
  classes: z
    .array(nonEmptyString('a class name'), { error: must('a non-empty list of class names') })
    .min(1)
    .optional()
    .meta({ description: "Classes to segment (default: all the model's classes)." }),
  pixelSpacingMm: z
    .union([positiveNumber(), z.strictObject({ x: positiveNumber(), y: positiveNumber() }, { error: unknownKeys('is not x or y') })], {
      error: must('a positive number of millimetres per pixel, or {"x": mm, "y": mm}'),
    })
    .optional()
    .meta({ description: 'Millimetres per source pixel (the scanner\'s calibration at its depth setting), for biometry in mm; a number, or {"x", "y"} when they differ. A DICOM source\'s own calibration wins.' }),
};

/** A stream definition file (streams/*.json): its type, checks and messages. Unknown fields are errors
 * (a typo must not be ignored); streams/stream-definition.schema.json is generated from it. */
export const streamDefinitionSchema = z
  .strictObject(FIELDS, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a stream definition field (${Object.keys(FIELDS).join(', ')})`
        : issue.code === 'invalid_type' ? 'must hold a JSON object' : undefined,
  })
  .superRefine((value, ctx) => {
    const twice = value.classes?.find((c, i) => value.classes!.indexOf(c) !== i);
    if (twice) ctx.addIssue({ code: 'custom', path: ['classes'], message: `names "${twice}" twice` });
  })
  .meta({ title: 'Sam2Rad Live stream definition' });

/** The JSON form of a stream definition, as written in streams/*.json. */
export type StreamDefinitionFile = z.input<typeof streamDefinitionSchema>;

/** The JSON-expressible subset of the source options. */
export type StreamSourceOptions = Omit<Extract<z.output<typeof sourceObject>, object>, 'uri'>;
// The schema's options must be options openSource() takes (a compile-time check).
const _sourceOptionsFit = (options: StreamSourceOptions): OpenSourceOptions => options;
void _sourceOptionsFit;

export interface StreamDefinition {
  readonly name: string;
  readonly description?: string;
  /** Source URI for openSource(), paths already resolved. */
  readonly source: string;
  readonly sourceOptions: StreamSourceOptions;
  readonly roi: RoiSetting;
  /** Model directory (absolute), when the definition names one. */
  readonly model?: string;
  readonly classes?: readonly string[];
  /** Millimetres per source pixel along x and y, when the definition gives `pixelSpacingMm`. */
  readonly pixelSpacingMm?: { readonly x: number; readonly y: number };
  /** The file it was read from. */
  readonly file: string;
}

/** The JSON Schema of stream definition files (streams/stream-definition.schema.json, written by
 * scripts/write-schemas.mjs). Checks across fields (width with height, classes named once) are the
 * loader's alone. */
export function streamDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(streamDefinitionSchema, { io: 'input' });
}

export class StreamDefinitionError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'StreamDefinitionError';
  }
}

export function parseStreamDefinition(value: unknown, file: string): StreamDefinition {
  const checked = checkSchema(streamDefinitionSchema, value, '', 'field');
  if (!checked.ok) throw new StreamDefinitionError(file, checked.message);
  const { name, description, source, roi, model, classes, pixelSpacingMm: spacing } = checked.value;
  const { uri, ...sourceOptions } = typeof source === 'string' ? { uri: source } : source;
  const dir = path.dirname(path.resolve(file));
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    source: resolveSourceUri(uri, dir),
    sourceOptions,
    roi,
    ...(model !== undefined ? { model: path.resolve(dir, model) } : {}),
    ...(classes ? { classes } : {}),
    ...(spacing !== undefined ? { pixelSpacingMm: typeof spacing === 'number' ? { x: spacing, y: spacing } : spacing } : {}),
    file,
  };
}

export async function loadStreamDefinition(file: string): Promise<StreamDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StreamDefinitionError(file, `cannot be read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StreamDefinitionError(file, `is not valid JSON (${(err as Error).message})`);
  }
  return parseStreamDefinition(json, file);
}

/** Every *.json in `dir` but the JSON Schema (*.schema.json), by name; two definitions with one name are an error. */
export async function loadStreamDefinitions(dir: string): Promise<StreamDefinition[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort();
  const definitions = await Promise.all(files.map((f) => loadStreamDefinition(path.join(dir, f))));
  const byName = new Map<string, string>();
  for (const d of definitions) {
    const other = byName.get(d.name);
    if (other) throw new StreamDefinitionError(d.file, formatProblem('', { path: ['name'], message: `"${d.name}" is also the name in ${other}` }, 'field'));
    byName.set(d.name, d.file);
  }
  return definitions;
}

/** URIs that are not paths (demo, stdin, devices, URLs) stay as they are; paths become absolute. */
function resolveSourceUri(uri: string, dir: string): string {
  const special = uri === 'demo' || uri === '-' || uri === 'stdin' || uri.startsWith('v4l2:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);
  return special ? uri : path.resolve(dir, uri);
}
