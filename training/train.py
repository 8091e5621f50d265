"""Train Sam2Rad (or the U-Net baseline) on the shared ultrasound datasets for a fixed time budget.

  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/train.py --minutes 60 --out runs/main
  python3 training/train.py --device cuda --data-pack train-320.npz.xz --batch 48 --minutes 7 --out runs/gpu

On cpu the budget is this process's CPU time; on a GPU it is wall-clock time (training/gpu/ runs it
on a GPU machine that has no ../shared, from a pack made by pack_data.py).

Every step is a batch of short sequences: pseudo-cines of still images and, for the lumbar class,
real clips from the sweep (only the labelled last frame is supervised). Frame 0 of a sequence runs
with an empty memory bank; later frames attend to the bank, exactly as the runtime does.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data.augment import photometric, probe_motion, random_base_pose, warp  # noqa: E402
from data.datasets import (CLASS_DATASETS, LUMBAR_TRAIN_BELOW, list_samples, load_pack,  # noqa: E402
                           load_pair, load_training_arrays)
from losses import box_loss, dice_loss, focal_loss, mask_iou, mask_loss  # noqa: E402
from prompt_sampling import (box_from_mask, correction_click, jitter_box,  # noqa: E402
                             random_points_inside)
from sam2rad.config import ModelConfig  # noqa: E402
from sam2rad.model import Prompts, Sam2Rad  # noqa: E402
from sam2rad.unet import UNet  # noqa: E402

STORE = 320  # letterboxed size kept in memory; augmentation resamples it to the model size
CLASS_WEIGHTS = {"fetal_head": 0.4, "lumbar_bone": 0.3, "hip_bone": 0.3}


class TrainingData:
    """Train images per class (and the lumbar sweep) as float tensors in [0, 1], from `arrays` as
    data.datasets.load_training_arrays builds them (or a pack of them)."""

    def __init__(self, arrays: dict, classes: list[str], use_clip: bool):
        self.classes = classes
        self.images, self.masks, self.stems = {}, {}, {}
        for c in classes:
            self.images[c] = torch.tensor(arrays[f"{c}/images"], dtype=torch.float32) / 255
            self.masks[c] = torch.tensor(arrays[f"{c}/masks"], dtype=torch.float32) / 255
            self.stems[c] = [str(s) for s in arrays[f"{c}/stems"]]
        self.clip = None
        if use_clip and "lumbar_bone" in classes:
            self.clip = torch.tensor(arrays["clip"], dtype=torch.float32) / 255
            # labelled train frames: raw frame r is clip frame r - 1
            self.clip_labelled = [(int(s.split("_f")[1]) - 1, i) for i, s in enumerate(self.stems["lumbar_bone"])
                                  if int(s.split("_f")[1]) < LUMBAR_TRAIN_BELOW]

    def summary(self) -> dict:
        return {c: {"dataset": CLASS_DATASETS[c], "train_images": len(self.stems[c])} for c in self.classes}

    def batch(self, batch: int, frames: int, size: int):
        """-> images [B, T, 1, S, S], masks [B, T, 1, S, S], weights [B, T], class_index [B]."""
        weights = [CLASS_WEIGHTS[c] for c in self.classes]
        imgs, msks, wts, cls, is_clip = [], [], [], [], []
        for _ in range(batch):
            ci = random.choices(range(len(self.classes)), weights)[0]
            c = self.classes[ci]
            if c == "lumbar_bone" and self.clip is not None and frames > 1 and random.random() < 0.5:
                frame, i = random.choice(self.clip_labelled)
                gap = random.randint(1, 3)
                idx = [max(0, frame - gap * (frames - 1 - t)) for t in range(frames)]
                imgs.append(self.clip[idx])
                msks.append(torch.zeros(frames, STORE, STORE))
                msks[-1][-1] = self.masks[c][i]
                wts.append(torch.tensor([0.0] * (frames - 1) + [1.0]))
                is_clip.append(True)
            else:
                i = random.randrange(len(self.stems[c]))
                imgs.append(self.images[c][i].expand(frames, -1, -1))
                msks.append(self.masks[c][i].expand(frames, -1, -1))
                wts.append(torch.ones(frames))
                is_clip.append(False)
            cls.append(ci)
        images = torch.stack(imgs)[:, :, None]
        masks = torch.stack(msks)[:, :, None]
        clip = torch.tensor(is_clip)
        motion = probe_motion(batch, frames, leave_view_p=0.15)
        motion[clip] = torch.eye(3)  # real clips carry their own motion
        theta = (random_base_pose(batch)[:, None] @ motion).reshape(-1, 3, 3)
        flat = lambda x: x.reshape(batch * frames, 1, STORE, STORE)
        images = warp(flat(images), theta, size)
        masks = (warp(flat(masks), theta, size) > 0.5).float()
        images, visible = photometric(images, frames)
        masks = masks * visible
        shape = (batch, frames, 1, size, size)
        return images.reshape(shape), masks.reshape(shape), torch.stack(wts), torch.tensor(cls)


def normalise(images: torch.Tensor, cfg: ModelConfig) -> torch.Tensor:
    """[N, 1, S, S] grey in [0, 1] -> [N, 3, S, S] normalised as the manifest says."""
    mean = torch.tensor(cfg.pixel_mean)[None, :, None, None]
    std = torch.tensor(cfg.pixel_std)[None, :, None, None]
    return (images.expand(-1, 3, -1, -1) - mean) / std


def sample_prompts(target: torch.Tensor, present: torch.Tensor, size: int) -> Prompts:
    """Per sample: auto (learned only), auto + GT box, manual box, or manual clicks."""
    b = target.shape[0]
    mode = torch.multinomial(torch.tensor([0.5, 0.2, 0.15, 0.15]), b, replacement=True)
    mode = torch.where(present, mode, torch.zeros_like(mode))
    coords = torch.zeros(b, 4, 2)
    labels = -torch.ones(b, 4)
    box, _ = box_from_mask(target)
    with_box = (mode == 1) | (mode == 2)
    coords[:, :2] = (jitter_box(box) * size).reshape(b, 2, 2)
    labels[:, 0] = torch.where(with_box, 2.0, -1.0)
    labels[:, 1] = torch.where(with_box, 3.0, -1.0)
    clicks, click_labels = random_points_inside(target, 2)
    n_clicks = torch.randint(1, 3, (b,))
    coords[:, 2:] = clicks
    labels[:, 2] = torch.where(mode == 3, click_labels[:, 0], -1.0)
    labels[:, 3] = torch.where((mode == 3) & (n_clicks > 1), click_labels[:, 1], -1.0)
    return Prompts(coords, labels, (mode <= 1).float())


class Correction:
    """A second decoder pass with a simulated correction click. It remembers the click so that the loss can
    weigh the pixels around it: an already good mask leaves the click's region a tiny share of the whole-mask
    loss, and the decoder then learns to ignore clicks."""

    def __init__(self, target_full: torch.Tensor, focus: float):
        self.target_full = target_full  # [B, 1, S, S]
        self.focus = focus
        self.click = None  # (xy [B, 2] pixels, label [B])

    def __call__(self, out, prompts: Prompts) -> Prompts:
        logits = F.interpolate(out.mask_logits[:, :1].detach(), size=self.target_full.shape[-2:], mode="bilinear",
                               align_corners=False)
        xy, label = correction_click(logits, self.target_full)
        self.click = (xy, label)
        return Prompts(torch.cat([prompts.point_coords, xy[:, None]], 1),
                       torch.cat([prompts.point_labels, label[:, None]], 1), prompts.use_learned)

    def pixel_weight(self) -> torch.Tensor:
        """[B, 1, S, S]: 1 + focus * a Gaussian (sigma S/32) at the click; 1 everywhere where there was none."""
        xy, label = self.click
        s = self.target_full.shape[-1]
        grid = torch.arange(s, dtype=torch.float32)
        d2 = (grid[None, None, :] - xy[:, 0, None, None]) ** 2 + (grid[None, :, None] - xy[:, 1, None, None]) ** 2
        bump = torch.exp(-d2 / (2 * (s / 32) ** 2)) * (label >= 0).float()[:, None, None]
        return (1 + self.focus * bump)[:, None]


def upsample(logits: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(logits, size=(size, size), mode="bilinear", align_corners=False)


def frame_losses(out, correction, target, weight, cfg: ModelConfig, correction_weight: float) -> torch.Tensor:
    s = cfg.image_size
    box_t, present = box_from_mask(target)
    pres = present.float()
    w = weight
    full = upsample(out.mask_logits, s)
    loss_main = torch.where(present, mask_loss(full[:, :1], target), 20 * focal_loss(full[:, :1], target))
    multi = torch.stack([mask_loss(full[:, i:i + 1], target) for i in range(1, cfg.num_mask_tokens)], 1)
    loss_multi = multi.min(1).values * pres
    ious = torch.stack([mask_iou(full[:, i:i + 1], target) for i in range(cfg.num_mask_tokens)], 1)
    loss_iou = F.mse_loss(out.iou, ious.detach(), reduction="none").mean(1)
    prompt_full = upsample(out.mask_prompt, s)
    loss_prompt = (20 * focal_loss(prompt_full, target) + dice_loss(prompt_full, target)) * pres
    loss_box = box_loss(out.box, box_t) * pres
    loss_obj = F.binary_cross_entropy_with_logits(out.object_score[:, 0], pres, reduction="none")
    total = loss_main + loss_multi + loss_iou + loss_prompt + loss_box + loss_obj
    if correction is not None:
        refined, corrector = correction
        refined_full = upsample(refined.mask_logits[:, :1], s)
        focus = corrector.pixel_weight()
        total = total + correction_weight * torch.where(present, mask_loss(refined_full, target, focus),
                                                        20 * focal_loss(refined_full, target, pixel_weight=focus))
    return (total * w).sum() / w.sum().clamp(min=1)


def empty_bank(b: int, cfg: ModelConfig):
    m = cfg.memory_size
    return (torch.zeros(b, cfg.memory_frames, cfg.memory_dim, m, m), torch.zeros(b, cfg.memory_frames),
            torch.zeros(b, cfg.memory_frames, cfg.embed_dim))


def push_memory(bank, memory, pointer, as_conditioning: torch.Tensor):
    """Slot 0 takes conditioning frames; slots 1.. are a ring of the most recent frames (newest first)."""
    mem, valid, ptr = bank
    c = as_conditioning.float()
    cm = c[:, None, None, None]
    new_mem = torch.cat([(mem[:, 0] * (1 - cm) + memory * cm)[:, None],
                         torch.where(cm[:, None].bool(), mem[:, 1:], torch.cat([memory[:, None], mem[:, 1:-1]], 1))], 1)
    new_valid = torch.cat([torch.max(valid[:, :1], c[:, None]),
                           torch.where(c[:, None].bool(), valid[:, 1:],
                                       torch.cat([torch.ones_like(valid[:, :1]), valid[:, 1:-1]], 1))], 1)
    cp = c[:, None]
    new_ptr = torch.cat([(ptr[:, 0] * (1 - cp) + pointer * cp)[:, None],
                         torch.where(cp[:, None].bool(), ptr[:, 1:], torch.cat([pointer[:, None], ptr[:, 1:-1]], 1))], 1)
    return new_mem, new_valid, new_ptr


def sam2rad_step(model: Sam2Rad, images, masks, weights, cls, correction_p: float, correction_weight: float,
                 click_focus: float):
    cfg = model.cfg
    b, t = images.shape[:2]
    feats = model.image_encoder(normalise(images.flatten(0, 1), cfg))
    feats = [f.reshape(b, t, *f.shape[1:]) for f in feats]
    bank = empty_bank(b, cfg)
    first_is_conditioning = torch.rand(b) < 0.5
    total = 0.0
    for i in range(t):
        target = masks[:, i]
        _, present = box_from_mask(target)
        prompts = sample_prompts(target, present, cfg.image_size)
        frame_feats = [f[:, i] for f in feats]
        corrector = Correction(target, click_focus) if random.random() < correction_p else None
        out, refined = model.frame(frame_feats, bank, cls, prompts, refine=corrector)
        correction = (refined, corrector) if corrector else None
        total = total + frame_losses(out, correction, target, weights[:, i], cfg, correction_weight)
        if i < t - 1:
            final = refined or out
            memory = model.memory_encoder(frame_feats[2], final.mask_logits[:, :1], final.object_score)
            bank = push_memory(bank, memory, final.object_pointer, first_is_conditioning & (i == 0))
    return total / t


def restrict_training(model, trainable: str) -> list:
    """-> the (name, parameter) pairs the optimizer may change."""
    if trainable == "all":
        return list(model.named_parameters())
    model.requires_grad_(False)
    if trainable == "decoder":
        model.prompt_encoder.requires_grad_(True)
        model.mask_decoder.requires_grad_(True)
    elif trainable == "point-labels":
        # Rows 0-1 (negative/positive point) only: rows 2-3 (box corners) also carry the learned box of auto
        # mode. Their gradient is zeroed and weight decay is off, so AdamW leaves them exactly as they are.
        labels = model.prompt_encoder.label_embeddings
        labels.requires_grad_(True)
        keep_rows = torch.tensor([1.0, 1.0, 0.0, 0.0])[:, None]
        labels.register_hook(lambda grad: grad * keep_rows)
    frozen_modules_to_eval(model)
    return [(n, p) for n, p in model.named_parameters() if p.requires_grad]


def frozen_modules_to_eval(model) -> None:
    """A module with nothing to train runs as at inference: batch norm uses, and keeps, its running statistics
    (in train mode it would re-estimate them from the fine-tuning batches and shift every output)."""
    for module in model.modules():
        params = list(module.parameters())
        if params and not any(p.requires_grad for p in params):
            module.eval()


def unet_step(model: UNet, images, masks, weights, cls, cfg: ModelConfig):
    logits = model(normalise(images[:, 0], cfg))
    chosen = logits.gather(1, cls[:, None, None, None].expand(-1, 1, *logits.shape[-2:]))
    return mask_loss(chosen, masks[:, 0]).mean()


@torch.no_grad()
def dev_dice(model, kind: str, cfg: ModelConfig, classes: list[str]) -> dict:
    """Quick dev Dice at the letterboxed model resolution (the runtime's `eval` gives the official numbers)."""
    model.eval()
    result = {}
    s = cfg.image_size
    for ci, c in enumerate(classes):
        scores = []
        for sample in list_samples(c, "dev"):
            image, mask = load_pair(sample, s)
            x = normalise(torch.tensor(image)[None, None], cfg)
            target = torch.tensor(mask)[None, None]
            if kind == "unet":
                logits = model(x)[:, ci:ci + 1]
            else:
                feats = model.image_encoder(x)
                prompts = Prompts(torch.zeros(1, 1, 2), -torch.ones(1, 1), torch.ones(1))
                out, _ = model.frame(feats, empty_bank(1, cfg), torch.tensor([ci]), prompts)
                logits = upsample(out.mask_logits[:, :1], s) if out.object_score.item() > 0 else -torch.ones(1, 1, s, s)
            p, t = (logits > 0).float(), (target > 0.5).float()
            scores.append(float((2 * (p * t).sum() + 1e-6) / (p.sum() + t.sum() + 1e-6)))
        result[c] = round(float(np.mean(scores)), 4)
    model.train()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    ap.add_argument("--data-pack", help="read the training set from this pack (pack_data.py) instead of ../shared")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--skip-dev", action="store_true", help="skip the quick dev-split check at the end")
    ap.add_argument("--resume", help="continue this checkpoint; its time counts towards --minutes")
    ap.add_argument("--init", help="start from this checkpoint's weights as a new stage (fine-tuning): fresh "
                                   "optimizer, schedule and budget")
    ap.add_argument("--trainable", choices=["all", "decoder", "point-labels"], default="all",
                    help="what a fine-tuning stage changes: everything, the prompt encoder + mask decoder, or only "
                         "the positive/negative point label embeddings (auto and box outputs stay bit-identical)")
    ap.add_argument("--correction-p", type=float, default=0.5,
                    help="share of frames that get a second decoder pass with a simulated correction click")
    ap.add_argument("--correction-weight", type=float, default=1.0, help="weight of that pass's mask loss")
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
    data = TrainingData(arrays, classes, use_clip)
    frames = args.frames if args.model == "sam2rad" else 1
    model = Sam2Rad(cfg) if args.model == "sam2rad" else UNet(len(classes))
    earlier_stages = []
    if args.init:
        init = torch.load(args.init, map_location="cpu", weights_only=False)
        model.load_state_dict(init["state_dict"])
        earlier_stages = init.get("earlier_stages", []) + [
            {k: init[k] for k in ("steps", "budget_seconds", "budget_clock", "args")}]
    trainable = restrict_training(model, args.trainable)
    decays = lambda p: p.ndim > 1 and args.trainable != "point-labels"
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
        images, masks, weights, cls = data.batch(args.batch, frames, cfg.image_size)
        if args.model == "sam2rad":
            loss = sam2rad_step(model, images, masks, weights, cls, args.correction_p, args.correction_weight,
                                args.click_focus)
        else:
            loss = unet_step(model, images, masks, weights, cls, cfg)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        history.append(loss.item())
        if step % args.log_every == 0:
            line = f"step {step} budget={elapsed:.0f}s wall={time.time() - start:.0f}s lr={lr:.2e} loss={np.mean(history[-args.log_every:]):.4f}"
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
