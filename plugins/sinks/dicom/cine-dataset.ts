/** The recorded cine as one multi-frame DICOM object of 8-bit grey frames (the pixels the model saw):
 *   - from a DICOM source: **US Multi-frame Image**, keeping the source's patient, study, equipment and
 *     ultrasound regions, in a new series that references the source images;
 *   - otherwise: **Multi-frame Grayscale Byte Secondary Capture Image** (Conversion Type DV, digitized
 *     video) in a new study, patient attributes empty. */
import type { NaturalDataset } from 'dcmjs';
import type { DicomImageInfo } from '../../sources/dicom/dicom-file.js';
import { cloneValue, dicomDateTime, newUid, SOP_CLASS } from './part10.js';

export interface CineInput {
  readonly width: number;
  readonly height: number;
  /** width * height bytes each. */
  readonly frames: readonly Uint8Array[];
  /** Milliseconds from each exported frame to the next (length frames - 1); equal ones are written as Frame Time. */
  readonly incrementsMs: readonly number[];
  /** Frame time when there is a single frame or no increments. */
  readonly frameTimeMs: number;
  /** The recording's start (ISO 8601): the study, series and content date of a Secondary Capture. */
  readonly startedAt: string;
  /** The source's DICOM files, in play order, when it was a DICOM cine. */
  readonly dicomSource?: readonly DicomImageInfo[];
  /** The frames went through lossy compression (the recording's H.264 source.mp4, a JPEG Baseline source). */
  readonly lossy?: { readonly method: string };
  readonly description: string;
}

/** Attributes of a source header that describe its pixels, timing or other instances: not carried over. */
const NOT_COPIED = [
  /^PixelData$/, /^PlanarConfiguration$/, /PaletteColorLookupTable/, /^(Largest|Smallest)ImagePixelValue/, /^IconImageSequence$/,
  /^Overlay/, /^FrameTimeVector$/, /^FrameTime$/, /^FrameIncrementPointer$/, /^NumberOfFrames$/, /^Window(Center|Width)/, /^Rescale/,
  /^VOILUT/, /^ModalityLUT/, /^PixelPaddingValue$/, /^SourceImageSequence$/, /^DerivationDescription$/, /^ReferencedImageSequence$/,
  /^LossyImageCompression/, /^StartTrim$/, /^StopTrim$/, /^RecommendedDisplayFrameRate$/, /^CineRate$/, /^PreferredPlaybackSequencing$/,
  /^FrameDelay$/, /^ActualFrameDuration$/, /^SOPInstanceUID$/, /^SeriesInstanceUID$/, /^InstanceCreation/, /^[0-9A-F]{8}$/i, /^_vrMap$/,
];

export function cineDataset(input: CineInput): NaturalDataset {
  const { width, height, frames } = input;
  const now = dicomDateTime(new Date().toISOString());
  const pixels = new Uint8Array(width * height * frames.length + ((width * height * frames.length) % 2));
  frames.forEach((f, i) => pixels.set(f, i * width * height));
  const uniform = input.incrementsMs.length === 0 || input.incrementsMs.every((t) => Math.abs(t - input.incrementsMs[0]!) < 1e-6);
  const timing: NaturalDataset = uniform
    ? { FrameIncrementPointer: 0x00181063, FrameTime: round(input.incrementsMs[0] ?? input.frameTimeMs) }
    : { FrameIncrementPointer: 0x00181065, FrameTimeVector: [0, ...input.incrementsMs.map(round)] };
  const image: NaturalDataset = {
    InstanceNumber: 1,
    InstanceCreationDate: now.date,
    InstanceCreationTime: now.time,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: height,
    Columns: width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    NumberOfFrames: frames.length,
    ...timing,
    LossyImageCompression: input.lossy ? '01' : '00',
    ...(input.lossy ? { LossyImageCompressionMethod: input.lossy.method } : {}),
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  const source = input.dicomSource?.[0];
  if (source) {
    const header = cloneValue(source.dataset);
    for (const key of Object.keys(header)) if (NOT_COPIED.some((p) => p.test(key))) delete header[key];
    return {
      ...header,
      SOPClassUID: SOP_CLASS.usMultiframe,
      SOPInstanceUID: newUid(),
      Modality: 'US',
      SeriesInstanceUID: newUid(),
      SeriesNumber: 900 + (Number(header.SeriesNumber) || 0) % 100,
      SeriesDescription: ascii(input.description, 64),
      ImageType: ['DERIVED', 'PRIMARY'],
      DerivationDescription: ascii(`8-bit grey frames of ${input.dicomSource!.length > 1 ? 'a series' : 'a cine'} as segmented by Sam2Rad Live`, 1024),
      SourceImageSequence: input.dicomSource!.map((f) => ({ ReferencedSOPClassUID: f.sopClassUid, ReferencedSOPInstanceUID: f.sopInstanceUid })),
      PatientOrientation: header.PatientOrientation ?? '',
      // Type 2C (paired body parts); unknown here, so present and empty.
      Laterality: header.Laterality ?? '',
      ...image,
    };
  }
  const started = dicomDateTime(input.startedAt);
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: SOP_CLASS.scMultiframeGreyByte,
    SOPInstanceUID: newUid(),
    PatientName: '',
    PatientID: '',
    PatientBirthDate: '',
    PatientSex: '',
    StudyInstanceUID: newUid(),
    StudyDate: started.date,
    StudyTime: started.time,
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
    Modality: 'US',
    SeriesInstanceUID: newUid(),
    SeriesNumber: 1,
    SeriesDescription: ascii(input.description, 64),
    SeriesDate: started.date,
    SeriesTime: started.time,
    Manufacturer: '',
    ConversionType: 'DV',
    ContentDate: started.date,
    ContentTime: started.time,
    PatientOrientation: '',
    ImageType: ['DERIVED', 'SECONDARY'],
    Laterality: '',
    BurnedInAnnotation: 'YES',
    PresentationLUTShape: 'IDENTITY',
    // Required by the grey byte SC IOD: stored values are the displayed ones.
    RescaleIntercept: 0,
    RescaleSlope: 1,
    RescaleType: 'US',
    ...image,
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Printable ASCII, cut to `max` characters (the default character repertoire). */
export function ascii(text: string, max: number): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '/').slice(0, max);
}
