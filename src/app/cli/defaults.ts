/** Paths and settings shared by every command. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (works from src/ under vitest and from dist/src/ when built). */
export const PACKAGE_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../../..') : path.resolve(here, '../../..');
})();

export const DEFAULT_MODEL_DIR = path.join(PACKAGE_ROOT, 'models', 'sam2rad-us');

export const MODEL_OPTIONS = {
  model: { type: 'string', default: DEFAULT_MODEL_DIR, arg: 'DIR', help: 'model directory (manifest.json + ONNX graphs)' },
  ep: { type: 'string', default: 'cpu', arg: 'cpu|cuda|webgpu', help: 'onnxruntime execution provider; falls back to cpu' },
  precision: { type: 'string', arg: 'fp32|fp16|int8', help: 'graph precision (default: the manifest\'s precision_defaults for --ep, else fp32; the shipped model runs int8 on cpu); fp16 and int8 need the manifest\'s variants (python3 -m training.export.convert_fp16 / training.export.quantize_int8)' },
  threads: { type: 'string', default: '2', arg: 'N', help: 'intra-op threads per graph (spinning off)' },
} as const;
