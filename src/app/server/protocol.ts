/**
 * WebSocket wire format (see docs/protocol.md). Frames go out as one binary message each:
 *   [uint32 LE header length][UTF-8 JSON FrameHeader][grey bytes w*h][class-map bytes w*h]
 * (defined in wire-format.ts, which the browser viewer imports too). Everything else, both directions, is
 * a JSON text message with a string `type`; the client's control messages are checked against the schemas
 * below (their type, checks and error messages).
 */
import * as z from 'zod';
import { checkSchema, must, says, show, type FieldStyle } from '../../core/schema/schema-errors.js';
import { humanPromptSchema } from '../../../plugins/model/parse-prompt.js';
import { PROMPT_MODES } from '../../../plugins/model/prompts.js';
import type { SegmentedFrame } from '../../core/frames/frame.js';
import { encodeFrame } from './wire-format.js';
import { COMPRESSED_PROTOCOL_VERSION } from './compressed-frame.js';

// The frame message and the server's JSON messages are defined in wire-format.ts (browser-safe, shared
// with the viewer); re-exported here so that the server and its clients have one protocol module.
export {
  FRAME_TO_WS,
  decodeFrameMessage,
  encodeFrame,
  stageLatencies,
  type AckMessage,
  type DecodedFrameMessage,
  type ErrorMessage,
  type FrameHeader,
  type ServerMessage,
  type SessionInfo,
  type StatusMessage,
} from './wire-format.js';

/** Encode a frame (already stamped `sent`) as one binary message; shared by every client. */
export function encodeFrameMessage(frame: SegmentedFrame): Buffer {
  return encodeFrame(frame, (bytes) => Buffer.allocUnsafe(bytes));
}

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

/** Why a `subscribe` message's version is not one the server streams. */
function versionProblem(input: unknown): string {
  if (input === undefined) return `is missing: compressed frames are protocol version ${COMPRESSED_PROTOCOL_VERSION} (send "version": ${COMPRESSED_PROTOCOL_VERSION})`;
  if (input === 1) {
    return `version 1 (raw frames) is not subscribed to: it is what a client that sends no subscribe gets; compressed frames are version ${COMPRESSED_PROTOCOL_VERSION}`;
  }
  return `protocol version ${show(input)} is not supported: this server streams raw frames (version 1, without subscribing) and compressed frames (version ${COMPRESSED_PROTOCOL_VERSION}); reload the viewer or update the client`;
}

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
  subscribe: z.strictObject({
    version: z.literal(COMPRESSED_PROTOCOL_VERSION, { error: (issue) => versionProblem(issue.input) }),
    scale: z.number({ error: must('a number, 0 < scale <= 1') }).gt(0, { error: must('a number, 0 < scale <= 1') }).lte(1, { error: must('a number, 0 < scale <= 1') }).default(1),
    maxWidth: z.int({ error: must('an integer number of pixels, 16..16384') }).min(16).max(16384).optional(),
    maxHeight: z.int({ error: must('an integer number of pixels, 16..16384') }).min(16).max(16384).optional(),
    quality: z.int({ error: must('an integer JPEG quality, 1..100') }).min(1).max(100).default(75),
  }),
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
