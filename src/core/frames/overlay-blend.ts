/**
 * The one overlay-blending kernel: label maps drawn over a grey frame, used by the live viewer's canvas
 * (RGBA), the recorded overlay.mp4 (rgb24) and eval's overlay PNGs (RGBA). Browser-safe: no Node
 * imports, no Buffer (the viewer bundles it).
 *
 * Each pixel starts as its grey value; every layer then, where its label map is non-zero, either paints
 * the label's colour solid (outline pixels, when the layer has `outline`) or blends it in with
 * `out = before * (1 - fill) + colour * fill`. An outline pixel is a labelled pixel on the frame edge or
 * with a 4-neighbour of another label. Channels are rounded once, at the end.
 */
import { classColour, type Rgb } from './class-colours.js';

export interface OverlayLayer {
  /** width * height labels, row-major: 0 = nothing drawn, else the label (e.g. a class value). */
  readonly labels: Uint8Array;
  /** Opacity of the colour inside the labelled region, 0..1 (0: only the outline is drawn). */
  readonly fill: number;
  /** Paint outline pixels solid in the label's colour (else they are filled like the inside). */
  readonly outline: boolean;
  /** Colour of a label; the class colours by default. */
  readonly colour?: (label: number) => Rgb;
}

/** Where the kernel writes: a pixel buffer with 3 (rgb24) or 4 (RGBA, alpha set to 255) bytes a pixel. */
export interface OverlayTarget {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly channels: 3 | 4;
}

/**
 * Blend `layers` (in order, later ones on top) over the grey image into `target.data`.
 * Every pixel of the target is written.
 */
export function blendOverlay(
  grey: Uint8Array,
  width: number,
  height: number,
  layers: readonly OverlayLayer[],
  target: OverlayTarget,
): void {
  const pixels = width * height;
  const { data: out, channels } = target;
  if (grey.length < pixels) throw new Error(`overlay: grey image has ${grey.length} bytes, expected ${pixels} for ${width}x${height}`);
  if (out.length < pixels * channels) throw new Error(`overlay: target has ${out.length} bytes, expected ${pixels * channels}`);
  for (const layer of layers) {
    if (layer.labels.length < pixels) throw new Error(`overlay: label map has ${layer.labels.length} bytes, expected ${pixels}`);
  }
  const tables = layers.map((layer) => colourTable(layer.colour ?? classColour));
  const keeps = layers.map((layer) => 1 - layer.fill);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const o = i * channels;
      const g = grey[i]!;
      let r = g;
      let gr = g;
      let b = g;
      for (let l = 0; l < layers.length; l++) {
        const layer = layers[l]!;
        const labels = layer.labels;
        const c = labels[i]!;
        if (c === 0) continue;
        const table = tables[l]!;
        const t = c * 3;
        const edge =
          layer.outline &&
          (x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
            labels[i - 1] !== c || labels[i + 1] !== c || labels[i - width] !== c || labels[i + width] !== c);
        if (edge) {
          r = table[t]!;
          gr = table[t + 1]!;
          b = table[t + 2]!;
        } else {
          const keep = keeps[l]!;
          const fill = layer.fill;
          r = r * keep + table[t]! * fill;
          gr = gr * keep + table[t + 1]! * fill;
          b = b * keep + table[t + 2]! * fill;
        }
      }
      out[o] = Math.round(r);
      out[o + 1] = Math.round(gr);
      out[o + 2] = Math.round(b);
      if (channels === 4) out[o + 3] = 255;
    }
  }
}

/** The colour of every label 0..255, flattened (label * 3 + channel). */
function colourTable(colour: (label: number) => Rgb): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let label = 1; label < 256; label++) table.set(colour(label), label * 3);
  return table;
}
