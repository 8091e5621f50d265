"""Rebuild a training checkpoint from a shipped model directory (manifest + five ONNX graphs), so that a
model can be fine-tuned when only its release is at hand.

  /usr/bin/python3 -m training.export.import_onnx --model models/sam2rad-us --out runs/imported/checkpoint.pt

How: a tracer copy of the architecture gets a distinct value in every parameter and buffer and is exported
with the same exporter; each parameter is then found by value among the tracer graphs' initializers
(as is, transposed, or as a slice of a constant the exporter folded), and read from the shipped graph at
the same place. Batch norm was folded into the convolutions at export: the folded weight and bias come
back as the convolution's weight and the norm's bias over an identity norm, which exports to the same
numbers. The import is checked by exporting the rebuilt model again: its weights must equal the shipped
ones to within TOLERANCE, or the import is refused.
"""
import argparse
import json
import os
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from training.export.export_onnx import export
from training.model.config import ModelConfig
from training.model.model import Sam2Rad

# Only the temporal position codes are not bit-exact (see temporal_codes): float32 rounding of values < 8.
TOLERANCE = 1e-6


def identity_batch_norms(model: nn.Module) -> None:
    """Running mean 0, variance 1 - eps, scale 1: folding then leaves the convolution weight unchanged and
    makes the folded bias the norm's bias."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.zero_()
            module.running_var.fill_(1 - module.eps)
            module.weight.data.fill_(1.0)


def folded_away(model: nn.Module) -> set[str]:
    """Batch-norm entries that do not survive folding (the identity norm supplies them)."""
    return {f"{n}.{k}" for n, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)
            for k in ("weight", "running_mean", "running_var", "num_batches_tracked")}


def tracer(cfg: ModelConfig) -> Sam2Rad:
    """Every parameter and buffer gets values no other entry holds: a shuffled 1..N scaled by 2^-20 (exact in
    float32 below 2^24 values), so that a value found in a graph names its entry. Sine grids are traced too:
    the shipped ones were computed on whatever device trained the model, so they are read back."""
    model = Sam2Rad(cfg).eval()
    entries = [v for v in model.state_dict().values() if v.is_floating_point()]
    total = sum(v.numel() for v in entries)
    if total >= 2 ** 24:
        raise SystemExit(f"{total} values: too many to trace with distinct float32 values")
    generator = torch.Generator().manual_seed(0)
    values = (torch.randperm(total, generator=generator) + 1).float() * 2.0 ** -20
    start = 0
    for v in entries:
        v.copy_(values[start:start + v.numel()].reshape(v.shape))
        start += v.numel()
    identity_batch_norms(model)
    return model


def initializers(directory: str, graphs: dict) -> dict[str, dict[str, np.ndarray]]:
    """file -> initializer name -> value, for the fp32 graphs a manifest's "graphs" lists (not its variants)."""
    out = {}
    for graph in graphs.values():
        body = onnx.load(os.path.join(directory, graph["file"])).graph
        out[graph["file"]] = {i.name: numpy_helper.to_array(i) for i in body.initializer}
    return out


def locate(value: np.ndarray, graphs: dict) -> tuple | None:
    """-> (file, initializer, layout, offset) where `value` sits in the tracer graphs."""
    layouts = [("flat", value.ravel())] + ([("transposed", value.T.ravel())] if value.ndim == 2 else [])
    for file, inits in graphs.items():
        for name, array in inits.items():
            flat = array.ravel()
            for layout, v in layouts:
                if v.size > flat.size or array.dtype != v.dtype:
                    continue
                for start in np.flatnonzero(flat == v[0]):
                    if start + v.size <= flat.size and np.array_equal(flat[start:start + v.size], v):
                        return file, name, layout, int(start)
    return None


def read(place: tuple, shape: tuple, shipped: dict) -> np.ndarray:
    file, name, layout, start = place
    flat = shipped[file][name].ravel()
    count = int(np.prod(shape))
    part = flat[start:start + count]
    return part.reshape(shape[::-1]).T if layout == "transposed" else part.reshape(shape)


def temporal_codes(trace: Sam2Rad, tracer_graphs: dict, shipped: dict) -> tuple[np.ndarray, np.ndarray]:
    """The exporter folds memory_pos[None, None] + temporal_codes[None, :, None, :] into one constant C, and
    memory_pos appears nowhere else, so only the sum is known: memory_pos = C[frame 0], codes[0] = 0, and
    codes[f] = median over tokens of C[f] - C[0] (equal to C up to float32 rounding).
    -> (memory_pos [tokens, dim], temporal_codes [frames, dim])"""
    ma = trace.memory_attention
    folded_tracer = (ma.memory_pos[None, None] + ma.temporal_codes[None, :, None, :]).detach().numpy()
    place = locate(folded_tracer, tracer_graphs)
    if place is None:
        raise SystemExit("memory attention: the folded temporal position constant was not found")
    folded = read(place, folded_tracer.shape, shipped)[0]  # [frames, tokens, dim]
    return folded[0].copy(), np.median(folded - folded[:1], axis=1).astype(np.float32)


def max_difference(shipped: dict, rebuilt: dict) -> float:
    """Largest absolute difference between the two exports' weights (inf if their layouts differ)."""
    worst = 0.0
    for file, inits in shipped.items():
        other = rebuilt.get(file, {})
        for name, array in inits.items():
            if name not in other or other[name].shape != array.shape:
                return float("inf")
            worst = max(worst, float(np.abs(other[name].astype(np.float64) - array).max(initial=0.0)))
    return worst


def import_model(model_dir: str) -> tuple[Sam2Rad, dict, dict]:
    """-> (the rebuilt model, the manifest, the shipped graphs' initializers)."""
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    cfg = ModelConfig.from_dict(manifest["config"])
    shipped = initializers(model_dir, manifest["graphs"])
    trace = tracer(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        tracer_graphs = initializers(tmp, export(trace, tmp, None))
    model = Sam2Rad(cfg).eval()
    identity_batch_norms(model)
    state = model.state_dict()
    # Folded batch-norm entries come from the identity norm; the temporal constant is split below.
    skipped = folded_away(trace) | {"memory_attention.memory_pos", "memory_attention.temporal_codes"}
    missing = []
    for name, value in trace.state_dict().items():
        if name in skipped:
            continue
        place = locate(value.numpy(), tracer_graphs)
        if place is None:
            missing.append(name)
        else:
            state[name] = torch.from_numpy(read(place, tuple(value.shape), shipped).copy())
    memory_pos, codes = temporal_codes(trace, tracer_graphs, shipped)
    state["memory_attention.memory_pos"] = torch.from_numpy(memory_pos)
    state["memory_attention.temporal_codes"] = torch.from_numpy(codes)
    if missing:
        raise SystemExit(f"{model_dir}: no place found in the graphs for {', '.join(missing)}")
    model.load_state_dict(state)
    return model, manifest, shipped


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.export.import_onnx", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model directory (manifest.json + graphs)")
    ap.add_argument("--out", required=True, help="checkpoint file to write")
    args = ap.parse_args()
    model, manifest, shipped = import_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        worst = max_difference(shipped, initializers(tmp, export(model, tmp, None)))
    if worst > TOLERANCE:
        raise SystemExit(f"{args.model}: the rebuilt model exports to weights up to {worst:.3g} away from the "
                         "shipped ones (another exporter or architecture made these graphs)")
    training = manifest["training"]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"kind": "sam2rad", "config": model.cfg.to_dict(), "state_dict": model.state_dict(),
                "steps": training["steps"], "budget_seconds": training["budget_seconds"],
                "budget_clock": training["budget_clock"], "args": training["args"], "data": training["data"],
                "earlier_stages": training.get("earlier_stages", []),
                "imported_from": f"{manifest['name']} {manifest['version']}"}, args.out)
    print(f"{args.model} ({manifest['name']} {manifest['version']}): re-exported weights within {worst:.2g} "
          f"of the shipped graphs -> {args.out}")


if __name__ == "__main__":
    main()
