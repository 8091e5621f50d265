"""Train Sam2Rad (or the U-Net baseline) on the shared ultrasound datasets for a fixed time budget.

  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.train --minutes 60 --out runs/main
  python3 -m training.train --device cuda --data-pack train-320.npz.xz --batch 48 --minutes 7 --out runs/gpu

On cpu the budget is this process's CPU time; on a GPU it is wall-clock time (training/gpu/ runs it
on a GPU machine that has no ../shared, from a pack made by training.data.pack).

Every step is a batch of short sequences: pseudo-cines of still images and, for the lumbar class,
real clips from the sweep (only the labelled last frame is supervised). Frame 0 of a sequence runs
with an empty memory bank; later frames attend to the bank, exactly as the runtime does.
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch

from training.train.checkpoint import lineage
from training.data.batches import TrainingData
from training.data.datasets import LUMBAR_TRAIN_BELOW, STORE, load_pack, load_training_arrays
from training.train.dev_check import dev_dice
from training.model.config import ModelConfig
from training.model.model import Sam2Rad
from training.model.unet import UNet
from training.train.steps import sam2rad_step, unet_step


def restrict_training(model, trainable: str, query_classes: list[str]) -> list:
    """-> the (name, parameter) pairs the optimizer may change."""
    if trainable == "all":
        return list(model.named_parameters())
    model.requires_grad_(False)
    if trainable == "memory":
        # Everything after the image encoder: memory attention and encoder, prompt predictor, decoder.
        for name, module in model.named_children():
            module.requires_grad_(name != "image_encoder")
    elif trainable == "decoder":
        model.prompt_encoder.requires_grad_(True)
        model.mask_decoder.requires_grad_(True)
    elif trainable == "refiner":
        model.mask_decoder.refiner.requires_grad_(True)
    elif trainable == "class-queries":
        keep = [c in query_classes for c in model.cfg.classes]
        train_rows(model.prompt_predictor.class_queries, keep)
        train_rows(model.prompt_predictor.class_query_pe, keep)
    elif trainable == "point-labels":
        # Rows 0-1 (negative/positive point) only: rows 2-3 (box corners) also carry the learned box of auto mode.
        train_rows(model.prompt_encoder.label_embeddings, [True, True, False, False])
    frozen_modules_to_eval(model)
    return [(n, p) for n, p in model.named_parameters() if p.requires_grad]


def train_rows(table, keep: list[bool]) -> None:
    """Trains only the rows of `table` (first dimension) marked in `keep`: the others get a zero gradient,
    and with weight decay off (see `decays` in main) AdamW leaves them exactly as they are."""
    table.requires_grad_(True)
    mask = torch.tensor(keep, dtype=table.dtype).reshape(-1, *[1] * (table.ndim - 1))
    table.register_hook(lambda grad: grad * mask)


def frozen_modules_to_eval(model) -> None:
    """A module with nothing to train runs as at inference: batch norm uses, and keeps, its running statistics
    (in train mode it would re-estimate them from the fine-tuning batches and shift every output)."""
    for module in model.modules():
        params = list(module.parameters())
        if params and not any(p.requires_grad for p in params):
            module.eval()


def batch_norms_to_eval(model) -> None:
    """Every batch norm normalises with, and keeps, its running statistics; its scale and shift still train."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eval()


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["sam2rad", "unet"], default="sam2rad")
    ap.add_argument("--minutes", type=float, default=60.0,
                    help="training budget: CPU minutes of this process (all threads) on cpu, so that runs sharing "
                         "a machine get equal compute; wall-clock minutes on cuda")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = budget only)")
    ap.add_argument("--batch", type=int, default=4, help="sequences per step")
    ap.add_argument("--frames", type=int, default=3, help="frames per sequence (sam2rad)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--images-per-class", type=int, default=0, help="few-shot run (paper 4.7); 0 = all")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (cuda needs PyTorch 2.x)")
    ap.add_argument("--data-pack", help="read the training set from this pack (training.data.pack) instead of ../shared")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--skip-dev", action="store_true", help="skip the quick dev-split check at the end")
    ap.add_argument("--resume", help="continue this checkpoint; its time counts towards --minutes")
    ap.add_argument("--init", help="start from this checkpoint's weights as a new stage (fine-tuning): fresh "
                                   "optimizer, schedule and budget")
    ap.add_argument("--trainable", default="all",
                    choices=["all", "memory", "decoder", "refiner", "point-labels", "class-queries"],
                    help="what a fine-tuning stage changes: everything, everything but the image encoder (memory), the "
                         "prompt encoder + mask decoder, only the "
                         "mask refiner, only the positive/negative point label embeddings (with these two, "
                         "autonomous outputs stay bit-identical), or only the prompt predictor's query tokens of "
                         "--query-classes (the other classes' outputs stay bit-identical)")
    ap.add_argument("--batch-norm", choices=["train", "frozen"], default="train",
                    help="frozen: batch norm keeps the --init checkpoint's running statistics (small fine-tuning batches "
                         "would re-estimate them); its scale and shift still train")
    ap.add_argument("--query-classes", default="",
                    help="with --trainable class-queries: comma-separated classes whose query tokens train")
    ap.add_argument("--correction-p", type=float, default=0.5,
                    help="share of frames that get a second decoder pass with a simulated correction click")
    ap.add_argument("--correction-weight", type=float, default=1.0, help="weight of that pass's mask loss")
    ap.add_argument("--artefact-p", type=float, default=0.0,
                    help="chance that a frame after the first carries an artefact (data/artefacts.py)")
    ap.add_argument("--carry-p", type=float, default=0.0,
                    help="share of batches whose first frame is prompted and corrected and whose later frames run "
                         "autonomously (corrections carried forward by the memory)")
    ap.add_argument("--clip-below", type=int, default=LUMBAR_TRAIN_BELOW,
                    help="use lumbar frames below this raw frame index only (a lower value keeps the end of the "
                         "training range out as a validation fold)")
    ap.add_argument("--click-focus", type=float, default=0.0,
                    help="extra weight of the pixels around the correction click in that loss (0 = whole mask alike)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.device != "cpu":
        # Every tensor the step creates (augmentation, prompts, memory bank) is then made on the GPU.
        torch.set_default_device(args.device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    clock = time.process_time if args.device == "cpu" else time.time
    clock_name = "cpu-process" if args.device == "cpu" else f"wall ({args.device})"
    os.makedirs(args.out, exist_ok=True)
    cfg = ModelConfig()
    classes = list(cfg.classes)
    use_clip = args.model == "sam2rad"
    few = (args.images_per_class, args.seed)
    arrays = (load_pack(args.data_pack, classes, *few) if args.data_pack
              else load_training_arrays(classes, STORE, use_clip, *few))
    data = TrainingData(arrays, classes, use_clip, args.clip_below)
    frames = args.frames if args.model == "sam2rad" else 1
    model = Sam2Rad(cfg) if args.model == "sam2rad" else UNet(len(classes))
    earlier_stages = []
    if args.init:
        init = torch.load(args.init, map_location="cpu", weights_only=False)
        # Modules added to the architecture since that checkpoint start from their own initialisation.
        loaded = model.load_state_dict(init["state_dict"], strict=False)
        if loaded.unexpected_keys:
            raise SystemExit(f"{args.init}: weights this architecture does not have: {', '.join(loaded.unexpected_keys)}")
        if loaded.missing_keys:
            print(f"not in {args.init}, initialised afresh: {', '.join(loaded.missing_keys)}", flush=True)
        # A checkpoint rebuilt from a release (import_onnx.py) says so in its stage record.
        earlier_stages = lineage(init)
    trainable = restrict_training(model, args.trainable, args.query_classes.split(","))
    if args.batch_norm == "frozen":
        batch_norms_to_eval(model)
    decays = lambda p: p.ndim > 1 and args.trainable not in ("point-labels", "class-queries")
    decay = [p for n, p in trainable if decays(p)]
    no_decay = [p for n, p in trainable if not decays(p)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr)
    budget = args.minutes * 60
    start = time.time()
    clock_start = clock()
    step, history = 0, []
    warmup_from = 0
    if args.resume:
        ckpt = torch.load(args.resume, map_location="cpu", weights_only=False)
        model.load_state_dict(ckpt["state_dict"])
        if "optimizer" in ckpt:
            opt.load_state_dict(ckpt["optimizer"])
        else:  # fresh optimizer moments: warm up again
            warmup_from = ckpt["steps"]
        step = ckpt["steps"]
        clock_start -= ckpt["budget_seconds"]
        earlier_stages = ckpt.get("earlier_stages", [])
    log = open(os.path.join(args.out, "train.log"), "a")

    def save(final: bool):
        torch.save({"kind": args.model, "config": cfg.to_dict(), "state_dict": model.state_dict(), "optimizer": opt.state_dict(),
                    "steps": step, "budget_seconds": round(clock() - clock_start), "budget_clock": clock_name,
                    "args": vars(args),
                    "data": data.summary(), "resumed_from_steps": [warmup_from] if warmup_from else [],
                    "earlier_stages": earlier_stages}, os.path.join(args.out, "checkpoint.pt"))

    last_save = start
    while True:
        elapsed = clock() - clock_start
        if elapsed >= budget or (args.max_steps and step >= args.max_steps):
            break
        progress = elapsed / budget
        lr = args.lr * min(1.0, (step - warmup_from + 1) / 50) * (0.5 * (1 + math.cos(math.pi * progress)) * 0.95 + 0.05)
        for g in opt.param_groups:
            g["lr"] = lr
        images, masks, weights, cls = data.batch(args.batch, frames, cfg.image_size, args.artefact_p)
        if args.model == "sam2rad":
            loss = sam2rad_step(model, images, masks, weights, cls, args.correction_p, args.correction_weight,
                                args.click_focus, args.carry_p)
        else:
            loss = unet_step(model, images, masks, weights, cls, cfg)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        history.append(loss.item())
        if step % args.log_every == 0:
            line = (f"step {step} budget={elapsed:.0f}s wall={time.time() - start:.0f}s lr={lr:.2e} "
                    f"loss={np.mean(history[-args.log_every:]):.4f}")
            print(line, flush=True)
            log.write(line + "\n")
            log.flush()
        if time.time() - last_save > 300:
            save(False)
            last_save = time.time()
    save(True)
    dice = None if args.skip_dev else dev_dice(model, args.model, cfg, classes)
    summary = {"steps": step, "budget_seconds": round(clock() - clock_start), "budget_clock": clock_name,
               "wall_seconds": round(time.time() - start), "first_loss": history[0] if history else None,
               "last_loss": float(np.mean(history[-20:])) if history else None, "dev_dice_quick": dice,
               "data": data.summary()}
    print(json.dumps(summary), flush=True)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
