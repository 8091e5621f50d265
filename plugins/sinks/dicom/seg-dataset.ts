/** The recorded masks as a DICOM Segmentation (binary): one segment per class, and for every recorded
 * frame one SEG frame per segment (empty ones included, so SEG frame = frame * segments + segment), each
 * referencing its frame of the exported cine (Derivation Image, Source Image Sequence with Referenced
 * Frame Number). Dimensions: the segment, then the cine frame (Temporal Position Index). Same patient and
 * study as the cine; Common Instance Reference names the cine's series. */
import type { NaturalDataset } from 'dcmjs';
import { ascii } from './cine-dataset.js';
import { cloneValue, code, dicomDateTime, newUid, SOP_CLASS } from './part10.js';

export interface SegClass {
  readonly className: string;
  /** Pixel value of the class in the recorded masks. */
  readonly value: number;
}

export interface SegInput {
  /** The exported cine's dataset (patient, study, series and SOP UIDs are read from it). */
  readonly cine: NaturalDataset;
  readonly width: number;
  readonly height: number;
  /** Class maps per frame (pixel = class value), width * height each. */
  readonly masks: readonly Uint8Array[];
  readonly classes: readonly SegClass[];
  readonly model: { readonly name: string; readonly version: string } | null;
  readonly startedAt: string;
}

/** Segmented property types: private codes (99SAM2RAD), since the model's classes are its own definitions. */
const PROPERTY_TYPES: Record<string, string> = {
  fetal_head: 'Fetal head (skull ellipse)',
  lumbar_bone: 'Lumbar spine bone surface',
  hip_bone: 'Hip bone (ilium and ischium)',
};

/** Display colours (CIELab, scaled to 0..65535) matching the class colours of overlays roughly: red, green, blue, ... */
const CIELAB = [[34885, 53485, 46250], [57311, 10880, 51394], [19859, 50958, 6848], [62662, 30573, 54592], [39424, 62152, 20301]];

const PATIENT_STUDY = [
  'SpecificCharacterSet', 'PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex', 'PatientAge', 'PatientSize', 'PatientWeight',
  'OtherPatientIDsSequence', 'EthnicGroup', 'PatientComments', 'StudyInstanceUID', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID',
  'AccessionNumber', 'StudyDescription', 'PatientIdentityRemoved', 'DeidentificationMethod', 'DeidentificationMethodCodeSequence',
  'LongitudinalTemporalInformationModified',
];

/** Bits of frame after frame, no padding between frames; the first pixel in each byte's least significant bit. */
export function packBits(frames: readonly Uint8Array[], pixels: number): Uint8Array {
  const total = pixels * frames.length;
  const bytes = new Uint8Array(Math.ceil(total / 8) + (Math.ceil(total / 8) % 2));
  let bit = 0;
  for (const frame of frames) {
    for (let i = 0; i < pixels; i++, bit++) if (frame[i]) bytes[bit >> 3]! |= 1 << (bit & 7);
  }
  return bytes;
}

export function segDataset(input: SegInput): NaturalDataset {
  const { cine, width, height, masks, classes } = input;
  const pixels = width * height;
  const created = dicomDateTime(new Date().toISOString());
  const content = dicomDateTime(input.startedAt);
  const dimensionOrganization = newUid();
  const algorithm = input.model ? `Sam2Rad ${input.model.name} ${input.model.version}` : 'Sam2Rad';
  const segFrames: Uint8Array[] = [];
  const perFrame: NaturalDataset[] = [];
  masks.forEach((mask, f) => {
    classes.forEach((c, s) => {
      segFrames.push(mask.map((v) => (v === c.value ? 1 : 0)));
      perFrame.push({
        DerivationImageSequence: [
          {
            SourceImageSequence: [
              {
                ReferencedSOPClassUID: cine.SOPClassUID,
                ReferencedSOPInstanceUID: cine.SOPInstanceUID,
                ReferencedFrameNumber: f + 1,
                PurposeOfReferenceCodeSequence: [code('121322', 'DCM', 'Source image for image processing operation')],
              },
            ],
            DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')],
          },
        ],
        FrameContentSequence: [{ DimensionIndexValues: [s + 1, f + 1], TemporalPositionIndex: f + 1 }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: s + 1 }],
      });
    });
  });
  const patientStudy = Object.fromEntries(PATIENT_STUDY.filter((k) => cine[k] !== undefined).map((k) => [k, cloneValue(cine[k])]));
  return {
    ...patientStudy,
    SOPClassUID: SOP_CLASS.segmentation,
    SOPInstanceUID: newUid(),
    InstanceCreationDate: created.date,
    InstanceCreationTime: created.time,
    Modality: 'SEG',
    SeriesInstanceUID: newUid(),
    SeriesNumber: 950,
    SeriesDescription: ascii(`Sam2Rad segmentation: ${classes.map((c) => c.className).join(', ')}`, 64),
    StudyDate: cine.StudyDate ?? '',
    StudyTime: cine.StudyTime ?? '',
    ReferringPhysicianName: cine.ReferringPhysicianName ?? '',
    StudyID: cine.StudyID ?? '',
    AccessionNumber: cine.AccessionNumber ?? '',
    PatientName: cine.PatientName ?? '',
    PatientID: cine.PatientID ?? '',
    PatientBirthDate: cine.PatientBirthDate ?? '',
    PatientSex: cine.PatientSex ?? '',
    Manufacturer: 'Sam2Rad Live',
    ManufacturerModelName: ascii(input.model?.name ?? 'sam2rad', 64),
    DeviceSerialNumber: '1',
    SoftwareVersions: ascii(input.model?.version ?? 'unknown', 64),
    InstanceNumber: 1,
    ContentLabel: 'SAM2RAD',
    ContentDescription: ascii(`Masks of ${algorithm}`, 64),
    ContentCreatorName: '',
    ContentDate: content.date,
    ContentTime: content.time,
    PatientOrientation: '',
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: height,
    Columns: width,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    CodingSchemeIdentificationSequence: [
      { CodingSchemeDesignator: '99SAM2RAD', CodingSchemeName: 'Sam2Rad Live model classes', CodingSchemeResponsibleOrganization: 'Sam2Rad Live' },
    ],
    SegmentSequence: classes.map((c, s) => ({
      SegmentNumber: s + 1,
      SegmentLabel: ascii(c.className, 64),
      SegmentAlgorithmType: 'AUTOMATIC',
      SegmentAlgorithmName: ascii(algorithm, 64),
      SegmentedPropertyCategoryCodeSequence: [code('123037004', 'SCT', 'Anatomical Structure')],
      SegmentedPropertyTypeCodeSequence: [code(ascii(c.className, 16), '99SAM2RAD', PROPERTY_TYPES[c.className] ?? ascii(c.className, 64))],
      RecommendedDisplayCIELabValue: CIELAB[s % CIELAB.length],
    })),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganization }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionOrganization, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'Segment' },
      { DimensionOrganizationUID: dimensionOrganization, DimensionIndexPointer: 0x00209128, FunctionalGroupPointer: 0x00209111, DimensionDescriptionLabel: 'Cine frame' },
    ],
    SharedFunctionalGroupsSequence: [{}],
    PerFrameFunctionalGroupsSequence: perFrame,
    NumberOfFrames: segFrames.length,
    ReferencedSeriesSequence: [
      { SeriesInstanceUID: cine.SeriesInstanceUID, ReferencedInstanceSequence: [{ ReferencedSOPClassUID: cine.SOPClassUID, ReferencedSOPInstanceUID: cine.SOPInstanceUID }] },
    ],
    PixelData: [packBits(segFrames, pixels).buffer],
    _vrMap: { PixelData: 'OB' },
  };
}
