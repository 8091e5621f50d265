"""Export a trained checkpoint to the five ONNX graphs + manifest, and write parity fixtures.

  /usr/bin/python3 -m training.export.export_onnx --checkpoint runs/sam2rad/checkpoint.pt --out models/sam2rad-us
  python3 -m training.export.export_onnx --preset full-size --out /tmp/full-size   # untrained, for GPU speed

Runs on PyTorch 1.13 (training machine) and 2.x (GPU machines; the TorchScript exporter is asked for
explicitly, the dynamo exporter is the fallback).

Graphs (opset 17, batch dimension B, point count P dynamic):
  image_encoder.onnx     image -> high_res_feats_0, high_res_feats_1, image_embed
  memory_attention.onnx  image_embed, memory, memory_valid, object_pointers -> conditioned_embed
  prompt_predictor.onnx  image_embed, class_index -> box, prompt_embeddings, mask_prompt
  mask_decoder.onnx      image_embed, high_res_feats_0/1, point_coords, point_labels, prompt_embeddings,
                         use_prompt_embeddings, mask_input, has_mask_input
                         -> mask_logits, iou_predictions, object_score_logits, object_pointer
  memory_encoder.onnx    image_embed, mask_logits, object_score_logits -> memory_features
"""
import argparse
import copy
import inspect
import json
import os
import sys

import numpy as np
import torch
from torch import nn

from training.train.checkpoint import load_model
from training.export.file_hash import sha256
from training.model.config import ModelConfig
from training.model.model import Sam2Rad

OPSET = 17
PRESETS = {"small": ModelConfig, "full-size": ModelConfig.full_size}
# Classes whose masks the runtime draws as a fitted shape: HC18's fetal head outlines are ellipses (and
# head circumference is measured on an ellipse fit).
SHAPE_PRIORS = {"fetal_head": "ellipse"}


class PromptPredictorGraph(nn.Module):
    def __init__(self, model: Sam2Rad):
        super().__init__()
        self.ppn = model.prompt_predictor

    def forward(self, image_embed, class_index):
        return self.ppn(image_embed, class_index)


class MaskDecoderGraph(nn.Module):
    def __init__(self, model: Sam2Rad):
        super().__init__()
        self.model = model

    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels,
                prompt_embeddings, use_prompt_embeddings, mask_input, has_mask_input):
        return self.model.decode_graph(image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels,
                                       prompt_embeddings, use_prompt_embeddings, mask_input, has_mask_input)


def with_refiner_branch(graph: MaskDecoderGraph, args: tuple) -> torch.jit.ScriptModule:
    """The mask refiner skips its work when no object has a human prompt. Tracing alone would freeze that
    branch to the probe's case, so the refiner is scripted (its `if` becomes an ONNX If) and the rest of
    the decoder traced around it, on a copy of the model."""
    model = copy.deepcopy(graph.model)
    model.mask_decoder.refiner = torch.jit.script(model.mask_decoder.refiner)
    return torch.jit.trace(MaskDecoderGraph(model), args)


def graph_specs(cfg: ModelConfig):
    """name -> (input specs, output specs); a spec is (tensor name, dtype, shape with 'B'/'P' symbols)."""
    s, e, m4 = cfg.image_size, cfg.embed_size, cfg.mask_size
    d, md, mf, ms = cfg.embed_dim, cfg.memory_dim, cfg.memory_frames, cfg.memory_size
    n_prompts = cfg.ppn_queries - 2
    f = "float32"
    return {
        "image_encoder": ([("image", f, ["B", 3, s, s])],
                          [("high_res_feats_0", f, ["B", 32, s // 4, s // 4]), ("high_res_feats_1", f, ["B", 64, s // 8, s // 8]),
                           ("image_embed", f, ["B", d, e, e])]),
        "memory_attention": ([("image_embed", f, ["B", d, e, e]), ("memory", f, ["B", mf, md, ms, ms]),
                              ("memory_valid", f, ["B", mf]), ("object_pointers", f, ["B", mf, d])],
                             [("conditioned_embed", f, ["B", d, e, e])]),
        "prompt_predictor": ([("image_embed", f, ["B", d, e, e]), ("class_index", "int64", ["B"])],
                             [("box", f, ["B", 4]), ("prompt_embeddings", f, ["B", n_prompts, d]),
                              ("mask_prompt", f, ["B", 1, m4, m4])]),
        "mask_decoder": ([("image_embed", f, ["B", d, e, e]), ("high_res_feats_0", f, ["B", 32, s // 4, s // 4]),
                          ("high_res_feats_1", f, ["B", 64, s // 8, s // 8]), ("point_coords", f, ["B", "P", 2]),
                          ("point_labels", f, ["B", "P"]), ("prompt_embeddings", f, ["B", n_prompts, d]),
                          ("use_prompt_embeddings", f, ["B"]), ("mask_input", f, ["B", 1, m4, m4]),
                          ("has_mask_input", f, ["B"])],
                         [("mask_logits", f, ["B", cfg.num_mask_tokens, m4, m4]),
                          ("iou_predictions", f, ["B", cfg.num_mask_tokens]), ("object_score_logits", f, ["B", 1]),
                          ("object_pointer", f, ["B", d])]),
        "memory_encoder": ([("image_embed", f, ["B", d, e, e]), ("mask_logits", f, ["B", 1, m4, m4]),
                            ("object_score_logits", f, ["B", 1])],
                           [("memory_features", f, ["B", md, ms, ms])]),
    }


def graph_modules(model: Sam2Rad):
    return {
        "image_encoder": model.image_encoder,
        "memory_attention": model.memory_attention,
        "prompt_predictor": PromptPredictorGraph(model),
        "mask_decoder": MaskDecoderGraph(model),
        "memory_encoder": model.memory_encoder,
    }


def probe_tensor(name: str, dtype: str, shape: list[int]) -> torch.Tensor:
    """Deterministic test input, reproducible in any language: sin(0.37 * i + len(name)) * 2.
    Integer/flag inputs get fixed valid values (see parity test)."""
    n = int(np.prod(shape))
    values = np.sin(0.37 * np.arange(n, dtype=np.float64) + len(name)) * 2.0
    special = {
        "class_index": lambda: np.arange(n) % 3,
        "point_labels": lambda: np.array([2, 3, 1, 0, -1][:n] + [1] * max(0, n - 5)),
        "point_coords": lambda: (values * 0.5 + 1.0) * 100.0,
        "memory_valid": lambda: (np.arange(n) % 2 == 0).astype(np.float64),
        "use_prompt_embeddings": lambda: np.ones(n),
        "has_mask_input": lambda: np.ones(n),
    }
    if name in special:
        values = special[name]()
    return torch.tensor(values.reshape(shape), dtype=torch.int64 if dtype == "int64" else torch.float32)


def concrete(shape, b=1, p=5):
    return [b if x == "B" else p if x == "P" else x for x in shape]


def onnx_export(module: nn.Module, args: tuple, path: str, **kwargs) -> None:
    """torch.onnx.export with the TorchScript exporter, which made the shipped graphs; PyTorch >= 2.9
    defaults to the dynamo exporter, and a PyTorch without the old one gets the dynamo exporter."""
    if "dynamo" not in inspect.signature(torch.onnx.export).parameters:
        torch.onnx.export(module, args, path, **kwargs)
        return
    try:
        torch.onnx.export(module, args, path, dynamo=False, **kwargs)
    except Exception as err:  # noqa: BLE001 - any failure of the old exporter: try the new one
        print(f"TorchScript exporter failed ({str(err).splitlines()[0]}); using the dynamo exporter", file=sys.stderr)
        torch.onnx.export(module, args, path, dynamo=True, **kwargs)


def export(model: Sam2Rad, out_dir: str, parity_dir: str | None) -> dict:
    cfg = model.cfg
    os.makedirs(out_dir, exist_ok=True)
    specs = graph_specs(cfg)
    graphs = {}
    parity = {}
    for name, module in graph_modules(model).items():
        inputs, outputs = specs[name]
        args = tuple(probe_tensor(n, t, concrete(s)) for n, t, s in inputs)
        dynamic = {}
        for n, _, s in inputs + outputs:
            axes = {i: ("batch" if x == "B" else "points") for i, x in enumerate(s) if x in ("B", "P")}
            if axes:
                dynamic[n] = axes
        if name == "mask_decoder":
            module = with_refiner_branch(module, args)
        path = os.path.join(out_dir, f"{name}.onnx")
        onnx_export(module, args, path, opset_version=OPSET, do_constant_folding=True,
                    input_names=[n for n, _, _ in inputs], output_names=[n for n, _, _ in outputs],
                    dynamic_axes=dynamic)
        graphs[name] = {"file": f"{name}.onnx", "sha256": sha256(path), "bytes": os.path.getsize(path),
                        "inputs": {n: {"dtype": t, "shape": s} for n, t, s in inputs},
                        "outputs": {n: {"dtype": t, "shape": s} for n, t, s in outputs}}
        if parity_dir:
            with torch.no_grad():
                result = module(*args)
            result = result if isinstance(result, tuple) else (result,)
            parity[name] = {"inputs": {n: concrete(s) for n, _, s in inputs},
                            "outputs": {n: list(r.shape) for (n, _, _), r in zip(outputs, result)}}
            os.makedirs(parity_dir, exist_ok=True)
            for (n, _, _), r in zip(outputs, result):
                r.numpy().astype("<f4").tofile(os.path.join(parity_dir, f"{name}.{n}.f32"))
    if parity_dir:
        with open(os.path.join(parity_dir, "parity.json"), "w") as f:
            json.dump({"probe": "sin(0.37 * i + len(name)) * 2, special inputs as in training/export/export_onnx.py",
                       "graphs": parity}, f, indent=1)
    return graphs


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.export.export_onnx", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="trained checkpoint (omit for a randomly initialised model)")
    ap.add_argument("--preset", choices=sorted(PRESETS), help="configuration of a randomly initialised model "
                    "(default small; the checkpoint's own configuration when --checkpoint is given)")
    ap.add_argument("--out", required=True, help="model directory to write")
    ap.add_argument("--parity", help="also write parity fixtures (torch outputs on probe inputs) here")
    ap.add_argument("--name", help="model name in the manifest (default sam2rad-us-small, or sam2rad-<preset>)")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--metrics", help="JSON file of dev metrics to record in the manifest")
    args = ap.parse_args()

    if args.checkpoint and args.preset:
        ap.error("--preset is for randomly initialised models; a checkpoint brings its own configuration")
    torch.manual_seed(0)
    training = {"checkpoint": None, "preset": args.preset or "small",
                "note": "randomly initialised: for speed measurements only"}
    if args.checkpoint:
        # Our own checkpoint holds the config and run arguments next to the weights.
        model, cfg, ckpt = load_model(args.checkpoint, "sam2rad")
        training = {"steps": ckpt["steps"], "budget_seconds": ckpt["budget_seconds"], "budget_clock": ckpt["budget_clock"],
                    "args": ckpt["args"],
                    "earlier_stages": ckpt.get("earlier_stages", []),
                    "data": ckpt["data"]}
    else:
        cfg = PRESETS[args.preset or "small"]()
        model = Sam2Rad(cfg)
    model.eval()
    graphs = export(model, args.out, args.parity)
    manifest = {
        "format": "sam2rad-manifest/1",
        "name": args.name or ("sam2rad-us-small" if args.checkpoint or not args.preset else f"sam2rad-{args.preset}"),
        "version": args.version,
        "input": {"image_size": cfg.image_size, "channels": 3, "grey_to_channels": "replicate",
                  "crop": "the ultrasound image cut out of the screen grab (sam2rad roi / --roi auto)",
                  "resize": "letterbox: longest side to image_size (bilinear), pad bottom/right with 0",
                  "pixel_scale": 1 / 255, "pixel_mean": list(cfg.pixel_mean), "pixel_std": list(cfg.pixel_std)},
        "mask": {"size": cfg.mask_size, "threshold_logit": 0.0, "output_index": 0,
                 "shape_priors": {c: p for c, p in SHAPE_PRIORS.items() if c in cfg.classes}},
        "classes": list(cfg.classes),
        "prompts": {"learned_tokens": cfg.ppn_queries - 2, "point_labels": {"padding": -1, "negative": 0,
                    "positive": 1, "box_top_left": 2, "box_bottom_right": 3},
                    "point_coords": "pixels of the image_size x image_size model input",
                    "layout": "[learned box TL, learned box BR, manual prompts...]; unused slots carry label -1"},
        "memory": {"frames": cfg.memory_frames, "conditioning_slots": 1, "dim": cfg.memory_dim,
                   "size": cfg.memory_size, "pointer_dim": cfg.embed_dim,
                   "slots": "0 = conditioning (prompted) frame; 1.. = most recent frames, newest first"},
        "config": cfg.to_dict(),
        "graphs": graphs,
        "training": training,
        "metrics": json.load(open(args.metrics)) if args.metrics else None,
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    total = sum(g["bytes"] for g in graphs.values())
    print(f"exported {len(graphs)} graphs, {total / 1e6:.1f} MB -> {args.out}")


if __name__ == "__main__":
    main()
