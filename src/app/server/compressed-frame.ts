/**
 * Protocol version 2: the compressed frame message (docs/protocol.md, "Compressed frames"). Browser-safe
 * like wire-format.ts (no Node modules, no Buffer): the server builds these messages and the viewer reads
 * them with the same code.
 *
 * A client that sends `{type: 'subscribe', version: 2, ...}` gets each frame as one binary message
 *   [uint32 LE header length][UTF-8 JSON CompressedFrameHeader][image bytes][mask bytes]
 * where the image is a JPEG of the grey frame (at the size the client asked for, at most the frame's own)
 * and the mask is the class map at the frame's full resolution as label runs (below), so the overlay and
 * `area` agree pixel for pixel with what the server segmented. Version 1, the raw message of
 * wire-format.ts, is what a client that never subscribes gets.
 *
 * Label runs: the class map in row-major order as (label: uint8, run length: unsigned LEB128 varint)
 * pairs, covering exactly width * height pixels; a run may cross rows.
 */
import { stageLatencies, type FrameHeader } from './wire-format.js';
import type { SegmentedFrame } from '../../core/frames/frame.js';

/** The protocol version of the compressed stream; the raw stream is version 1. */
export const COMPRESSED_PROTOCOL_VERSION = 2;

export interface CompressedImageInfo {
  readonly format: 'jpeg';
  /** Size of the encoded image (the frame scaled down to what the client asked for). */
  readonly width: number;
  readonly height: number;
  readonly quality: number;
  readonly bytes: number;
}

export interface CompressedMaskInfo {
  readonly encoding: 'runs';
  /** Always the frame's size: the class map is not scaled. */
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

/** The frame header of version 1 (index, frame size in pixels, timestamps, latency, results, roi) plus
 * what the two payloads are. `timestamps.sent` is when this compressed message went to the sockets. */
export interface CompressedFrameHeader extends FrameHeader {
  readonly version: typeof COMPRESSED_PROTOCOL_VERSION;
  readonly image: CompressedImageInfo;
  readonly mask: CompressedMaskInfo;
}

export interface DecodedCompressedFrame {
  readonly header: CompressedFrameHeader;
  /** The encoded image (a view into the message). */
  readonly image: Uint8Array;
  /** The label runs (a view into the message); `decodeLabelRuns` turns them into a class map. */
  readonly mask: Uint8Array;
}

// ---- label runs ----

let scratch = new Uint8Array(64 * 1024);

function ensure(bytes: number): void {
  if (scratch.length >= bytes) return;
  const grown = new Uint8Array(Math.max(bytes, scratch.length * 2));
  grown.set(scratch);
  scratch = grown;
}

/**
 * The label runs of a class map. Returns a view into a scratch buffer that the next call overwrites:
 * copy it (as the message encoder does) before encoding another map.
 */
export function encodeLabelRuns(labels: Uint8Array): Uint8Array {
  const n = labels.length;
  let o = 0;
  let i = 0;
  // Whole words of the current label are skipped four pixels at a time (most of a class map is 0).
  const aligned = labels.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(labels.buffer, labels.byteOffset, n >> 2) : null;
  while (i < n) {
    const value = labels[i]!;
    const start = i;
    i++;
    if (words) {
      while (i < n && (i & 3) !== 0 && labels[i] === value) i++;
      if ((i & 3) === 0) {
        const word = value * 0x01010101;
        let w = i >> 2;
        while (w < words.length && words[w] === word) w++;
        i = Math.max(i, w << 2);
      }
    }
    while (i < n && labels[i] === value) i++;
    let length = i - start;
    ensure(o + 6);
    scratch[o++] = value;
    while (length >= 0x80) {
      scratch[o++] = (length & 0x7f) | 0x80;
      length >>>= 7;
    }
    scratch[o++] = length;
  }
  return scratch.subarray(0, o);
}

/** Class map of `pixels` labels from its runs, written into `out` (every byte) when given. Throws on runs
 * that do not cover exactly `pixels`. */
export function decodeLabelRuns(runs: Uint8Array, pixels: number, out: Uint8Array = new Uint8Array(pixels)): Uint8Array {
  if (out.length < pixels) throw new Error(`label runs: output has ${out.length} bytes, expected ${pixels}`);
  return expandLabelRuns(parseLabelRuns(runs, pixels), out);
}

/** Label runs parsed (and checked to cover the frame exactly): run `k` is `values[k]` up to pixel `ends[k]`
 * (exclusive), from the previous run's end. Lets the viewer sample a map at its picture size without
 * expanding it to the frame's. */
export interface LabelRuns {
  readonly count: number;
  readonly ends: Uint32Array;
  readonly values: Uint8Array;
}

/** Parse label runs covering exactly `pixels` pixels; throws on runs that are truncated or miscounted. */
export function parseLabelRuns(runs: Uint8Array, pixels: number): LabelRuns {
  // Each run takes two bytes at least.
  const ends = new Uint32Array(runs.length >> 1);
  const values = new Uint8Array(runs.length >> 1);
  let count = 0;
  let p = 0;
  let i = 0;
  while (i < runs.length) {
    const value = runs[i++]!;
    let length = 0;
    let shift = 0;
    let byte: number;
    do {
      if (i >= runs.length) throw new Error('label runs: truncated run length');
      byte = runs[i++]!;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (p + length > pixels) throw new Error(`label runs cover more than ${pixels} pixels`);
    p += length;
    ends[count] = p;
    values[count++] = value;
  }
  if (p !== pixels) throw new Error(`label runs cover ${p} pixels, expected ${pixels}`);
  return { count, ends, values };
}

/** The class map of parsed label runs, into `out` (at least as long as the runs cover). */
export function expandLabelRuns(runs: LabelRuns, out: Uint8Array): Uint8Array {
  let p = 0;
  for (let k = 0; k < runs.count; k++) {
    out.fill(runs.values[k]!, p, runs.ends[k]!);
    p = runs.ends[k]!;
  }
  return out;
}

// ---- the message ----

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The header of a compressed frame: the frame's own fields (stamped `sent` by the caller) and the payloads'. */
export function compressedFrameHeader(frame: SegmentedFrame, image: Omit<CompressedImageInfo, 'format'>, maskBytes: number): CompressedFrameHeader {
  return {
    type: 'frame',
    version: COMPRESSED_PROTOCOL_VERSION,
    index: frame.index,
    width: frame.width,
    height: frame.height,
    timestamps: frame.timestamps,
    latency: stageLatencies(frame.timestamps),
    // Every field of each ClassResult (className, value, objectScore, box, area, and ellipse/biometry where
    // the model gives them): results are plain data.
    results: frame.results,
    roi: frame.roi,
    image: { format: 'jpeg', ...image },
    mask: { encoding: 'runs', width: frame.width, height: frame.height, bytes: maskBytes },
  };
}

/** One binary message from a header and its two payloads, in a buffer from `alloc` (every byte written). */
export function encodeCompressedFrame<T extends Uint8Array>(
  header: CompressedFrameHeader,
  image: Uint8Array,
  mask: Uint8Array,
  alloc: (bytes: number) => T,
): T {
  if (header.image.bytes !== image.length || header.mask.bytes !== mask.length) {
    throw new Error(`frame ${header.index}: header says ${header.image.bytes} + ${header.mask.bytes} payload bytes, got ${image.length} + ${mask.length}`);
  }
  const json = utf8Encoder.encode(JSON.stringify(header));
  const out = alloc(4 + json.length + image.length + mask.length);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(image, 4 + json.length);
  out.set(mask, 4 + json.length + image.length);
  return out;
}

/** The version of a frame message: 2 for a compressed frame, 1 for the raw one (no `version`). */
export function frameMessageVersion(message: Uint8Array): number {
  const { header } = readHeader(message);
  return typeof header.version === 'number' ? header.version : 1;
}

function readHeader(message: Uint8Array): { header: Record<string, unknown>; end: number } {
  if (message.length < 4) throw new Error(`frame message too short: ${message.length} bytes`);
  const headerLength = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0, true);
  if (4 + headerLength > message.length) throw new Error(`frame header length ${headerLength} exceeds message size ${message.length}`);
  const header = JSON.parse(utf8Decoder.decode(message.subarray(4, 4 + headerLength))) as Record<string, unknown>;
  if (header.type !== 'frame') throw new Error(`not a frame message: type ${String(header.type)}`);
  return { header, end: 4 + headerLength };
}

/** Inverse of `encodeCompressedFrame`; `image` and `mask` are views into `message`. */
export function decodeCompressedFrame(message: Uint8Array): DecodedCompressedFrame {
  const { header: raw, end } = readHeader(message);
  if (raw.version !== COMPRESSED_PROTOCOL_VERSION) {
    throw new Error(`frame message is protocol version ${String(raw.version ?? 1)}, expected ${COMPRESSED_PROTOCOL_VERSION}`);
  }
  const header = raw as unknown as CompressedFrameHeader;
  const imageEnd = end + header.image.bytes;
  if (message.length !== imageEnd + header.mask.bytes) {
    throw new Error(`frame message is ${message.length} bytes, expected ${imageEnd + header.mask.bytes}`);
  }
  return { header, image: message.subarray(end, imageEnd), mask: message.subarray(imageEnd) };
}

// ---- what a client asks for ----

/** A client's request (the `subscribe` message's fields, defaults applied). */
export interface StreamRequest {
  /** Image size as a fraction of the frame's (0 < scale <= 1). */
  readonly scale: number;
  /** Largest image width/height in pixels (the frame is scaled down to fit; never up). */
  readonly maxWidth?: number;
  readonly maxHeight?: number;
  /** JPEG quality 1..100 at full speed; lowered for a client that falls behind. */
  readonly quality: number;
}

/** Levels a client that falls behind steps down through, before frames are skipped for it: quality
 * factor and extra scale. Level 0 is what it asked for. */
export const QUALITY_LEVELS: readonly { readonly quality: number; readonly scale: number }[] = [
  { quality: 1, scale: 1 },
  { quality: 0.7, scale: 1 },
  { quality: 0.45, scale: 1 },
  { quality: 0.45, scale: 0.5 },
];
const MIN_QUALITY = 15;

/** The encoded image's size and quality for a frame, a request and a level. */
export function imageVariant(width: number, height: number, request: StreamRequest, level = 0): { width: number; height: number; quality: number } {
  const step = QUALITY_LEVELS[Math.min(Math.max(level, 0), QUALITY_LEVELS.length - 1)]!;
  let s = Math.min(1, request.scale);
  if (request.maxWidth) s = Math.min(s, request.maxWidth / width);
  if (request.maxHeight) s = Math.min(s, request.maxHeight / height);
  s *= step.scale;
  const quality = Math.max(Math.min(MIN_QUALITY, request.quality), Math.round(request.quality * step.quality));
  if (s >= 1) return { width, height, quality };
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)), quality };
}

/** Sent by the server after it acknowledged a `subscribe`: the settings in force and the server's clock
 * (performance.now() when the message was built, ms), from which a client estimates its clock offset. */
export interface StreamMessage {
  readonly type: 'stream';
  readonly id?: string | number;
  readonly version: typeof COMPRESSED_PROTOCOL_VERSION;
  readonly serverTime: number;
  readonly request: StreamRequest;
  readonly image: { readonly format: 'jpeg' };
  readonly mask: { readonly encoding: 'runs' };
}
