/** Head circumference against a labelled set's reference values: `sam2rad eval` on stills reads
 * `provenance.csv` when it has `stem`, `pixel_size_mm` and `head_circumference_mm` columns (HC18's
 * layout), and scores the HC of each image's fitted ellipse (in mm at the image's pixel size) against the
 * sonographer's HC. The file is looked for beside images/ (DIR/provenance.csv), then beside the folder
 * the image files really live in (a split made of symlinks into the dataset, as make_dev_splits.py lays
 * out). */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ellipseBiometry } from '../../core/frames/biometry.js';
import type { Ellipse } from '../../core/frames/frame.js';
import { mean } from './metrics.js';

export const PROVENANCE_FILE = 'provenance.csv';

export interface HcReference {
  /** Millimetres per pixel (isotropic). */
  readonly pixelSizeMm: number;
  /** The reference head circumference in mm. */
  readonly hcMm: number;
}

/** Per-image HC fields of the eval report. */
export interface ImageHc {
  /** HC of the predicted ellipse in mm; null when the model found no head (scored as HC 0). */
  readonly hc_mm: number | null;
  readonly hc_truth_mm: number;
  /** |hc_mm - hc_truth_mm| (hc_truth_mm when there is no prediction). */
  readonly hc_abs_diff_mm: number;
  readonly pixel_size_mm: number;
}

/** The report's HC summary. */
export interface HcSummary {
  /** Mean absolute difference to the reference HC (mm), over every scored image. */
  readonly hc_mad_mm: number;
  /** Mean signed difference, predicted - reference (mm). */
  readonly hc_bias_mm: number;
  readonly hc_abs_diff_mm: { readonly median: number; readonly p90: number; readonly max: number; readonly count: number };
  /** Images without a predicted ellipse (their difference is the whole reference HC). */
  readonly hc_missing: number;
  readonly hc_provenance: string;
}

/** Splits one CSV line (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') fields.push(field), (field = '');
    else field += c;
  }
  fields.push(field);
  return fields;
}

/** stem -> reference, or undefined when the CSV lacks stem, pixel_size_mm or head_circumference_mm. */
export function parseHcProvenance(text: string, file: string): Map<string, HcReference> | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = csvFields(lines[0] ?? '').map((h) => h.trim());
  const [stem, pixel, hc] = ['stem', 'pixel_size_mm', 'head_circumference_mm'].map((c) => header.indexOf(c));
  if (stem! < 0 || pixel! < 0 || hc! < 0) return undefined;
  const references = new Map<string, HcReference>();
  lines.slice(1).forEach((line, i) => {
    const fields = csvFields(line);
    const pixelSizeMm = Number(fields[pixel!]);
    const hcMm = Number(fields[hc!]);
    if (!(pixelSizeMm > 0) || !(hcMm > 0)) {
      throw new Error(`${file}:${i + 2}: expected positive pixel_size_mm and head_circumference_mm (got "${fields[pixel!]}", "${fields[hc!]}")`);
    }
    references.set(fields[stem!]!.trim(), { pixelSizeMm, hcMm });
  });
  return references;
}

/** The provenance.csv of a labelled set with HC columns, and its file; undefined when there is none. */
export async function findHcProvenance(
  dataDir: string,
  imageFiles: readonly string[],
): Promise<{ file: string; references: Map<string, HcReference> } | undefined> {
  const candidates = [path.join(dataDir, PROVENANCE_FILE)];
  const realDirs = await Promise.all(imageFiles.map((f) => realpath(f).then(path.dirname, () => undefined)));
  for (const dir of new Set(realDirs)) if (dir) candidates.push(path.join(path.dirname(dir), PROVENANCE_FILE));
  for (const file of new Set(candidates)) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const references = parseHcProvenance(text, file);
    if (references) return { file, references };
  }
  return undefined;
}

/** One image's HC fields from its fitted ellipse (frame pixels, semi-axes scaled by `axisScale` as the
 * runtime does) and its reference. */
export function scoreHc(ellipse: Ellipse | undefined, reference: HcReference, axisScale = 1): ImageHc {
  const { pixelSizeMm, hcMm } = reference;
  const predicted = ellipse
    ? ellipseBiometry(ellipse, { mmPerPixel: { x: pixelSizeMm, y: pixelSizeMm }, source: 'dataset' }, axisScale).hcMm
    : null;
  return {
    hc_mm: predicted,
    hc_truth_mm: hcMm,
    hc_abs_diff_mm: Math.round(Math.abs((predicted ?? 0) - hcMm) * 100) / 100,
    pixel_size_mm: pixelSizeMm,
  };
}

/** Linear interpolation between order statistics (numpy's default), q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function summariseHc(images: readonly ImageHc[], provenance: string): HcSummary {
  const diffs = images.map((i) => i.hc_abs_diff_mm);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    hc_mad_mm: round(mean(diffs)),
    hc_bias_mm: round(mean(images.map((i) => (i.hc_mm ?? 0) - i.hc_truth_mm))),
    hc_abs_diff_mm: { median: round(quantile(diffs, 0.5)), p90: round(quantile(diffs, 0.9)), max: round(Math.max(...diffs)), count: diffs.length },
    hc_missing: images.filter((i) => i.hc_mm === null).length,
    hc_provenance: provenance,
  };
}
