/** Reading DICOM Part 10 image files with dcmjs: the header that describes the pixels, the cine's timing,
 * the calibration of its ultrasound region, and the encoded frames. Pixel decoding is dicom-pixels.ts. */
import { open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { FrameCalibration } from '../../../src/core/frames/biometry.js';
import type { Rect } from '../../../src/core/frames/roi.js';
import { supportedTransferSyntax, type PixelEncoding, type TransferSyntax } from './transfer-syntax.js';

// dcmjs logs what it works around (e.g. an implicit-VR Pixel Data read as OW); real problems throw.
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

const PIXEL_DATA_TAG = '7FE00010';

export interface DicomPalette {
  /** Grey value (luma of the palette's RGB) per stored value, from `first` on. */
  readonly grey: Uint8Array;
  readonly first: number;
}

/** What a DICOM image file says about its pixels and its cine. */
export interface DicomImageInfo {
  readonly file: string;
  readonly transferSyntax: TransferSyntax & { encoding: PixelEncoding };
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly instanceNumber?: number;
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  readonly samplesPerPixel: number;
  readonly photometric: string;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly planarConfiguration: number;
  /** Milliseconds from each frame to the next (Frame Time Vector, Frame Time, Cine Rate or Recommended
   * Display Frame Rate); undefined when the file does not say. */
  readonly frameIntervalsMs?: readonly number[];
  /** mm per pixel and the ultrasound region (Sequence of Ultrasound Regions), else Pixel Spacing. */
  readonly calibration?: FrameCalibration;
  readonly palette?: DicomPalette;
  readonly window?: { readonly center: number; readonly width: number };
  /** The dataset without its pixel data, attribute keywords as keys (dcmjs' naturalized form). */
  readonly dataset: NaturalDataset;
}

/** The first value of an attribute (dcmjs gives single values bare and several as arrays). */
export function first(dataset: NaturalDataset, name: string): unknown {
  const value = dataset[name];
  return Array.isArray(value) ? value[0] : value;
}

export function numberOf(dataset: NaturalDataset, name: string): number | undefined {
  const value = Number(first(dataset, name));
  return first(dataset, name) === undefined || first(dataset, name) === '' || !Number.isFinite(value) ? undefined : value;
}

export function stringOf(dataset: NaturalDataset, name: string): string | undefined {
  const value = first(dataset, name);
  return value === undefined || value === null ? undefined : String(value).trim();
}

/** A sequence's items (dcmjs may give a single item as an object). */
export function items(dataset: NaturalDataset, name: string): NaturalDataset[] {
  const value = dataset[name];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as NaturalDataset[];
}

/** Whether the file has the Part 10 preamble ('DICM' at byte 128). */
export async function isDicomFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const buffer = Buffer.alloc(132);
    const { bytesRead } = await handle.read(buffer, 0, 132, 0);
    return bytesRead === 132 && buffer.toString('latin1', 128, 132) === 'DICM';
  } finally {
    await handle.close();
  }
}

/** The DICOM files of a folder (by content, any name; DICOMDIR left out), in name order. */
export async function dicomFilesIn(dir: string): Promise<string[]> {
  const collator = new Intl.Collator(undefined, { numeric: true });
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.') && n.toUpperCase() !== 'DICOMDIR').sort(collator.compare);
  const files: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if ((await stat(file)).isFile() && (await isDicomFile(file))) files.push(file);
  }
  return files;
}

function parse(bytes: Buffer, file: string, untilPixelData: boolean): { meta: NaturalDataset; dataset: NaturalDataset } {
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer, untilPixelData ? { untilTag: PIXEL_DATA_TAG, includeUntilTagValue: false } : {});
    return {
      meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta),
      dataset: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict),
    };
  } catch (err) {
    throw new Error(`${file}: not a readable DICOM file (${(err as Error).message})`);
  }
}

/** The header of an image file (everything before its pixel data), checked for what the source decodes. */
export async function readDicomInfo(file: string): Promise<DicomImageInfo> {
  const { meta, dataset } = parse(await readFile(file), file, true);
  return describe(file, meta, dataset);
}

/** The header and every frame's encoded bytes (native: the frame's slice of Pixel Data; RLE and JPEG:
 * the frame's fragments joined). */
export async function readDicomFrames(file: string): Promise<{ info: DicomImageInfo; frames: Uint8Array[] }> {
  const { meta, dataset } = parse(await readFile(file), file, false);
  const pixelData = dataset.PixelData as ArrayBuffer[] | undefined;
  delete dataset.PixelData;
  const info = describe(file, meta, dataset);
  if (!pixelData || pixelData.length === 0) throw new Error(`${file}: no Pixel Data`);
  return { info, frames: splitFrames(info, pixelData.map((b) => new Uint8Array(b))) };
}

export function frameBytes(info: DicomImageInfo): number {
  const pixels = info.rows * info.columns;
  if (info.photometric === 'YBR_FULL_422' && info.transferSyntax.encoding === 'native') return pixels * 2;
  return pixels * info.samplesPerPixel * (info.bitsAllocated / 8);
}

function splitFrames(info: DicomImageInfo, parts: Uint8Array[]): Uint8Array[] {
  const { file, frames } = info;
  if (info.transferSyntax.encoding === 'native') {
    const whole = parts.length === 1 ? parts[0]! : concat(parts);
    const size = frameBytes(info);
    if (whole.length < size * frames) throw new Error(`${file}: Pixel Data has ${whole.length} bytes, ${frames} frames of ${info.columns}x${info.rows} need ${size * frames}`);
    return Array.from({ length: frames }, (_, i) => whole.subarray(i * size, (i + 1) * size));
  }
  if (parts.length === frames) return parts;
  if (frames === 1) return [concat(parts)];
  // No offset table and more fragments than frames: a JPEG frame starts with SOI (FF D8); RLE frames are one fragment each.
  if (info.transferSyntax.encoding === 'jpeg-baseline') {
    const grouped: Uint8Array[][] = [];
    for (const part of parts) {
      if (part[0] === 0xff && part[1] === 0xd8) grouped.push([part]);
      else if (grouped.length) grouped.at(-1)!.push(part);
    }
    if (grouped.length === frames) return grouped.map(concat);
  }
  throw new Error(`${file}: ${parts.length} pixel data fragments for ${frames} frames, and no offset table to group them`);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

const PHOTOMETRICS = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_422', 'YBR_PARTIAL_420', 'PALETTE COLOR'];

function describe(file: string, meta: NaturalDataset, dataset: NaturalDataset): DicomImageInfo {
  const syntaxUid = stringOf(meta, 'TransferSyntaxUID');
  if (!syntaxUid) throw new Error(`${file}: no Transfer Syntax UID in the file meta information`);
  const transferSyntax = supportedTransferSyntax(syntaxUid, file);
  const rows = numberOf(dataset, 'Rows');
  const columns = numberOf(dataset, 'Columns');
  if (!rows || !columns) throw new Error(`${file}: not an image (no Rows and Columns)`);
  const samplesPerPixel = numberOf(dataset, 'SamplesPerPixel') ?? 1;
  const photometric = stringOf(dataset, 'PhotometricInterpretation') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
  const bitsAllocated = numberOf(dataset, 'BitsAllocated') ?? 8;
  if (!PHOTOMETRICS.includes(photometric)) throw new Error(`${file}: photometric interpretation ${photometric} is not supported (${PHOTOMETRICS.join(', ')})`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new Error(`${file}: ${bitsAllocated} bits allocated per sample is not supported (8 or 16)`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw new Error(`${file}: ${samplesPerPixel} samples per pixel is not supported (1 or 3)`);
  const frames = Math.max(1, numberOf(dataset, 'NumberOfFrames') ?? 1);
  const windowCenter = numberOf(dataset, 'WindowCenter');
  const windowWidth = numberOf(dataset, 'WindowWidth');
  const info: DicomImageInfo = {
    file,
    transferSyntax,
    sopClassUid: stringOf(dataset, 'SOPClassUID') ?? stringOf(meta, 'MediaStorageSOPClassUID') ?? '',
    sopInstanceUid: stringOf(dataset, 'SOPInstanceUID') ?? stringOf(meta, 'MediaStorageSOPInstanceUID') ?? '',
    studyInstanceUid: stringOf(dataset, 'StudyInstanceUID'),
    seriesInstanceUid: stringOf(dataset, 'SeriesInstanceUID'),
    instanceNumber: numberOf(dataset, 'InstanceNumber'),
    rows,
    columns,
    frames,
    samplesPerPixel,
    photometric,
    bitsAllocated,
    bitsStored: numberOf(dataset, 'BitsStored') ?? bitsAllocated,
    pixelRepresentation: numberOf(dataset, 'PixelRepresentation') ?? 0,
    planarConfiguration: numberOf(dataset, 'PlanarConfiguration') ?? 0,
    frameIntervalsMs: frameIntervals(dataset, frames),
    calibration: calibrationOf(dataset, columns, rows),
    palette: photometric === 'PALETTE COLOR' ? paletteOf(dataset, file) : undefined,
    window: windowCenter !== undefined && windowWidth !== undefined && windowWidth > 0 ? { center: windowCenter, width: windowWidth } : undefined,
    dataset,
  };
  return info;
}

/** Frame Time Vector (increments, the first is 0), Frame Time (ms), Cine Rate or Recommended Display
 * Frame Rate (frames/s), in that order. */
function frameIntervals(dataset: NaturalDataset, frames: number): number[] | undefined {
  const vector = dataset.FrameTimeVector;
  if (Array.isArray(vector) && vector.length === frames && frames > 1) {
    const increments = vector.map(Number);
    if (increments.slice(1).every((v) => v > 0)) return [...increments.slice(1), increments.slice(1).reduce((a, b) => a + b, 0) / (frames - 1)];
  }
  const frameTime = numberOf(dataset, 'FrameTime');
  if (frameTime && frameTime > 0) return Array(frames).fill(frameTime);
  const rate = numberOf(dataset, 'CineRate') || numberOf(dataset, 'RecommendedDisplayFrameRate');
  if (rate && rate > 0) return Array(frames).fill(1000 / rate);
  return undefined;
}

const CENTIMETRES = 3;
const SPATIAL_2D = 1;
const TISSUE = 1;

/** The largest 2D region in cm of the Sequence of Ultrasound Regions (tissue regions first): its
 * rectangle (clamped to the frame) and PhysicalDeltaX/Y as mm per pixel. Else Pixel Spacing (row, column
 * spacing in mm), for the whole frame. */
export function calibrationOf(dataset: NaturalDataset, columns: number, rows: number): FrameCalibration | undefined {
  const regions = items(dataset, 'SequenceOfUltrasoundRegions')
    .map((r) => {
      return {
        rect: regionRect(r, columns, rows),
        dx: Math.abs(numberOf(r, 'PhysicalDeltaX') ?? 0),
        dy: Math.abs(numberOf(r, 'PhysicalDeltaY') ?? 0),
        ok: numberOf(r, 'RegionSpatialFormat') === SPATIAL_2D && numberOf(r, 'PhysicalUnitsXDirection') === CENTIMETRES && numberOf(r, 'PhysicalUnitsYDirection') === CENTIMETRES,
        tissue: numberOf(r, 'RegionDataType') === TISSUE,
      };
    })
    .filter((r) => r.ok && r.dx > 0 && r.dy > 0 && r.rect.width > 1 && r.rect.height > 1)
    .sort((a, b) => Number(b.tissue) - Number(a.tissue) || b.rect.width * b.rect.height - a.rect.width * a.rect.height);
  const region = regions[0];
  // cm -> mm, rounded to 1e-9 mm so that 0.0054731881 cm reads 0.054731881 mm, not ...880999999996.
  const mm = (cm: number) => Math.round(cm * 1e10) / 1e9;
  if (region) return { mmPerPixel: { x: mm(region.dx), y: mm(region.dy) }, source: 'dicom', region: region.rect };
  const spacing = dataset.PixelSpacing;
  if (Array.isArray(spacing) && spacing.length === 2 && spacing.every((v) => Number(v) > 0)) {
    return { mmPerPixel: { x: Number(spacing[1]), y: Number(spacing[0]) }, source: 'dicom' };
  }
  return undefined;
}

/** A Sequence of Ultrasound Regions item's rectangle (inclusive corners), clamped to the frame. */
function regionRect(region: NaturalDataset, columns: number, rows: number): Rect {
  const x0 = Math.max(0, numberOf(region, 'RegionLocationMinX0') ?? 0);
  const y0 = Math.max(0, numberOf(region, 'RegionLocationMinY0') ?? 0);
  const x1 = Math.min(columns - 1, numberOf(region, 'RegionLocationMaxX1') ?? -1);
  const y1 = Math.min(rows - 1, numberOf(region, 'RegionLocationMaxY1') ?? -1);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Every region of the Sequence of Ultrasound Regions (any kind: image, Doppler, M-mode), in frame pixels. */
export function ultrasoundRegions(dataset: NaturalDataset, columns: number, rows: number): Rect[] {
  return items(dataset, 'SequenceOfUltrasoundRegions').map((r) => regionRect(r, columns, rows)).filter((r) => r.width > 0 && r.height > 0);
}

/** The palette as grey: luma of each entry's RGB (16-bit entries use their high byte). */
function paletteOf(dataset: NaturalDataset, file: string): DicomPalette {
  if (dataset.SegmentedRedPaletteColorLookupTableData !== undefined) throw new Error(`${file}: segmented palette colour lookup tables are not supported`);
  const channels = (['Red', 'Green', 'Blue'] as const).map((colour) => {
    const descriptor = dataset[`${colour}PaletteColorLookupTableDescriptor`];
    const data = first(dataset, `${colour}PaletteColorLookupTableData`);
    if (!Array.isArray(descriptor) || !(data instanceof ArrayBuffer)) throw new Error(`${file}: PALETTE COLOR without a ${colour.toLowerCase()} lookup table`);
    const entries = Number(descriptor[0]) || 65536;
    const bytes = new Uint8Array(data);
    const values = new Uint8Array(entries);
    for (let i = 0; i < entries; i++) {
      // 16-bit entries (little endian words): their high byte; 8-bit entries packed in bytes: as they are.
      values[i] = bytes.length >= entries * 2 ? (Number(descriptor[2]) === 8 ? bytes[2 * i]! : bytes[2 * i + 1]!) : (bytes[i] ?? 0);
    }
    return { values, first: Number(descriptor[1]) || 0 };
  });
  const [r, g, b] = channels as [(typeof channels)[0], (typeof channels)[0], (typeof channels)[0]];
  const grey = r.values.map((_, i) => Math.round(0.299 * r.values[i]! + 0.587 * (g.values[i] ?? 0) + 0.114 * (b.values[i] ?? 0)));
  return { grey, first: r.first };
}
