"""One training step of Sam2Rad (a batch of sequences through memory, with sampled human prompts and a
correction pass) or of the U-Net baseline, and the losses of one frame (paper eq. 1-2)."""
import random

import torch
from torch.nn import functional as F

from training.train.losses import box_loss, focal_loss, mask_iou, mask_loss
from training.train.prompt_sampling import box_from_mask, correction_click, jitter_box, random_points_inside
from training.model.config import ModelConfig
from training.model.model import Prompts, Sam2Rad
from training.model.unet import UNet


def normalise(images: torch.Tensor, cfg: ModelConfig) -> torch.Tensor:
    """[N, 1, S, S] grey in [0, 1] -> [N, 3, S, S] normalised as the manifest says."""
    mean = torch.tensor(cfg.pixel_mean)[None, :, None, None]
    std = torch.tensor(cfg.pixel_std)[None, :, None, None]
    return (images.expand(-1, 3, -1, -1) - mean) / std


def sample_prompts(target: torch.Tensor, present: torch.Tensor, size: int, human: bool = False) -> Prompts:
    """Per sample: auto (learned only), auto + GT box, manual box, or manual clicks; `human` leaves out
    auto wherever the object is present."""
    b = target.shape[0]
    odds = [0.0, 0.35, 0.25, 0.4] if human else [0.5, 0.2, 0.15, 0.15]
    mode = torch.multinomial(torch.tensor(odds), b, replacement=True)
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

    def __init__(self, target_full: torch.Tensor, focus: float = 0.0):
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

    def pixel_weight(self) -> torch.Tensor | None:
        """[B, 1, S, S]: 1 + focus * a Gaussian (sigma S/32) at the click, 1 where there was none; None
        (every pixel alike) without focus."""
        if self.focus == 0:
            return None
        xy, label = self.click
        s = self.target_full.shape[-1]
        grid = torch.arange(s, dtype=torch.float32)
        d2 = (grid[None, None, :] - xy[:, 0, None, None]) ** 2 + (grid[None, :, None] - xy[:, 1, None, None]) ** 2
        bump = torch.exp(-d2 / (2 * (s / 32) ** 2)) * (label >= 0).float()[:, None, None]
        return (1 + self.focus * bump)[:, None]


def upsample(logits: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(logits, size=(size, size), mode="bilinear", align_corners=False)


def object_mask_loss(logits, target, present, pixel_weight=None) -> torch.Tensor:
    """mask_loss where the object is present; focal only where it is absent (Dice of an empty target
    says nothing). [B]"""
    return torch.where(present, mask_loss(logits, target, pixel_weight),
                       20 * focal_loss(logits, target, pixel_weight=pixel_weight))


def frame_losses(out, correction, target, weight, cfg: ModelConfig, correction_weight: float) -> torch.Tensor:
    s = cfg.image_size
    box_t, present = box_from_mask(target)
    pres = present.float()
    w = weight
    full = upsample(out.mask_logits, s)
    loss_main = object_mask_loss(full[:, :1], target, present)
    multi = torch.stack([mask_loss(full[:, i:i + 1], target) for i in range(1, cfg.num_mask_tokens)], 1)
    loss_multi = multi.min(1).values * pres
    ious = torch.stack([mask_iou(full[:, i:i + 1], target) for i in range(cfg.num_mask_tokens)], 1)
    loss_iou = F.mse_loss(out.iou, ious.detach(), reduction="none").mean(1)
    prompt_full = upsample(out.mask_prompt, s)
    loss_prompt = mask_loss(prompt_full, target) * pres
    loss_box = box_loss(out.box, box_t) * pres
    loss_obj = F.binary_cross_entropy_with_logits(out.object_score[:, 0], pres, reduction="none")
    total = loss_main + loss_multi + loss_iou + loss_prompt + loss_box + loss_obj
    if correction is not None:
        refined, corrector = correction
        refined_full = upsample(refined.mask_logits[:, :1], s)
        total = total + correction_weight * object_mask_loss(refined_full, target, present, corrector.pixel_weight())
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


def autonomous(b: int) -> Prompts:
    """The learned prompts alone: a frame after a correction, in semi mode with nothing drawn on it."""
    return Prompts(torch.zeros(b, 4, 2), -torch.ones(b, 4), torch.ones(b))


def has_human_prompt(prompts: Prompts) -> torch.Tensor:
    """[B] bool: a box corner or a click among the manual slots (what makes a runtime frame conditioning)."""
    return (prompts.point_labels >= 0).any(1)


def sam2rad_step(model: Sam2Rad, images, masks, weights, cls, correction_p: float, correction_weight: float,
                 click_focus: float, carry_p: float = 0.0):
    """A batch of sequences through the memory, the model's own outputs stored as the runtime stores them.
    A frame with a human prompt (or a correction) becomes the conditioning memory. With probability
    carry_p the batch is a carry-forward batch: frame 0 is prompted and corrected, the later frames run
    autonomously, so their loss teaches the memory to follow the correction."""
    cfg = model.cfg
    b, t = images.shape[:2]
    # A frozen encoder (no trainable parameter) runs without a graph: the memory stages train several times faster.
    with torch.set_grad_enabled(any(p.requires_grad for p in model.image_encoder.parameters())):
        feats = model.image_encoder(normalise(images.flatten(0, 1), cfg))
    feats = [f.reshape(b, t, *f.shape[1:]) for f in feats]
    bank = empty_bank(b, cfg)
    carry = random.random() < carry_p
    total = 0.0
    for i in range(t):
        target = masks[:, i]
        _, present = box_from_mask(target)
        if carry and i > 0:
            prompts, corrector = autonomous(b), None
        else:
            prompts = sample_prompts(target, present, cfg.image_size, human=carry)
            corrector = Correction(target, click_focus) if carry or random.random() < correction_p else None
        frame_feats = [f[:, i] for f in feats]
        out, refined = model.frame(frame_feats, bank, cls, prompts, refine=corrector)
        correction = (refined, corrector) if corrector else None
        total = total + frame_losses(out, correction, target, weights[:, i], cfg, correction_weight)
        if i < t - 1:
            final = refined or out
            memory = model.memory_encoder(frame_feats[2], final.mask_logits[:, :1], final.object_score)
            conditioning = has_human_prompt(prompts)
            if corrector:
                conditioning = conditioning | (corrector.click[1] >= 0)
            bank = push_memory(bank, memory, final.object_pointer, conditioning)
    return total / t


def unet_step(model: UNet, images, masks, weights, cls, cfg: ModelConfig):
    logits = model(normalise(images[:, 0], cfg))
    chosen = logits.gather(1, cls[:, None, None, None].expand(-1, 1, *logits.shape[-2:]))
    return mask_loss(chosen, masks[:, 0]).mean()
