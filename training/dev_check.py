"""Quick dev-split Dice of a checkpoint at the letterboxed model resolution (each image cropped to its
ultrasound ROI, as the runtime's `--roi auto` does), without and with one
simulated correction click (the runtime's `sam2rad eval` gives the official numbers, at each image's
own resolution).

  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/dev_check.py runs/main/checkpoint.pt
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint import load_model  # noqa: E402
from data.datasets import image_rois, list_samples, load_pair  # noqa: E402
from sam2rad.config import ModelConfig  # noqa: E402
from sam2rad.model import Prompts  # noqa: E402
from steps import Correction, empty_bank, normalise, upsample  # noqa: E402


def dice(logits: torch.Tensor, target: torch.Tensor) -> float:
    p, t = (logits > 0).float(), (target > 0.5).float()
    return float((2 * (p * t).sum() + 1e-6) / (p.sum() + t.sum() + 1e-6))


@torch.no_grad()
def dev_dice(model, kind: str, cfg: ModelConfig, classes: list[str]) -> dict:
    """-> {class: {"auto": mean Dice, "click": mean Dice after one correction click (Sam2Rad only)}}."""
    model.eval()
    result = {}
    s = cfg.image_size
    absent = -torch.ones(1, 1, s, s)
    for ci, c in enumerate(classes):
        scores = {"auto": [], "click": []} if kind == "sam2rad" else {"auto": []}
        samples = list_samples(c, "dev")
        rois = image_rois(samples)
        for sample in samples:
            image, mask = load_pair(sample, s, rois[sample.image_path])
            x = normalise(torch.tensor(image)[None, None], cfg)
            target = torch.tensor(mask)[None, None]
            if kind == "unet":
                scores["auto"].append(dice(model(x)[:, ci:ci + 1], target))
                continue
            prompts = Prompts(torch.zeros(1, 1, 2), -torch.ones(1, 1), torch.ones(1))
            out, refined = model.frame(model.image_encoder(x), empty_bank(1, cfg), torch.tensor([ci]), prompts,
                                       refine=Correction(target))
            for name, o in (("auto", out), ("click", refined)):
                scores[name].append(dice(upsample(o.mask_logits[:, :1], s) if o.object_score.item() > 0 else absent,
                                         target))
        result[c] = {name: round(float(np.mean(v)), 4) for name, v in scores.items()}
    model.train()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, cfg, ckpt = load_model(args.checkpoint)
    print(json.dumps(dev_dice(model, ckpt["kind"], cfg, list(cfg.classes))))


if __name__ == "__main__":
    main()
