/**
 * The browser-safe half of the WebSocket protocol (docs/protocol.md): the binary frame message, its
 * encoder and decoder, and the types of the server's JSON messages. The server (through protocol.ts,
 * which re-exports all of it), Node clients and the browser viewer (bundled by scripts/build-viewer.mjs)
 * import this one definition, so it uses no Node modules and no Buffer.
 *
 * A frame is one binary message:
 *   [uint32 LE header length][UTF-8 JSON FrameHeader][grey bytes w*h][class-map bytes w*h]
 */
import type { ClassResult, SegmentedFrame, Stage, StageTimestamps } from '../../core/frames/frame.js';
import type { Rect } from '../../core/frames/roi.js';
import type { RecordingState, SourceStatus } from '../../core/contracts/live-status.js';

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

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Encode a frame (already stamped `sent`) as one binary message into a buffer from `alloc` (the server
 * passes Buffer.allocUnsafe; every byte is written).
 */
export function encodeFrame<T extends Uint8Array>(frame: SegmentedFrame, alloc: (bytes: number) => T): T {
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
    results: frame.results.map(({ className, value, objectScore, box, area, ellipse, biometry }) => ({ className, value, objectScore, box, area, ellipse, biometry })),
    roi: frame.roi,
  };
  const json = utf8Encoder.encode(JSON.stringify(header));
  const out = alloc(4 + json.length + 2 * pixels);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(frame.data, 4 + json.length);
  out.set(frame.classMap, 4 + json.length + pixels);
  return out;
}

export interface DecodedFrameMessage {
  readonly header: FrameHeader;
  readonly grey: Uint8Array;
  readonly classMap: Uint8Array;
}

/** Inverse of `encodeFrame`: used by Node clients, tests and the viewer. `grey` and `classMap` are views
 * into `message`. */
export function decodeFrameMessage(message: Uint8Array): DecodedFrameMessage {
  if (message.length < 4) throw new Error(`frame message too short: ${message.length} bytes`);
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > message.length) throw new Error(`frame header length ${headerLength} exceeds message size ${message.length}`);
  const header = JSON.parse(utf8Decoder.decode(message.subarray(4, 4 + headerLength))) as FrameHeader;
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
