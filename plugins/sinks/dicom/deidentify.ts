/** De-identification of exported DICOM objects: the Basic Application Confidentiality Profile of DICOM
 * PS3.15 Annex E (Table E.1-1, "Basic Prof." column), applied to every attribute at any depth of
 * sequences, with one UID map for all the objects of an export (so the segmentation still references
 * its cine), private attributes, curves and overlays removed, and the burned-in text of the pixels outside
 * the ultrasound region blanked (blankOutside; PS3.15's Clean Pixel Data Option).
 *
 * Actions (PS3.15 E.1.1): D dummy value, Z zero length, X remove, U new UID (the same one for the same
 * UID throughout), and the choices X/Z, X/D, X/Z/D, Z/D, X/Z/U*, resolved for the objects written here:
 * D or Z only where the attribute is Type 1 or 2 in the IOD written (TYPE_1 / TYPE_2 below), else X;
 * U* (sequences of references) keeps the sequence and replaces the UIDs inside it. */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { Rect } from '../../../src/core/frames/roi.js';
import { BASIC_PROFILE, type ProfileAction } from './basic-profile.js';
import { code, newUid } from './part10.js';

/** Type 1 in the IODs written here (Z/D, X/D, X/Z/D become D): the Segmentation's Content Date/Time
 * (Multi-frame Functional Groups) and Device Serial Number (Enhanced General Equipment). */
const TYPE_1 = new Set(['ContentDate', 'ContentTime', 'DeviceSerialNumber']);

const DUMMY: Record<string, unknown> = { DA: '19000101', TM: '000000', DT: '19000101000000', PN: [{ Alphabetic: 'ANONYMOUS' }], AS: '000Y' };

const dictionary = dcmjs.data.DicomMetaDictionary.dictionary;
/** keyword -> action, for the tags dcmjs' dictionary knows (the others cannot occur in its naturalized datasets). */
const ACTIONS = new Map<string, ProfileAction>();
for (const [tag, action] of BASIC_PROFILE) {
  const entry = dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
  if (entry) ACTIONS.set(entry.name, action);
}

/** The profile's attributes that dcmjs' dictionary knows, with keyword: what a test fixture fills in. */
export function profileAttributes(): { tag: string; keyword: string; action: ProfileAction }[] {
  return BASIC_PROFILE.flatMap(([tag, action]) => {
    const entry = dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
    return entry ? [{ tag, keyword: entry.name, action }] : [];
  });
}

function vrOf(keyword: string): string {
  return dcmjs.data.DicomMetaDictionary.nameMap[keyword]?.vr ?? 'UN';
}

/** Removed by rule: private groups (odd), curves (50xx), overlays (60xx), group lengths and anything dcmjs
 * could not name (kept as a hex key). */
function removedByRule(keyword: string): boolean {
  if (/^[0-9A-F]{8}$/i.test(keyword)) return true;
  const tag = dcmjs.data.DicomMetaDictionary.nameMap[keyword]?.tag;
  if (!tag) return false;
  const group = tag.slice(1, 5).toUpperCase();
  return group.startsWith('50') || group.startsWith('60') || /^Overlay/.test(keyword);
}

/** Applies the profile to `datasets` (naturalized; not modified) with one UID map, and marks each
 * de-identified. The first (the cine) also says its pixels were cleaned. */
export function deidentifyDatasets(datasets: readonly NaturalDataset[]): NaturalDataset[] {
  const uids = new Map<string, string>();
  const mapUid = (uid: unknown): unknown => {
    if (typeof uid !== 'string' || uid === '') return uid;
    if (!uids.has(uid)) uids.set(uid, newUid());
    return uids.get(uid);
  };
  return datasets.map((dataset, i) => ({
    ...clean(dataset, mapUid),
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: i === 0 ? 'DICOM PS3.15 Basic Profile; text outside US region blanked' : 'DICOM PS3.15 Basic Profile',
    DeidentificationMethodCodeSequence: [
      code('113100', 'DCM', 'Basic Application Confidentiality Profile'),
      ...(i === 0 ? [code('113101', 'DCM', 'Clean Pixel Data Option')] : []),
    ],
    LongitudinalTemporalInformationModified: 'REMOVED',
  }));
}

function clean(dataset: NaturalDataset, mapUid: (uid: unknown) => unknown): NaturalDataset {
  const out: NaturalDataset = {};
  for (const [keyword, value] of Object.entries(dataset)) {
    if (keyword === '_vrMap') {
      out._vrMap = value;
      continue;
    }
    if (removedByRule(keyword)) continue;
    const vr = vrOf(keyword);
    const action = ACTIONS.get(keyword);
    const items = () => (Array.isArray(value) ? value : [value]).map((item) => clean(item as NaturalDataset, mapUid));
    if (!action) {
      if (vr === 'SQ' && value !== null && value !== undefined) out[keyword] = items();
      else out[keyword] = value;
      continue;
    }
    const resolved = resolve(action, keyword);
    switch (resolved) {
      case 'X':
        break;
      case 'Z':
        out[keyword] = vr === 'SQ' ? [] : '';
        break;
      case 'D':
        out[keyword] = vr === 'SQ' ? items() : vr === 'UI' ? newUid() : (DUMMY[vr] ?? (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'IS', 'DS'].includes(vr) ? 0 : 'ANONYMOUS'));
        break;
      case 'U':
        out[keyword] = vr === 'SQ' ? items() : Array.isArray(value) ? value.map(mapUid) : mapUid(value);
        break;
    }
  }
  return out;
}

function resolve(action: ProfileAction, keyword: string): 'X' | 'Z' | 'D' | 'U' {
  switch (action) {
    case 'Z/D':
    case 'X/D':
    case 'X/Z/D':
      return TYPE_1.has(keyword) ? 'D' : action === 'Z/D' ? 'Z' : 'X';
    case 'X/Z':
      return 'X';
    case 'X/Z/U*':
      return 'U';
    default:
      return action;
  }
}

/** Sets every pixel outside all `regions` to 0 (burned-in text: names, dates, the institution). */
export function blankOutside(frame: Uint8Array, width: number, height: number, regions: readonly Rect[]): void {
  for (let y = 0; y < height; y++) {
    const inRow = regions.filter((r) => y >= r.y && y < r.y + r.height);
    for (let x = 0; x < width; x++) {
      if (!inRow.some((r) => x >= r.x && x < r.x + r.width)) frame[y * width + x] = 0;
    }
  }
}
