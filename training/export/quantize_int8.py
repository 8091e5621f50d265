"""Write int8 copies of a model directory's graphs and record them in its manifest.

  /usr/bin/python3 -m training.export.quantize_int8 models/sam2rad-us --default-for cpu

Weights multiplied by activations become onnxruntime's `DynamicQuantizeMatMul` (com.microsoft): the
weight is stored as int8, symmetric per output column (zero point 0), and the activation is quantized to
uint8 at run time, per tensor. On x86 CPUs with AVX-512 VNNI or AVX2 that is onnxruntime's fast u8s8
integer GEMM. Two kinds of node are rewritten:

* every MatMul or Gemm whose second operand is a constant 2-D weight (memory attention, the prompt
  predictor and the mask decoder spend their time there, and the encoder's attention block);
* every 1x1 convolution over a map of the image embedding's size (S/16 x S/16: the encoder's last
  stage and the whole memory encoder), as NCHW -> NHWC, the matmul over channels, and back. At that
  size the two transposes cost little; on the larger maps they cost more than the int8 matmul saves,
  and the 3x3, 5x5 and depthwise convolutions stay float32 everywhere.

Attention between activations (Q.K^T, attention.V) and every other op stay float32, as do the graphs'
inputs and outputs, so the runtime feeds and reads the same tensors as with the fp32 graphs. The output
is deterministic: the same fp32 graphs give byte-identical int8 graphs, which
test/model/precision-variants.test.ts checks against the manifest.

The manifest gains `variants.int8.<name> = {file, sha256, bytes}`; `--precision int8` selects them, and
`--default-for cpu` makes them what the CPU loads when no precision is asked for (`precision_defaults`).
Needs only the `onnx` package. `DynamicQuantizeMatMul` has a CPU kernel only: on GPU providers use fp32
or fp16.
"""
from typing import Optional

import numpy as np
import onnx
from onnx import helper, numpy_helper

from training.export.graph_variants import all_graphs, variant_main

MS_DOMAIN = "com.microsoft"


def matmul_weight(node: onnx.NodeProto, initializers: dict[str, onnx.TensorProto]) -> Optional[np.ndarray]:
    """The [K, N] weight of a MatMul/Gemm that multiplies by a constant matrix, else None."""
    if node.op_type not in ("MatMul", "Gemm") or len(node.input) < 2 or node.input[1] not in initializers:
        return None
    weight = numpy_helper.to_array(initializers[node.input[1]])
    if weight.ndim != 2 or weight.dtype != np.float32:
        return None
    if node.op_type == "MatMul":
        return weight
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0 or attrs.get("transA", 0):
        return None
    weight = weight.T if attrs.get("transB", 0) else weight
    return weight if constant_bias(node, initializers, weight.shape[1]) else None


def pointwise_weight(node: onnx.NodeProto, initializers: dict[str, onnx.TensorProto],
                     shapes: dict[str, list], side: int) -> Optional[np.ndarray]:
    """The [C_in, C_out] matrix of a 1x1 convolution over a side x side map, else None."""
    if node.op_type != "Conv" or node.input[1] not in initializers or shapes.get(node.input[0], [])[2:] != [side, side]:
        return None
    weight = numpy_helper.to_array(initializers[node.input[1]])
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    plain = (attrs.get("group", 1) == 1 and set(attrs.get("strides", [1, 1])) == {1}
             and not any(attrs.get("pads", [0]))) and weight.ndim == 4 and weight.shape[2:] == (1, 1)
    if not plain or not constant_bias(node, initializers, weight.shape[0]):
        return None
    return weight[:, :, 0, 0].T


def constant_bias(node: onnx.NodeProto, initializers: dict[str, onnx.TensorProto], n: int) -> bool:
    """No bias, or a constant [n] vector (what DynamicQuantizeMatMul takes)."""
    bias = node.input[2] if len(node.input) > 2 else ""
    return not bias or (bias in initializers and list(initializers[bias].dims) == [n])


def quantize_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column: weight ~= q * scale[None, :]."""
    scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0
    q = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def tensor_shapes(model: onnx.ModelProto) -> dict[str, list]:
    """Inferred shapes of the top graph's tensors (symbolic dimensions as names, unknown ones as None)."""
    graph = onnx.shape_inference.infer_shapes(model).graph
    return {v.name: [d.dim_value if d.HasField("dim_value") else (d.dim_param or None)
                     for d in v.type.tensor_type.shape.dim]
            for v in list(graph.value_info) + list(graph.input)}


def quantize_graph(model: onnx.ModelProto, embed_side: int) -> Optional[onnx.ModelProto]:
    """The graph with its weight matmuls in int8, or None when it has none."""
    top = model.graph
    graphs = all_graphs(top)  # If branches read the top graph's initializers by name
    initializers = {init.name: init for init in top.initializer}
    shapes = tensor_shapes(model)
    added: dict[str, list[str]] = {}  # weight name -> [int8 weight, scale, zero point]
    counts = {"matmul": 0, "conv": 0}

    def int8_weight(name: str, weight: np.ndarray) -> list[str]:
        if name not in added:
            q, scale = quantize_columns(weight)
            added[name] = [f"{name}.int8", f"{name}.scale", f"{name}.zero_point"]
            top.initializer.extend([numpy_helper.from_array(q, added[name][0]),
                                    numpy_helper.from_array(scale, added[name][1]),
                                    numpy_helper.from_array(np.zeros(weight.shape[1], np.int8), added[name][2])])
        return added[name]

    for graph in graphs:
        nodes = []
        for node in graph.node:
            label = node.name or node.output[0]
            bias = [node.input[2]] if len(node.input) > 2 and node.input[2] else []
            weight = matmul_weight(node, initializers)
            if weight is not None:
                inputs = [node.input[0], *int8_weight(node.input[1], weight), *bias]
                nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, list(node.output),
                                              name=f"{label}.int8", domain=MS_DOMAIN))
                counts["matmul"] += 1
                continue
            weight = pointwise_weight(node, initializers, shapes, embed_side) if graph is top else None
            if weight is not None:
                nhwc, product = f"{label}.nhwc", f"{label}.int8_nhwc"
                inputs = [nhwc, *int8_weight(node.input[1], weight), *bias]
                nodes += [helper.make_node("Transpose", [node.input[0]], [nhwc], perm=[0, 2, 3, 1], name=f"{label}.to_nhwc"),
                          helper.make_node("DynamicQuantizeMatMul", inputs, [product], name=f"{label}.int8", domain=MS_DOMAIN),
                          helper.make_node("Transpose", [product], list(node.output), perm=[0, 3, 1, 2], name=f"{label}.to_nchw")]
                counts["conv"] += 1
                continue
            nodes.append(node)
        del graph.node[:]
        graph.node.extend(nodes)
    if not added:
        return None
    # Drop the float weights nothing reads any more.
    read = {name for graph in graphs for node in graph.node for name in node.input}
    kept = [init for init in top.initializer if init.name in read]
    del top.initializer[:]
    top.initializer.extend(kept)
    if not any(opset.domain == MS_DOMAIN for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    print(f"  int8: {counts['matmul']} matmuls, {counts['conv']} 1x1 convolutions ({len(added)} weights)")
    return model


def main():
    variant_main("training.export.quantize_int8", __doc__, "int8",
                 lambda model, manifest: quantize_graph(model, manifest["input"]["image_size"] // 16))


if __name__ == "__main__":
    main()
