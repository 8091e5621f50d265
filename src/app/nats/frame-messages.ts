/**
 * Frames and results as NATS messages (docs/nats.md). Both are
 *   [uint32 LE header length][JSON header][image bytes][class-map label runs (results only)]
 * The image is a greyscale JPEG (default, ~30 KB at 640x432) or raw 8-bit grey; the worker passes the
 * ingest's bytes through to serve unchanged, so an image is compressed once. Timestamps travel as Unix-epoch
 * milliseconds (stages stamped in different processes) and are turned back into each process's
 * performance.now() clock on decoding: differences are exact on one machine, and as good as the hosts'
 * clock sync (NTP/PTP) between machines.
 */
import sharp from 'sharp';
import type { FrameCalibration } from '../../core/frames/biometry.js';
import type { ClassResult, Frame, SegmentedFrame, StageTimestamps } from '../../core/frames/frame.js';
import type { Rect } from '../../core/frames/roi.js';
import { decodeLabelRuns, encodeLabelRuns } from '../server/compressed-frame.js';
import { fromEpoch, toEpoch } from './jetstream-setup.js';

export type ImageFormat = 'jpeg' | 'raw';

export interface WireFrameHeader {
  readonly scanner: string;
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Stage -> Unix-epoch ms. */
  readonly timestamps: Readonly<Record<string, number>>;
  readonly image: { readonly format: ImageFormat; readonly bytes: number };
  readonly calibration?: FrameCalibration;
  /** The source's frame rate, when known (recordings use it). */
  readonly fps?: number;
}

export interface WireSession {
  readonly mode: string;
  readonly classes: readonly string[];
  readonly tracked: readonly string[];
}

export interface WireModel {
  readonly name: string;
  readonly version: string;
  readonly ep: string;
  readonly precision: string;
  /** Of the model's manifest.json (recordings name the exact model). */
  readonly manifestSha256?: string;
}

export interface WireResultHeader extends WireFrameHeader {
  /** The worker that segmented this frame (the lease holder). */
  readonly worker: string;
  /** When the worker took this scanner (epoch ms): a new value means its memory started afresh. */
  readonly leaseSince: number;
  /** Who held the scanner before this worker, and whether it gave it back (hand-over) or died (failover). */
  readonly previous?: { readonly worker: string; readonly released: boolean };
  readonly results: readonly ClassResult[];
  readonly roi?: Rect;
  readonly mask: { readonly bytes: number };
  readonly session: WireSession;
  readonly model: WireModel;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pack(header: object, ...payloads: Uint8Array[]): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + payloads.reduce((n, p) => n + p.length, 0));
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let o = 4 + json.length;
  for (const p of payloads) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function unpack<H>(message: Uint8Array): { header: H; body: Uint8Array } {
  if (message.length < 4) throw new Error('message shorter than its header length');
  const length = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0, true);
  if (4 + length > message.length) throw new Error(`header of ${length} bytes overruns a ${message.length}-byte message`);
  return { header: JSON.parse(decoder.decode(message.subarray(4, 4 + length))) as H, body: message.subarray(4 + length) };
}

function epochStamps(timestamps: StageTimestamps): Record<string, number> {
  return Object.fromEntries(Object.entries(timestamps).map(([stage, t]) => [stage, toEpoch(t as number)]));
}

function localStamps(timestamps: Readonly<Record<string, number>>): StageTimestamps {
  return Object.fromEntries(Object.entries(timestamps).map(([stage, t]) => [stage, fromEpoch(t)])) as StageTimestamps;
}

export async function encodeImage(frame: Frame, format: ImageFormat, quality = 80): Promise<Uint8Array> {
  if (format === 'raw') return frame.data;
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 1 } })
    .toColourspace('b-w')
    .jpeg({ quality })
    .toBuffer();
}

async function decodeImage(format: ImageFormat, bytes: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  if (format === 'raw') {
    if (bytes.length !== width * height) throw new Error(`raw image of ${bytes.length} bytes, expected ${width}x${height}`);
    return bytes;
  }
  const { data, info } = await sharp(bytes).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height) throw new Error(`JPEG is ${info.width}x${info.height}, expected ${width}x${height}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A frame for `scanners.<ID>.frames` (the ingest side). */
export async function encodeFrameMessage(scanner: string, frame: Frame, format: ImageFormat, fps?: number, quality?: number): Promise<Uint8Array> {
  const image = await encodeImage(frame, format, quality);
  const header: WireFrameHeader = {
    scanner,
    index: frame.index,
    width: frame.width,
    height: frame.height,
    timestamps: epochStamps(frame.timestamps),
    image: { format, bytes: image.length },
    ...(frame.calibration ? { calibration: frame.calibration } : {}),
    ...(fps ? { fps } : {}),
  };
  return pack(header, image);
}

export interface ReceivedFrame {
  readonly header: WireFrameHeader;
  /** The encoded image as it came (passed on with the result). */
  readonly image: Uint8Array;
  decode(): Promise<Frame>;
}

export function readFrameMessage(message: Uint8Array): ReceivedFrame {
  const { header, body } = unpack<WireFrameHeader>(message);
  const image = body.subarray(0, header.image.bytes);
  if (image.length !== header.image.bytes) throw new Error(`frame ${header.index}: image truncated`);
  return {
    header,
    image,
    decode: async () => ({
      index: header.index,
      width: header.width,
      height: header.height,
      data: await decodeImage(header.image.format, image, header.width, header.height),
      timestamps: localStamps(header.timestamps),
      ...(header.calibration ? { calibration: header.calibration } : {}),
    }),
  };
}

/** A segmented frame for `scanners.<ID>.results` (the worker side): the received image bytes, the class map as runs. */
export function encodeResultMessage(
  received: ReceivedFrame,
  frame: SegmentedFrame,
  meta: { worker: string; leaseSince: number; previous?: WireResultHeader['previous']; session: WireSession; model: WireModel },
): Uint8Array {
  const mask = Uint8Array.from(encodeLabelRuns(frame.classMap));
  const header: WireResultHeader = {
    ...received.header,
    timestamps: epochStamps(frame.timestamps),
    ...meta,
    results: frame.results,
    ...(frame.roi ? { roi: frame.roi } : {}),
    mask: { bytes: mask.length },
  };
  return pack(header, received.image, mask);
}

export interface ReceivedResult {
  readonly header: WireResultHeader;
  decode(): Promise<SegmentedFrame>;
}

export function readResultMessage(message: Uint8Array): ReceivedResult {
  const { header, body } = unpack<WireResultHeader>(message);
  const image = body.subarray(0, header.image.bytes);
  const runs = body.subarray(header.image.bytes, header.image.bytes + header.mask.bytes);
  if (runs.length !== header.mask.bytes) throw new Error(`result ${header.scanner}/${header.index}: truncated`);
  return {
    header,
    decode: async () => ({
      index: header.index,
      width: header.width,
      height: header.height,
      data: await decodeImage(header.image.format, image, header.width, header.height),
      classMap: decodeLabelRuns(runs, header.width * header.height),
      results: header.results,
      timestamps: localStamps(header.timestamps),
      ...(header.roi ? { roi: header.roi } : {}),
      ...(header.calibration ? { calibration: header.calibration } : {}),
    }),
  };
}
