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
  if (layers.length === 1) {
    blendOneLayer(grey, width, height, layers[0]!, out, channels);
    return;
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

/** Whether this machine stores words little-endian (RGBA bytes as one 0xAABBGGRR word). */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * blendOverlay for one layer (what the viewer, the recorder and most PNGs draw), the same pixels: as one
 * layer blends over the grey value only, a filled pixel is a lookup of `round(grey * keep + colour * fill)`
 * in a table per label (made on first use, the same arithmetic) instead of the per-pixel loop over layers,
 * multiplications and roundings; RGBA targets get each pixel as one word.
 */
function blendOneLayer(grey: Uint8Array, width: number, height: number, layer: OverlayLayer, out: Uint8Array | Uint8ClampedArray, channels: 3 | 4): void {
  const { labels, fill, outline } = layer;
  const keep = 1 - fill;
  const table = colourTable(layer.colour ?? classColour);
  // Per label: the pixel (R, G, B, 255 as an RGBA word) for each grey value; index 0 is unlabelled grey.
  const pixels: (Uint32Array | undefined)[] = [];
  const pixelsFor = (c: number): Uint32Array => {
    const t = c * 3;
    const values = new Uint32Array(256);
    for (let g = 0; g < 256; g++) {
      const r = c === 0 ? g : Math.round(g * keep + table[t]! * fill);
      const gr = c === 0 ? g : Math.round(g * keep + table[t + 1]! * fill);
      const b = c === 0 ? g : Math.round(g * keep + table[t + 2]! * fill);
      values[g] = (0xff000000 | (b << 16) | (gr << 8) | r) >>> 0;
    }
    pixels[c] = values;
    return values;
  };
  const edges = new Uint32Array(256);
  for (let c = 1; c < 256; c++) edges[c] = (0xff000000 | (table[c * 3 + 2]! << 16) | (table[c * 3 + 1]! << 8) | table[c * 3]!) >>> 0;
  const words = channels === 4 && littleEndian && out.byteOffset % 4 === 0 ? new Uint32Array(out.buffer, out.byteOffset, width * height) : null;
  const last = width - 1;
  for (let y = 0; y < height; y++) {
    const edgeRow = y === 0 || y === height - 1;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const c = labels[i]!;
      const word =
        c !== 0 && outline && (edgeRow || x === 0 || x === last || labels[i - 1] !== c || labels[i + 1] !== c || labels[i - width] !== c || labels[i + width] !== c)
          ? edges[c]!
          : (pixels[c] ?? pixelsFor(c))[grey[i]!]!;
      if (words) {
        words[i] = word;
      } else {
        const o = i * channels;
        out[o] = word & 0xff;
        out[o + 1] = (word >>> 8) & 0xff;
        out[o + 2] = (word >>> 16) & 0xff;
        if (channels === 4) out[o + 3] = 255;
      }
    }
  }
}

/** The colour of every label 0..255, flattened (label * 3 + channel). */
function colourTable(colour: (label: number) => Rgb): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let label = 1; label < 256; label++) table.set(colour(label), label * 3);
  return table;
}
