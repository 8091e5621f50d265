"""Variants of a model directory's graphs (same tensor names, float32 inputs and outputs), recorded in
its manifest under `variants.<name>` so that `--precision <name>` loads them, hash-checked like the
fp32 graphs. Used by convert_fp16 and quantize_int8."""
import argparse
import json
import os
from typing import Callable, Optional

import onnx

from training.export.file_hash import sha256


def subgraphs(node: onnx.NodeProto) -> list[onnx.GraphProto]:
    """The bodies of a control-flow node (If branches, Loop/Scan bodies)."""
    out = []
    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.GRAPH:
            out.append(attr.g)
        elif attr.type == onnx.AttributeProto.GRAPHS:
            out.extend(attr.graphs)
    return out


def all_graphs(graph: onnx.GraphProto) -> list[onnx.GraphProto]:
    """The graph and every subgraph nested in it."""
    found = [graph]
    for node in graph.node:
        for sub in subgraphs(node):
            found.extend(all_graphs(sub))
    return found


EXECUTION_PROVIDERS = ("cpu", "cuda", "webgpu")  # as src/core/runtime/execution-provider.ts names them

# (fp32 graph, the model directory's manifest) -> the variant's graph, or None to keep the fp32 one
Convert = Callable[[onnx.ModelProto, dict], Optional[onnx.ModelProto]]


def variant_main(module: str, doc: str, variant: str, convert: Convert) -> None:
    """The command line of a variant script (`python3 -m <module>`): MODEL_DIR [--default-for EP ...]."""
    ap = argparse.ArgumentParser(prog=f"python3 -m {module}", description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", help="model directory with manifest.json and the five fp32 graphs")
    ap.add_argument("--default-for", nargs="+", choices=EXECUTION_PROVIDERS, default=[], metavar="EP",
                    help="also make this precision the manifest's default on these providers (precision_defaults)")
    args = ap.parse_args()
    write_variant(args.model_dir, variant, convert, args.default_for)


def write_variant(model_dir: str, variant: str, convert: Convert, default_for: list[str]) -> None:
    """Writes `<graph>.<variant>.onnx` for each graph of the manifest that `convert` changes; a graph it
    returns None for is listed with its fp32 file. Updates `variants.<variant>` in the manifest, and
    `precision_defaults.<ep>` for each provider of `default_for`."""
    manifest_path = os.path.join(model_dir, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    entries = {}
    for name, graph in manifest["graphs"].items():
        source = os.path.join(model_dir, graph["file"])
        converted = convert(onnx.load(source), manifest)
        if converted is None:
            entries[name] = {"file": graph["file"], "sha256": graph["sha256"], "bytes": graph["bytes"]}
            print(f"{name}: unchanged ({graph['file']})")
            continue
        file = f"{name}.{variant}.onnx"
        target = os.path.join(model_dir, file)
        onnx.save(converted, target)
        entries[name] = {"file": file, "sha256": sha256(target), "bytes": os.path.getsize(target)}
        print(f"{name}: {os.path.getsize(source) / 1e6:.1f} MB -> {entries[name]['bytes'] / 1e6:.1f} MB ({file})")
    manifest.setdefault("variants", {})[variant] = entries
    for ep in default_for:
        manifest.setdefault("precision_defaults", {})[ep] = variant
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"manifest: variants.{variant} -> {manifest_path}")
