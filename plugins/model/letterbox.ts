/** Letterboxing a grey frame to the model input, and the geometry to map results back.
 * The resize is the same antialiased bilinear (triangle) filter that PIL applies in training, so the
 * runtime sees the pixels the model was trained on. */

export interface Letterbox {
  /** Model input side S. */
  readonly size: number;
  /** Source pixels -> model pixels. */
  readonly scale: number;
  /** Content size inside the S x S input (the rest is zero padding, bottom/right). */
  readonly contentWidth: number;
  readonly contentHeight: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

export function letterboxGeometry(width: number, height: number, size: number): Letterbox {
  const scale = size / Math.max(width, height);
  return {
    size,
    scale,
    contentWidth: Math.max(1, Math.round(width * scale)),
    contentHeight: Math.max(1, Math.round(height * scale)),
    sourceWidth: width,
    sourceHeight: height,
  };
}

interface AxisWeights {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float32Array;
  readonly taps: number;
}

/** PIL's resample coefficients for a triangle filter (support 1, widened by the scale when shrinking). */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = Math.max(0, 1 - Math.abs((j - center + 0.5) / filterScale));
      weights[i * taps + (j - lo)] = w;
      total += w;
    }
    if (total > 0) for (let j = 0; j < hi - lo; j++) weights[i * taps + j] /= total;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, taps };
}

const weightCache = new Map<string, AxisWeights>();
function cachedWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}:${outSize}`;
  let w = weightCache.get(key);
  if (!w) {
    w = axisWeights(inSize, outSize);
    weightCache.set(key, w);
  }
  return w;
}

/** Work buffers of the two passes, reused from call to call (frames of one stream have one size). */
let horizontalScratch = new Uint8Array(0);
let accScratch = new Float64Array(0);

/** Resizes grey pixels (rounded to 8 bits like PIL) into the top-left of an S x S zero canvas: a new
 * array, or `out` (S * S bytes, every byte written). */
export function letterboxGrey(data: Uint8Array, box: Letterbox, out?: Uint8Array): Uint8Array {
  const { sourceWidth: w, sourceHeight: h, contentWidth: nw, contentHeight: nh, size } = box;
  const { start: xStart, count: xCount, weights: xWeights, taps: xTaps } = cachedWeights(w, nw);
  const { start: yStart, count: yCount, weights: yWeights, taps: yTaps } = cachedWeights(h, nh);
  // Horizontal pass first (as PIL does), then vertical, each rounded once at its end. The sums are of
  // non-negative terms with weights summing to 1, so they lie in [0, 255]: rounding is floor(x + 0.5).
  if (horizontalScratch.length < h * nw) horizontalScratch = new Uint8Array(h * nw);
  const horizontal = horizontalScratch;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const outRow = y * nw;
    for (let x = 0; x < nw; x++) {
      const from = row + xStart[x]!;
      const base = x * xTaps;
      const n = xCount[x]!;
      let acc = 0;
      for (let k = 0; k < n; k++) acc += data[from + k]! * xWeights[base + k]!;
      horizontal[outRow + x] = Math.min(255, Math.floor(acc + 0.5));
    }
  }
  // Vertical pass a source row at a time, so both arrays are read along their rows.
  if (out) {
    if (out.length < size * size) throw new Error(`letterbox: output has ${out.length} bytes, expected ${size * size}`);
    out.fill(0, 0, size * size);
  } else {
    out = new Uint8Array(size * size);
  }
  if (accScratch.length < nw) accScratch = new Float64Array(nw);
  const acc = accScratch;
  for (let y = 0; y < nh; y++) {
    acc.fill(0, 0, nw);
    const base = y * yTaps;
    for (let k = 0; k < yCount[y]!; k++) {
      const weight = yWeights[base + k]!;
      const src = (yStart[y]! + k) * nw;
      for (let x = 0; x < nw; x++) acc[x] += horizontal[src + x]! * weight;
    }
    const outRow = y * size;
    for (let x = 0; x < nw; x++) out[outRow + x] = Math.min(255, Math.floor(acc[x]! + 0.5));
  }
  return out;
}

export interface Normalisation {
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** [S*S] grey -> [1, 3, S, S] float32, grey replicated into the three channels: a new array, or `out`. */
export function toInputTensor(grey: Uint8Array, norm: Normalisation, out: Float32Array = new Float32Array(grey.length * 3)): Float32Array {
  const plane = grey.length;
  if (out.length !== plane * 3) throw new Error(`input tensor: ${out.length} values, expected ${plane * 3}`);
  for (let c = 0; c < 3; c++) {
    const mean = norm.mean[c]!;
    const inv = 1 / norm.std[c]!;
    const offset = c * plane;
    for (let i = 0; i < plane; i++) out[offset + i] = (grey[i]! * norm.scale - mean) * inv;
  }
  return out;
}
