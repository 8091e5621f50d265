"""Dev-split Dice and IoU of a checkpoint, Sam2Rad or the U-Net baseline, scored as `sam2rad eval` scores:
each image cropped to its ultrasound ROI (as `--roi auto` does) and letterboxed to the model input, the
mask put back into the whole image and scored there. Threshold 0, no shape prior: the exported graphs
through the runtime (`scripts/evaluate-dev.mjs`) give the official figures. Sam2Rad is scored with no
prompt ("auto") and after one simulated correction click ("click").

  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.train.dev_check runs/main/checkpoint.pt
  /usr/bin/python3 -m training.train.dev_check runs/unet/checkpoint.pt --json runs/unet/dev.json --logit-grid 64

--logit-grid 64 first resamples the logits to 64x64 and back (bilinear), as coarse as Sam2Rad's mask
output at image_size 256: what that resolution alone costs a model.
"""
import argparse
import json

import numpy as np
import torch
from torch.nn import functional as F

from training.train.checkpoint import load_model
from training.data.datasets import image_rois, list_samples, load_grey, load_pair
from training.model.config import ModelConfig
from training.model.model import Prompts
from training.train.steps import Correction, empty_bank, normalise, upsample


def overlap(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """-> (Dice, IoU) of two boolean masks; both empty counts as a perfect match."""
    inter = float((pred & truth).sum())
    total = float(pred.sum() + truth.sum())
    if total == 0:
        return 1.0, 1.0
    return 2 * inter / total, inter / (total - inter)


def to_image(logits: torch.Tensor, roi: tuple[int, int, int, int], shape: tuple[int, int],
             logit_grid: int) -> np.ndarray:
    """Letterboxed logits [1, 1, S, S] -> the whole image's boolean mask [H, W] (zero outside the ROI)."""
    s = logits.shape[-1]
    if logit_grid:
        coarse = F.interpolate(logits, size=(logit_grid,) * 2, mode="bilinear", align_corners=False)
        logits = upsample(coarse, s)
    x0, y0, w, h = roi
    scale = s / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    cropped = F.interpolate(logits[:, :, :nh, :nw], size=(h, w), mode="bilinear", align_corners=False)
    pred = np.zeros(shape, bool)
    pred[y0:y0 + h, x0:x0 + w] = (cropped[0, 0] > 0).numpy()
    return pred


@torch.no_grad()
def score(model, kind: str, cfg: ModelConfig, classes: list[str], split: str = "dev", logit_grid: int = 0) -> dict:
    """-> {class: {mode: {"dice", "iou", "count", "images": [{"name", "dice", "iou"}]}}}; modes "auto" and,
    for Sam2Rad, "click"."""
    was_training = model.training
    model.eval()
    s = cfg.image_size
    report = {}
    for ci, c in enumerate(classes):
        images = {"auto": [], "click": []} if kind == "sam2rad" else {"auto": []}
        samples = list_samples(c, split)
        rois = image_rois(samples)
        for sample in samples:
            roi = rois[sample.image_path]
            image, mask = load_pair(sample, s, roi)
            truth = load_grey(sample.mask_path) > 127
            x = normalise(torch.tensor(image, dtype=torch.float32)[None, None], cfg)
            if kind == "unet":
                logits = {"auto": model(x)[:, ci:ci + 1]}
            else:
                prompts = Prompts(torch.zeros(1, 1, 2), -torch.ones(1, 1), torch.ones(1))
                target = torch.tensor(mask, dtype=torch.float32)[None, None]
                out, refined = model.frame(model.image_encoder(x), empty_bank(1, cfg), torch.tensor([ci]), prompts,
                                           refine=Correction(target))
                # an absent object (object score <= 0) shows no mask, as in the runtime
                logits = {mode: upsample(o.mask_logits[:, :1], s) if o.object_score.item() > 0 else -torch.ones(1, 1, s, s)
                          for mode, o in (("auto", out), ("click", refined))}
            for mode, lg in logits.items():
                dice, iou = overlap(to_image(lg, roi, truth.shape, logit_grid), truth)
                images[mode].append({"name": sample.stem, "dice": dice, "iou": iou})
        report[c] = {mode: {"dice": float(np.mean([i["dice"] for i in found])),
                            "iou": float(np.mean([i["iou"] for i in found])), "count": len(found), "images": found}
                     for mode, found in images.items()}
    model.train(was_training)
    return report


def dev_dice(model, kind: str, cfg: ModelConfig, classes: list[str]) -> dict:
    """-> {class: {mode: mean dev Dice, 4 decimals}}: the summary train.py prints at the end of a run."""
    return {c: {mode: round(r["dice"], 4) for mode, r in modes.items()}
            for c, modes in score(model, kind, cfg, classes).items()}


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.train.dev_check", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--split", choices=["dev", "train"], default="dev")
    ap.add_argument("--json", help="also write the per-image report here")
    ap.add_argument("--logit-grid", type=int, default=0, help="pass the logits through an N x N grid (0 = no)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, cfg, ckpt = load_model(args.checkpoint)
    classes = list(cfg.classes)
    report = score(model, ckpt["kind"], cfg, classes, args.split, args.logit_grid)
    for c, modes in report.items():
        print(f"{c}: " + " ".join(f"{mode}={r['dice']:.4f}" for mode, r in modes.items()) + f" n={modes['auto']['count']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"checkpoint": args.checkpoint, "kind": ckpt["kind"], "split": args.split,
                       "logit_grid": args.logit_grid or None, "steps": ckpt["steps"],
                       "budget_seconds": ckpt["budget_seconds"], "budget_clock": ckpt["budget_clock"],
                       "classes": report}, f, indent=2)


if __name__ == "__main__":
    main()
