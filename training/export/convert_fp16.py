"""Write float16 copies of a model directory's five graphs and record them in its manifest.

  /usr/bin/python3 -m training.export.convert_fp16 models/sam2rad-us

For each graph `<name>.onnx` this writes `<name>.fp16.onnx`: weights, constants, Cast targets and
intermediate value types become float16, while the graph's inputs and outputs stay float32 (a Cast at
each boundary), so the runtime feeds and reads exactly the same tensors as with the fp32 graphs. The
manifest gains `variants.fp16.<name> = {file, sha256, bytes}`; `--precision fp16` selects them.

Needs only the `onnx` package (no onnxconverter-common). Subgraphs (the mask decoder's If) are converted
with the graph around them. Ops that create float tensors from a dtype attribute are refused with their
name, rather than silently producing a mixed-type graph.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from training.export.graph_variants import all_graphs, variant_main

FLOAT, FLOAT16 = TensorProto.FLOAT, TensorProto.FLOAT16
FP16_MAX = float(np.finfo(np.float16).max)

# Operator inputs that the ONNX spec types as float32 whatever the data type (op -> input indices).
FLOAT32_SLOTS = {"Resize": (2,)}
# Ops that make float tensors from an attribute this converter does not rewrite.
UNSUPPORTED = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "EyeLike", "Bernoulli"}


def to_fp16(array: np.ndarray) -> np.ndarray:
    # Out-of-range constants (e.g. -1e9 attention masks) would become inf; clamp to the largest half.
    return np.clip(array, -FP16_MAX, FP16_MAX).astype(np.float16)


def fp16_tensor(tensor: onnx.TensorProto) -> onnx.TensorProto:
    return numpy_helper.from_array(to_fp16(numpy_helper.to_array(tensor)), tensor.name)


def check_supported(graphs: list[onnx.GraphProto]) -> None:
    for graph in graphs:
        for node in graph.node:
            if node.op_type in UNSUPPORTED:
                raise SystemExit(f"convert_fp16: {node.op_type} node {node.name!r} is not supported")
            if node.op_type == "Constant" and node.attribute[0].name != "value":
                raise SystemExit(f"convert_fp16: Constant {node.name!r} uses attribute "
                                 f"{node.attribute[0].name!r} (only 'value')")


def convert_graph(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    graphs = all_graphs(graph)  # subgraphs (If branches) read outer tensors by name: treat them as one body
    check_supported(graphs)
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for g in graphs:
        for node in g.node:
            for i, name in enumerate(node.input):
                consumers.setdefault(name, []).append((node, i))

    def only_float32_slots(name: str) -> bool:
        uses = consumers.get(name, [])
        return bool(uses) and all(i in FLOAT32_SLOTS.get(n.op_type, ()) for n, i in uses)

    # Constants read only by float32 slots (Resize scales) keep their exact float32 value.
    kept = {node.input[i] for g in graphs for node in g.node for i in FLOAT32_SLOTS.get(node.op_type, ())
            if i < len(node.input) and node.input[i] and only_float32_slots(node.input[i])}

    for g in graphs:
        for i, init in enumerate(g.initializer):
            if init.data_type == FLOAT and init.name not in kept:
                g.initializer[i].CopyFrom(fp16_tensor(init))
        for node in g.node:
            if node.op_type == "Constant" and node.output[0] not in kept and node.attribute[0].t.data_type == FLOAT:
                node.attribute[0].t.CopyFrom(fp16_tensor(node.attribute[0].t))
            elif node.op_type == "ConstantOfShape":
                for attr in node.attribute:
                    if attr.name == "value" and attr.t.data_type == FLOAT:
                        attr.t.CopyFrom(fp16_tensor(attr.t))
            elif node.op_type == "Cast":
                for attr in node.attribute:
                    if attr.name == "to" and attr.i == FLOAT:
                        attr.i = FLOAT16
        # A subgraph's outputs are the values its node yields: they become float16 like any intermediate.
        infos = list(g.value_info) + (list(g.output) if g is not graph else [])
        for info in infos:
            if info.type.tensor_type.elem_type == FLOAT and info.name not in kept:
                info.type.tensor_type.elem_type = FLOAT16

    def rename_uses(old: str, new: str) -> None:
        for node, i in consumers.get(old, []):
            node.input[i] = new

    head, tail = [], []
    # float32 graph inputs: cast once at the top; the graph body sees only the float16 copy.
    for inp in graph.input:
        if inp.type.tensor_type.elem_type == FLOAT and inp.name not in kept:
            half = f"{inp.name}.fp16"
            rename_uses(inp.name, half)
            head.append(helper.make_node("Cast", [inp.name], [half], to=FLOAT16, name=f"{inp.name}.to_fp16"))
    # float32 graph outputs: the producer writes a float16 tensor, a final Cast restores the name.
    producers = {out: node for node in graph.node for out in node.output}
    for out in graph.output:
        if out.type.tensor_type.elem_type == FLOAT:
            half = f"{out.name}.fp16"
            node = producers[out.name]
            node.output[list(node.output).index(out.name)] = half
            rename_uses(out.name, half)
            tail.append(helper.make_node("Cast", [half], [out.name], to=FLOAT, name=f"{out.name}.to_fp32"))
    # float32-only slots fed by a converted tensor get it back as float32.
    for g in graphs:
        for node in list(g.node):
            for i in FLOAT32_SLOTS.get(node.op_type, ()):
                if i < len(node.input) and node.input[i] and node.input[i] not in kept:
                    back = f"{node.input[i]}.fp32_for_{node.name or node.op_type}"
                    cast = helper.make_node("Cast", [node.input[i]], [back], to=FLOAT)
                    g.node.insert(list(g.node).index(node), cast)
                    node.input[i] = back

    body = list(graph.node)
    del graph.node[:]
    graph.node.extend(head + body + tail)
    onnx.checker.check_model(model)
    return model


def main():
    variant_main("training.export.convert_fp16", __doc__, "fp16", lambda model, _manifest: convert_graph(model))


if __name__ == "__main__":
    main()
