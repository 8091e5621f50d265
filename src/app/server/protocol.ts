/**
 * WebSocket wire format (see docs/protocol.md). Frames go out as one binary message each:
 *   [uint32 LE header length][UTF-8 JSON FrameHeader][grey bytes w*h][class-map bytes w*h]
 * Everything else, both directions, is a JSON text message with a string `type`; the client's control
 * messages are checked against the schemas below (their type, checks and error messages).
 */
import * as z from 'zod';
import type { ClassResult, SegmentedFrame, Stage, StageTimestamps } from '../../core/frames/frame.js';
import type { Rect } from '../../core/frames/roi.js';
import type { RecordingState, SourceStatus } from '../../core/contracts/live-status.js';
import { checkSchema, must, says, show, type FieldStyle } from '../../core/schema/schema-errors.js';
import { humanPromptSchema } from '../../../plugins/model/parse-prompt.js';
import { PROMPT_MODES } from '../../../plugins/model/prompts.js';

/** Key of the end-to-end latency entry (decode → WebSocket send) in `latency` and the metrics. */
export const FRAME_TO_WS = 'frame_to_ws';

export interface FrameHeader {
  readonly type: 'frame';
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Server monotonic clock (ms) per stage, including `sent`. Only differences are meaningful. */
  readonly timestamps: StageTimestamps;
  /** Milliseconds from the previous stage to each stage, plus `frame_to_ws`. */
  readonly latency: Readonly<Record<string, number>>;
  readonly results: readonly ClassResult[];
  /** The part of the frame the model saw (its ROI crop); absent when it saw the whole frame. */
  readonly roi?: Rect;
}

/**
 * Per-stage latency from a frame's timestamps. Each stage's latency is the time since the stage
 * stamped just before it (ordered by time, so stages a pipeline skips simply don't appear).
 * `frame_to_ws` runs from the earliest stamp (normally `decoded`) to `sent`.
 */
export function stageLatencies(timestamps: StageTimestamps): Record<string, number> {
  const stamped = (Object.entries(timestamps) as [Stage, number | undefined][])
    .filter((e): e is [Stage, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
    .sort((a, b) => a[1] - b[1]);
  const latency: Record<string, number> = {};
  for (let i = 1; i < stamped.length; i++) latency[stamped[i]![0]] = stamped[i]![1] - stamped[i - 1]![1];
  const sent = timestamps.sent;
  if (sent !== undefined && stamped.length > 0) latency[FRAME_TO_WS] = sent - stamped[0]![1];
  return latency;
}

/** Encode a frame (already stamped `sent`) as one binary message; shared by every client. */
export function encodeFrameMessage(frame: SegmentedFrame): Buffer {
  const pixels = frame.width * frame.height;
  if (frame.data.length !== pixels || frame.classMap.length !== pixels) {
    throw new Error(
      `frame ${frame.index}: expected ${pixels} bytes of image and class map for ${frame.width}x${frame.height}, ` +
        `got ${frame.data.length} and ${frame.classMap.length}`,
    );
  }
  const header: FrameHeader = {
    type: 'frame',
    index: frame.index,
    width: frame.width,
    height: frame.height,
    timestamps: frame.timestamps,
    latency: stageLatencies(frame.timestamps),
    results: frame.results.map(({ className, value, objectScore, box, area, ellipse }) => ({ className, value, objectScore, box, area, ellipse })),
    roi: frame.roi,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(4 + json.length + 2 * pixels);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  out.set(frame.data, 4 + json.length);
  out.set(frame.classMap, 4 + json.length + pixels);
  return out;
}

export interface DecodedFrameMessage {
  readonly header: FrameHeader;
  readonly grey: Uint8Array;
  readonly classMap: Uint8Array;
}

/** Inverse of `encodeFrameMessage` (used by Node clients and tests; the viewer has its own copy). */
export function decodeFrameMessage(message: Uint8Array): DecodedFrameMessage {
  if (message.length < 4) throw new Error(`frame message too short: ${message.length} bytes`);
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > message.length) throw new Error(`frame header length ${headerLength} exceeds message size ${message.length}`);
  const header = JSON.parse(new TextDecoder().decode(message.subarray(4, 4 + headerLength))) as FrameHeader;
  if (header.type !== 'frame') throw new Error(`not a frame message: type ${String(header.type)}`);
  const pixels = header.width * header.height;
  const start = 4 + headerLength;
  if (message.length !== start + 2 * pixels) {
    throw new Error(`frame message is ${message.length} bytes, expected ${start + 2 * pixels} for ${header.width}x${header.height}`);
  }
  return { header, grey: message.subarray(start, start + pixels), classMap: message.subarray(start + pixels, start + 2 * pixels) };
}

// ---- JSON messages, server → client ----

export interface AckMessage {
  readonly type: 'ack';
  readonly id?: string | number;
  readonly message: string;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly id?: string | number;
  readonly message: string;
}

/** The segmentation session as the viewer sees it (status messages and /healthz). */
export interface SessionInfo {
  /** Prompt mode: 'auto' | 'semi' | 'manual'. */
  readonly mode: string;
  /** Every class the model knows, in manifest order; a class's frame/class-map `value` is its index + 1. */
  readonly classes: readonly string[];
  /** Classes being segmented now (a subset of `classes`). */
  readonly tracked: readonly string[];
}

export interface StatusMessage {
  readonly type: 'status';
  /** Frames per second published over the last few seconds. */
  readonly fps: number;
  /** frame_to_ws latency percentiles (ms) over the same window; null before any frame. */
  readonly latency: { readonly p50: number | null; readonly p95: number | null };
  readonly frames: { readonly processed: number; readonly dropped: number };
  /** Frames skipped for this client because it was not keeping up. */
  readonly skipped: number;
  readonly clients: number;
  readonly source: SourceStatus | null;
  readonly recording: RecordingState | null;
  /** Increments whenever a recording starts, stops or fails: refetch GET /recordings when it changes. */
  readonly recordingsRevision: number;
  /** Mode and classes of the segmentation session; null if the server was not given a session provider. */
  readonly session: SessionInfo | null;
}

export type ServerMessage = AckMessage | ErrorMessage | StatusMessage;

// ---- JSON messages, client → server ----
// Control messages are rare (a click in the viewer), so each is checked in full; frames never are.

/** Every control message: a JSON object with a non-empty string `type` and an optional string/number `id`;
 * the other fields belong to the type. */
export const controlEnvelopeSchema = z.looseObject(
  {
    type: z.string({ error: must('a non-empty string') }).min(1),
    id: z.union([z.string(), z.number()], { error: must('a string or a number') }).optional(),
  },
  { error: 'message must be a JSON object' },
);

/** A control message whose envelope was checked; `controlFields` checks the rest. */
export type ControlMessage = z.output<typeof controlEnvelopeSchema>;

/** `unknown mode "turbo" (expected auto, semi, manual)` */
const unknown = (what: string, expected: string) => (issue: { readonly input?: unknown }) =>
  `${issue.input === undefined ? 'is missing' : `unknown ${what} ${show(issue.input)}`} (${expected})`;

/** The fields of each control message type the server knows (docs/protocol.md), besides `type` and `id`.
 * Unknown fields are errors. */
export const CONTROL_FIELDS = {
  hello: z.strictObject({}),
  record: z.strictObject({ action: z.enum(['start', 'stop'], { error: must("'start' or 'stop'") }) }),
  mode: z.strictObject({ mode: z.enum(PROMPT_MODES, { error: unknown('mode', `expected ${PROMPT_MODES.join(', ')}`) }) }),
  class: z.strictObject({
    action: z.enum(['enable', 'disable'], { error: unknown('action', 'enable or disable') }).default('enable'),
    className: z.string({ error: says('expected "className", a class name') }),
  }),
  prompt: humanPromptSchema,
  clear: z.strictObject({ className: z.string().optional() }),
} as const;
export type ControlType = keyof typeof CONTROL_FIELDS;
export type ControlFields<T extends ControlType> = z.output<(typeof CONTROL_FIELDS)[T]>;

export class ControlMessageError extends Error {
  override readonly name = 'ControlMessageError';
}

/** How errors name the field: `prompt.points[0]: …`, `mode.mode: …`; `record` keeps the wording it always
 * had (`record: 'action' must be …`). */
const CONTROL_STYLE: Partial<Record<ControlType, FieldStyle>> = { record: 'single-quoted' };

/** The fields of a `type` message, checked; the error names the type and the field. */
export function controlFields<T extends ControlType>(type: T, message: ControlMessage): ControlFields<T> {
  const { type: _type, id: _id, ...fields } = message;
  const checked = checkSchema(CONTROL_FIELDS[type], fields, type, CONTROL_STYLE[type] ?? 'path');
  if (!checked.ok) throw new ControlMessageError(checked.message);
  return checked.value as ControlFields<T>;
}

export type ParseResult =
  | { readonly ok: true; readonly message: ControlMessage }
  | { readonly ok: false; readonly error: string; readonly id?: string | number };

/** Parse a client text message and check its envelope. The type's own fields are checked by its handler
 * (`controlFields`). */
export function parseControlMessage(data: Buffer, isBinary: boolean, maxBytes: number): ParseResult {
  if (isBinary) return { ok: false, error: 'binary messages are not accepted; send JSON text' };
  if (data.length > maxBytes) return { ok: false, error: `message is ${data.length} bytes; the limit is ${maxBytes}` };
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `message is not valid JSON: ${(err as Error).message}` };
  }
  const checked = checkSchema(controlEnvelopeSchema, value, '', 'single-quoted');
  if (checked.ok) return { ok: true, message: checked.value };
  const id = (value as { id?: unknown } | null)?.id;
  return { ok: false, error: checked.message, ...(typeof id === 'string' || typeof id === 'number' ? { id } : {}) };
}
