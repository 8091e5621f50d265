/** Writing DICOM Part 10 files (Explicit VR Little Endian) from naturalized datasets with dcmjs, and the
 * small value helpers the exported objects share: UIDs, dates and times, coded entries. */
import { writeFile } from 'node:fs/promises';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { EXPLICIT_VR_LITTLE_ENDIAN } from '../../sources/dicom/transfer-syntax.js';

// dcmjs logs what it works around (e.g. an implicit-VR Pixel Data read as OW); real problems throw.
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

/** This implementation's class UID (under 2.25, a UUID as a decimal integer) and version name. */
export const IMPLEMENTATION_CLASS_UID = '2.25.181342716016463787217096359612378945813';
export const IMPLEMENTATION_VERSION_NAME = 'SAM2RAD_LIVE_1';

export const SOP_CLASS = {
  usMultiframe: '1.2.840.10008.5.1.4.1.1.3.1',
  us: '1.2.840.10008.5.1.4.1.1.6.1',
  scMultiframeGreyByte: '1.2.840.10008.5.1.4.1.1.7.2',
  segmentation: '1.2.840.10008.5.1.4.1.1.66.4',
} as const;

/** A new UID: 2.25 and a random 128-bit number (PS3.5 B.2). */
export function newUid(): string {
  return dcmjs.data.DicomMetaDictionary.uid();
}

/** A coded entry (Code Value, Coding Scheme Designator, Code Meaning) as a sequence item. */
export function code(value: string, scheme: string, meaning: string): NaturalDataset {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
}

/** DA and TM of a moment (UTC, as the recording's timestamps are). */
export function dicomDateTime(iso: string): { date: string; time: string } {
  const at = new Date(iso);
  const valid = Number.isFinite(at.getTime()) ? at : new Date();
  const text = valid.toISOString();
  return { date: text.slice(0, 10).replaceAll('-', ''), time: text.slice(11, 19).replaceAll(':', '') };
}

/** A DICOM PN value as dcmjs writes it. */
export function personName(name: string): { Alphabetic: string }[] {
  return [{ Alphabetic: name }];
}

/** Writes `dataset` (naturalized; its SOPClassUID and SOPInstanceUID name it) as Part 10, Explicit VR Little Endian. */
export async function writePart10(file: string, dataset: NaturalDataset): Promise<void> {
  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
    _vrMap: { FileMetaInformationVersion: 'OB' },
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  await writeFile(file, Buffer.from(dict.write()));
}

/** A deep copy of a naturalized dataset (dcmjs' values carry accessors that structuredClone refuses). */
export function cloneValue<T>(value: T): T {
  if (value instanceof ArrayBuffer) return value.slice(0) as T;
  if (ArrayBuffer.isView(value)) return (value as unknown as Uint8Array).slice() as T;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v !== 'function').map(([k, v]) => [k, cloneValue(v)])) as T;
  }
  return value;
}
