"""Write int8 copies of a model directory's transformer graphs and record them in its manifest.

  /usr/bin/python3 training/quantize_int8.py models/sam2rad-us

Every MatMul or Gemm whose second operand is a constant 2-D weight becomes onnxruntime's
`DynamicQuantizeMatMul` (com.microsoft): the weight is stored as int8, symmetric per output column
(zero point 0), and the activation is quantized to uint8 at run time, per tensor. On x86 CPUs with
AVX-512 VNNI or AVX2 that is onnxruntime's fast u8s8 integer GEMM. Attention between activations
(Q.K^T, attention.V) and every other op stay float32, as do the graphs' inputs and outputs, so the
runtime feeds and reads the same tensors as with the fp32 graphs.

Only memory attention, the prompt predictor and the mask decoder are quantized: their time is in weight
matmuls. The image and memory encoders are convolutions (the encoder's one attention block gains about
0.2 ms) and keep their fp32 files in the variant. The output is deterministic: the same fp32 graphs give
byte-identical int8 graphs, which test/model/precision-variants.test.ts checks against the manifest.

The manifest gains `variants.int8.<name> = {file, sha256, bytes}`; `--precision int8` selects them.
Needs only the `onnx` package. `DynamicQuantizeMatMul` has a CPU kernel only: on GPU providers use fp32
or fp16.
"""
import argparse
from typing import Optional

import numpy as np
import onnx
from onnx import helper, numpy_helper

from graph_variants import all_graphs, write_variant

QUANTIZED_GRAPHS = ("memory_attention", "prompt_predictor", "mask_decoder")
MS_DOMAIN = "com.microsoft"


def constant_weight(node: onnx.NodeProto, initializers: dict[str, onnx.TensorProto]) -> Optional[np.ndarray]:
    """The [K, N] weight of a MatMul/Gemm that multiplies by a constant matrix, else None."""
    if node.op_type not in ("MatMul", "Gemm") or len(node.input) < 2 or node.input[1] not in initializers:
        return None
    weight = numpy_helper.to_array(initializers[node.input[1]])
    if weight.ndim != 2 or weight.dtype != np.float32:
        return None
    if node.op_type == "MatMul":
        return weight
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    bias = node.input[2] if len(node.input) > 2 else ""
    if attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0 or attrs.get("transA", 0):
        return None
    weight = weight.T if attrs.get("transB", 0) else weight
    # DynamicQuantizeMatMul's bias is a constant [N] vector.
    if bias and (bias not in initializers or list(initializers[bias].dims) != [weight.shape[1]]):
        return None
    return weight


def quantize_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column: weight ~= q * scale[None, :]."""
    scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0
    q = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def quantize_graph(model: onnx.ModelProto) -> onnx.ModelProto:
    top = model.graph
    graphs = all_graphs(top)  # If branches read the top graph's initializers by name
    initializers = {init.name: init for init in top.initializer}
    added: dict[str, list[str]] = {}  # weight name -> [int8 weight, scale, zero point]
    count = 0
    for graph in graphs:
        nodes = []
        for node in graph.node:
            weight = constant_weight(node, initializers)
            if weight is None:
                nodes.append(node)
                continue
            name = node.input[1]
            if name not in added:
                q, scale = quantize_columns(weight)
                added[name] = [f"{name}.int8", f"{name}.scale", f"{name}.zero_point"]
                top.initializer.extend([
                    numpy_helper.from_array(q, added[name][0]),
                    numpy_helper.from_array(scale, added[name][1]),
                    numpy_helper.from_array(np.zeros(weight.shape[1], np.int8), added[name][2]),
                ])
            inputs = [node.input[0], *added[name]]
            if node.op_type == "Gemm" and len(node.input) > 2 and node.input[2]:
                inputs.append(node.input[2])
            nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, list(node.output),
                                          name=f"{node.name or name}.int8", domain=MS_DOMAIN))
            count += 1
        del graph.node[:]
        graph.node.extend(nodes)
    # Drop the float weights nothing reads any more.
    read = {name for graph in graphs for node in graph.node for name in node.input}
    kept = [init for init in top.initializer if init.name in read]
    del top.initializer[:]
    top.initializer.extend(kept)
    if not any(opset.domain == MS_DOMAIN for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    if count == 0:
        raise SystemExit(f"quantize_int8: graph {top.name!r} has no MatMul/Gemm with a constant weight")
    print(f"  {count} matmuls -> int8 ({len(added)} weights)")
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", help="model directory with manifest.json and the five fp32 graphs")
    args = ap.parse_args()
    write_variant(args.model_dir, "int8",
                  lambda name, model: quantize_graph(model) if name in QUANTIZED_GRAPHS else None)


if __name__ == "__main__":
    main()
