"""Dev-split Dice/IoU of the U-Net baseline, scored like `sam2rad eval`: each image cropped to its
ultrasound ROI (as `--roi auto` does), the mask put back into the whole image and scored there.

  /usr/bin/python3 training/eval_unet.py --checkpoint runs/unet/checkpoint.pt --json runs/unet/dev.json

--logit-grid 64 first resamples the logits to 64x64 and back (bilinear), as coarse as Sam2Rad's mask
output at image_size 256: what that resolution alone costs a model.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint import load_model  # noqa: E402
from data.datasets import image_rois, letterbox, list_samples, load_grey  # noqa: E402
from steps import normalise  # noqa: E402


def overlap(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    inter = float((pred & truth).sum())
    total = float(pred.sum() + truth.sum())
    if total == 0:
        return 1.0, 1.0
    return 2 * inter / total, inter / (total - inter)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--logit-grid", type=int, default=0, help="pass the logits through an N x N grid (0 = no)")
    args = ap.parse_args()
    model, cfg, ckpt = load_model(args.checkpoint, "unet")
    s = cfg.image_size
    report = {"model": "unet", "logit_grid": args.logit_grid or None, "steps": ckpt["steps"], "budget_seconds": ckpt["budget_seconds"], "budget_clock": ckpt["budget_clock"], "classes": {}}
    for ci, c in enumerate(cfg.classes):
        images = []
        samples = list_samples(c, args.split)
        rois = image_rois(samples)
        for sample in samples:
            x0, y0, w, h = rois[sample.image_path]
            grey = load_grey(sample.image_path)[y0:y0 + h, x0:x0 + w]
            truth = load_grey(sample.mask_path) > 127
            x = normalise(torch.tensor(letterbox(grey, s, Image.BILINEAR) / 255.0)[None, None].float(), cfg)
            logits = model(x)[:, ci:ci + 1]
            if args.logit_grid:
                coarse = F.interpolate(logits, size=(args.logit_grid,) * 2, mode="bilinear", align_corners=False)
                logits = F.interpolate(coarse, size=(s, s), mode="bilinear", align_corners=False)
            scale = s / max(h, w)
            nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
            logits = F.interpolate(logits[:, :, :nh, :nw], size=(h, w), mode="bilinear", align_corners=False)
            pred = np.zeros_like(truth)
            pred[y0:y0 + h, x0:x0 + w] = (logits[0, 0] > 0).numpy()
            dice, iou = overlap(pred, truth)
            images.append({"name": sample.stem, "dice": dice, "iou": iou})
        report["classes"][c] = {"dice": float(np.mean([i["dice"] for i in images])),
                                "iou": float(np.mean([i["iou"] for i in images])), "count": len(images),
                                "images": images}
        print(f"{c}: dice={report['classes'][c]['dice']:.4f} n={len(images)}")
    with open(args.json, "w") as f:
        json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
