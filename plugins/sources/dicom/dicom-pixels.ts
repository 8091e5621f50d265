/** One encoded DICOM frame to 8-bit grey, the pipeline's frame format: native pixels, RLE Lossless
 * (rle.ts) or JPEG Baseline (jpeg-js); then MONOCHROME2 as is (16-bit: its window, else its stored
 * range), MONOCHROME1 inverted, YBR_* their Y, RGB its luma (BT.601), PALETTE COLOR the luma of its
 * palette. */
import jpeg from 'jpeg-js';
import type { DicomImageInfo } from './dicom-file.js';
import { decodeRleFrame } from './rle.js';

/** Samples as planes: one array per sample (1 or 3), rows * columns values each. */
type Planes = (Uint8Array | Uint16Array | Int16Array)[];

export function decodeFrameToGrey(info: DicomImageInfo, encoded: Uint8Array, frameNumber: number): Uint8Array {
  const where = `${info.file} frame ${frameNumber}`;
  const pixels = info.rows * info.columns;
  switch (info.transferSyntax.encoding) {
    case 'native':
      if (info.photometric === 'YBR_FULL_422' || info.photometric === 'YBR_PARTIAL_422') return nativeYbr422Luma(info, encoded, pixels);
      return toGrey(info, nativePlanes(info, encoded, pixels), where);
    case 'rle':
      return toGrey(info, rlePlanes(info, encoded, pixels, where), where);
    case 'jpeg-baseline':
      return jpegGrey(info, encoded, where);
  }
}

function nativePlanes(info: DicomImageInfo, bytes: Uint8Array, pixels: number): Planes {
  const samples = info.samplesPerPixel;
  if (info.bitsAllocated === 8) {
    if (samples === 1) return [bytes.subarray(0, pixels)];
    if (info.planarConfiguration === 1) return [0, 1, 2].map((s) => bytes.subarray(s * pixels, (s + 1) * pixels));
    return [0, 1, 2].map((s) => {
      const plane = new Uint8Array(pixels);
      for (let i = 0; i < pixels; i++) plane[i] = bytes[i * 3 + s]!;
      return plane;
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signed = info.pixelRepresentation === 1;
  return Array.from({ length: samples }, (_, s) => {
    const plane = signed ? new Int16Array(pixels) : new Uint16Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const at = 2 * (samples === 1 ? i : info.planarConfiguration === 1 ? s * pixels + i : i * samples + s);
      plane[i] = signed ? view.getInt16(at, true) : view.getUint16(at, true);
    }
    return plane;
  });
}

/** Native 4:2:2: each pair of pixels is Y1 Y2 Cb Cr. */
function nativeYbr422Luma(info: DicomImageInfo, bytes: Uint8Array, pixels: number): Uint8Array {
  const grey = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) grey[i] = bytes[(i >> 1) * 4 + (i & 1)]!;
  return info.photometric === 'YBR_PARTIAL_422' ? partialRange(grey) : grey;
}

function rlePlanes(info: DicomImageInfo, bytes: Uint8Array, pixels: number, where: string): Planes {
  const bytesPerSample = info.bitsAllocated / 8;
  const segments = decodeRleFrame(bytes, pixels, info.samplesPerPixel * bytesPerSample, where);
  if (bytesPerSample === 1) return segments;
  const signed = info.pixelRepresentation === 1;
  return Array.from({ length: info.samplesPerPixel }, (_, s) => {
    const [high, low] = [segments[2 * s]!, segments[2 * s + 1]!];
    const plane = signed ? new Int16Array(pixels) : new Uint16Array(pixels);
    for (let i = 0; i < pixels; i++) plane[i] = (high[i]! << 8) | low[i]!;
    return plane;
  });
}

function jpegGrey(info: DicomImageInfo, bytes: Uint8Array, where: string): Uint8Array {
  // YBR data: its first component is Y, so no colour transform; RGB (or a JFIF stream labelled RGB): luma.
  const ybr = info.photometric.startsWith('YBR');
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, ...(ybr ? { colorTransform: false } : {}) });
  } catch (err) {
    throw new Error(`${where}: cannot decode JPEG Baseline data (${(err as Error).message})`);
  }
  if (image.width !== info.columns || image.height !== info.rows) {
    throw new Error(`${where}: JPEG frame is ${image.width}x${image.height}, the dataset says ${info.columns}x${info.rows}`);
  }
  const pixels = info.rows * info.columns;
  const grey = new Uint8Array(pixels);
  const rgb = image.data;
  if (info.samplesPerPixel === 1 || ybr) {
    for (let i = 0; i < pixels; i++) grey[i] = rgb[3 * i]!;
    if (info.photometric === 'MONOCHROME1') invert(grey);
    return info.photometric.startsWith('YBR_PARTIAL') ? partialRange(grey) : grey;
  }
  for (let i = 0; i < pixels; i++) grey[i] = luma(rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!);
  return grey;
}

function toGrey(info: DicomImageInfo, planes: Planes, where: string): Uint8Array {
  const pixels = info.rows * info.columns;
  switch (info.photometric) {
    case 'MONOCHROME1':
    case 'MONOCHROME2': {
      const grey = scale8(info, planes[0]!);
      if (info.photometric === 'MONOCHROME1') invert(grey);
      return grey;
    }
    case 'RGB': {
      const [r, g, b] = planes.map((p) => scale8(info, p)) as [Uint8Array, Uint8Array, Uint8Array];
      const grey = new Uint8Array(pixels);
      for (let i = 0; i < pixels; i++) grey[i] = luma(r[i]!, g[i]!, b[i]!);
      return grey;
    }
    case 'YBR_FULL':
    case 'YBR_FULL_422':
      return scale8(info, planes[0]!);
    case 'YBR_PARTIAL_422':
    case 'YBR_PARTIAL_420':
      return partialRange(scale8(info, planes[0]!));
    case 'PALETTE COLOR': {
      const { grey: lut, first } = info.palette!;
      const source = planes[0]!;
      const grey = new Uint8Array(pixels);
      for (let i = 0; i < pixels; i++) grey[i] = lut[Math.min(lut.length - 1, Math.max(0, source[i]! - first))]!;
      return grey;
    }
    default:
      throw new Error(`${where}: photometric interpretation ${info.photometric} is not supported`);
  }
}

/** 8-bit samples as they are; wider ones through the window when there is one, else their stored range. */
function scale8(info: DicomImageInfo, plane: Uint8Array | Uint16Array | Int16Array): Uint8Array {
  if (plane instanceof Uint8Array) return plane;
  const out = new Uint8Array(plane.length);
  const signed = info.pixelRepresentation === 1;
  const [low, high] = info.window
    ? [info.window.center - 0.5 - (info.window.width - 1) / 2, info.window.center - 0.5 + (info.window.width - 1) / 2]
    : signed ? [-(2 ** (info.bitsStored - 1)), 2 ** (info.bitsStored - 1) - 1] : [0, 2 ** info.bitsStored - 1];
  const k = 255 / Math.max(1, high - low);
  for (let i = 0; i < plane.length; i++) out[i] = Math.round(Math.min(255, Math.max(0, (plane[i]! - low) * k)));
  return out;
}

function luma(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

function invert(grey: Uint8Array): void {
  for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i]!;
}

/** Y of 16..235 stretched to 0..255. */
function partialRange(grey: Uint8Array): Uint8Array {
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(Math.min(255, Math.max(0, ((grey[i]! - 16) * 255) / 219)));
  return grey;
}
