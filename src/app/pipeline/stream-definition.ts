/** Stream definitions: small JSON files (streams/*.json) naming a source, its options, the ROI, the model
 * and the classes to segment, so a setup is started by name instead of a long command line.
 *
 *   { "name": "demo", "description": "...",
 *     "source": "demo" | { "uri": "udp://0.0.0.0:5000", "loop": false, ...source options },
 *     "roi": "auto" | "none" | { "x": 0, "y": 0, "width": 640, "height": 480 },   (default "auto")
 *     "model": "../models/sam2rad-us",      (optional: the default model)
 *     "classes": ["fetal_head"] }           (optional: all the model's classes)
 *
 * Relative paths (a source file or folder, the model directory) are relative to the definition file.
 * Validation names the file and the field, and unknown fields are errors (a typo must not be ignored). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenSourceOptions } from '../../../plugins/sources/index.js';
import type { Rect } from '../../core/frames/roi.js';
import type { RoiSetting } from '../../core/frames/roi-crop.js';

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
  /** The file it was read from. */
  readonly file: string;
}

/** The JSON-expressible subset of the source options. */
export type StreamSourceOptions = Pick<
  OpenSourceOptions,
  | 'loop' | 'realtime' | 'width' | 'height' | 'fps' | 'format' | 'inputFormat' | 'videoSize' | 'framerate'
  | 'probeSize' | 'analyzeDurationUs' | 'inputArgs' | 'firstFrameTimeoutMs' | 'stallTimeoutMs' | 'reconnect'
>;

export class StreamDefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field ? `field "${field}" ` : ''}${problem}`);
    this.name = 'StreamDefinitionError';
  }
}

type Check = (value: unknown) => string | undefined;

const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const isText: Check = (v) => (typeof v === 'string' && v.trim() ? undefined : 'must be a non-empty string');
const isPositive: Check = (v) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : 'must be a positive number');
const isPositiveInteger: Check = (v) => (Number.isInteger(v) && (v as number) > 0 ? undefined : 'must be a positive integer');
const isTextList: Check = (v) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'must be a list of strings';

const SOURCE_OPTION_CHECKS: Record<keyof StreamSourceOptions, Check> = {
  loop: isBoolean,
  realtime: isBoolean,
  width: isPositiveInteger,
  height: isPositiveInteger,
  fps: isPositive,
  format: isText,
  inputFormat: isText,
  videoSize: (v) => (typeof v === 'string' && /^\d+x\d+$/.test(v) ? undefined : 'must look like 1280x720'),
  framerate: isPositive,
  probeSize: isPositiveInteger,
  analyzeDurationUs: isPositiveInteger,
  inputArgs: isTextList,
  firstFrameTimeoutMs: isPositive,
  stallTimeoutMs: isPositive,
  reconnect: () => undefined, // checked field by field below
};

const TOP_LEVEL = new Set(['name', 'description', 'source', 'roi', 'model', 'classes']);

export function parseStreamDefinition(value: unknown, file: string): StreamDefinition {
  const fail = (field: string, problem: string): never => {
    throw new StreamDefinitionError(file, field, problem);
  };
  if (!isObject(value)) return fail('', 'must hold a JSON object');
  for (const key of Object.keys(value)) if (!TOP_LEVEL.has(key)) fail(key, `is not a stream definition field (${[...TOP_LEVEL].join(', ')})`);

  const name = value.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    fail('name', 'must be a name of letters, digits, - and _ (it names the stream in URLs and recordings)');
  }
  const description = value.description;
  if (description !== undefined && typeof description !== 'string') fail('description', 'must be a string');

  const dir = path.dirname(path.resolve(file));
  const { uri, options } = parseSource(value.source, fail);
  const roi = parseRoi(value.roi ?? 'auto', fail);

  let model: string | undefined;
  if (value.model !== undefined) {
    if (isText(value.model)) fail('model', 'must be a model directory path');
    model = path.resolve(dir, value.model as string);
  }
  let classes: string[] | undefined;
  if (value.classes !== undefined) {
    const list = value.classes;
    if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string' && c.trim())) {
      fail('classes', 'must be a non-empty list of class names');
    }
    classes = list as string[];
    const twice = classes.find((c, i) => classes!.indexOf(c) !== i);
    if (twice) fail('classes', `names "${twice}" twice`);
  }

  return {
    name: name as string,
    ...(description !== undefined ? { description: description as string } : {}),
    source: resolveSourceUri(uri, dir),
    sourceOptions: options,
    roi,
    ...(model ? { model } : {}),
    ...(classes ? { classes } : {}),
    file,
  };
}

export async function loadStreamDefinition(file: string): Promise<StreamDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StreamDefinitionError(file, '', `cannot be read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StreamDefinitionError(file, '', `is not valid JSON (${(err as Error).message})`);
  }
  return parseStreamDefinition(json, file);
}

/** Every *.json in `dir`, by name; two definitions with one name are an error. */
export async function loadStreamDefinitions(dir: string): Promise<StreamDefinition[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const definitions = await Promise.all(files.map((f) => loadStreamDefinition(path.join(dir, f))));
  const byName = new Map<string, string>();
  for (const d of definitions) {
    const other = byName.get(d.name);
    if (other) throw new StreamDefinitionError(d.file, 'name', `"${d.name}" is also the name in ${other}`);
    byName.set(d.name, d.file);
  }
  return definitions;
}

function parseSource(
  value: unknown,
  fail: (field: string, problem: string) => never,
): { uri: string; options: StreamSourceOptions } {
  if (typeof value === 'string') {
    if (!value.trim()) fail('source', 'must not be empty');
    return { uri: value, options: {} };
  }
  if (!isObject(value)) return fail('source', 'must be a URI string or an object with "uri"');
  const { uri, ...rest } = value;
  if (typeof uri !== 'string' || !uri.trim()) fail('source.uri', 'must be a non-empty URI string');
  for (const [key, option] of Object.entries(rest)) {
    const check = SOURCE_OPTION_CHECKS[key as keyof StreamSourceOptions];
    if (!check) fail(`source.${key}`, `is not a source option (${Object.keys(SOURCE_OPTION_CHECKS).join(', ')})`);
    const problem = check(option);
    if (problem) fail(`source.${key}`, `${problem} (got ${JSON.stringify(option)})`);
  }
  if (rest.reconnect !== undefined) {
    const reconnect = rest.reconnect;
    if (!isObject(reconnect)) fail('source.reconnect', 'must be an object');
    for (const [key, delay] of Object.entries(reconnect as Record<string, unknown>)) {
      if (key !== 'initialDelayMs' && key !== 'maxDelayMs') fail(`source.reconnect.${key}`, 'is not initialDelayMs or maxDelayMs');
      if (isPositive(delay)) fail(`source.reconnect.${key}`, `must be a positive number (got ${JSON.stringify(delay)})`);
    }
  }
  if ((rest.width === undefined) !== (rest.height === undefined)) fail('source.width', 'and source.height go together');
  return { uri: uri as string, options: rest as StreamSourceOptions };
}

function parseRoi(value: unknown, fail: (field: string, problem: string) => never): RoiSetting {
  if (value === 'auto' || value === 'none') return value;
  if (!isObject(value)) return fail('roi', `must be "auto", "none" or {x, y, width, height} (got ${JSON.stringify(value)})`);
  for (const key of Object.keys(value)) if (!['x', 'y', 'width', 'height'].includes(key)) fail(`roi.${key}`, 'is not x, y, width or height');
  for (const key of ['x', 'y'] as const) {
    if (!Number.isInteger(value[key]) || (value[key] as number) < 0) fail(`roi.${key}`, 'must be an integer >= 0');
  }
  for (const key of ['width', 'height'] as const) {
    if (isPositiveInteger(value[key])) fail(`roi.${key}`, 'must be a positive integer');
  }
  return value as unknown as Rect;
}

/** URIs that are not paths (demo, stdin, devices, URLs) stay as they are; paths become absolute. */
function resolveSourceUri(uri: string, dir: string): string {
  const special = uri === 'demo' || uri === '-' || uri === 'stdin' || uri.startsWith('v4l2:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);
  return special ? uri : path.resolve(dir, uri);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
