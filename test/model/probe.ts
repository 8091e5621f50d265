/** The deterministic probe inputs of training/export/export_onnx.py (`probe_tensor`), rebuilt here so the
 * parity fixtures need to store only torch's outputs. */
import * as ort from 'onnxruntime-node';

export function probeTensor(name: string, dtype: string, shape: number[]): ort.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + name.length) * 2.0);
  const special: Record<string, () => number[]> = {
    class_index: () => values.map((_, i) => i % 3),
    point_labels: () => values.map((_, i) => [2, 3, 1, 0, -1][i] ?? 1),
    point_coords: () => values.map((v) => (v * 0.5 + 1.0) * 100.0),
    memory_valid: () => values.map((_, i) => (i % 2 === 0 ? 1 : 0)),
    use_prompt_embeddings: () => values.map(() => 1),
    has_mask_input: () => values.map(() => 1),
  };
  const data = special[name]?.() ?? values;
  return dtype === 'int64'
    ? new ort.Tensor('int64', BigInt64Array.from(data.map((v) => BigInt(v))), shape)
    : new ort.Tensor('float32', Float32Array.from(data), shape);
}
