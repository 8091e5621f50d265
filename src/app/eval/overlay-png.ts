/** Overlay PNGs for eyeballing evaluation results: prediction filled red, ground truth outlined green. */
import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { blendOverlay } from '../../core/frames/overlay-blend.js';
import type { Rgb } from '../../core/frames/class-colours.js';

/** Prediction: half-opaque red fill (grey * 0.5 + 127 in red), no outline. */
const PRED_RED: Rgb = [254, 0, 0];
/** Ground truth: solid green outline, nothing inside. */
const TRUTH_GREEN: Rgb = [0, 255, 0];

/** `pred` and `truth` are 0/1 masks (any non-zero value is foreground). */
export async function writeOverlayPng(
  file: string,
  grey: Uint8Array,
  pred: Uint8Array,
  truth: Uint8Array,
  width: number,
  height: number,
): Promise<void> {
  const png = new PNG({ width, height });
  blendOverlay(
    grey,
    width,
    height,
    [
      { labels: binary(pred), fill: 0.5, outline: false, colour: () => PRED_RED },
      { labels: binary(truth), fill: 0, outline: true, colour: () => TRUTH_GREEN },
    ],
    { data: png.data, channels: 4 },
  );
  await writeFile(file, PNG.sync.write(png));
}

/** 0/1 labels, so that the outline follows foreground vs background whatever the mask's values. */
function binary(mask: Uint8Array): Uint8Array {
  return mask.every((v) => v <= 1) ? mask : mask.map((v) => (v ? 1 : 0));
}
