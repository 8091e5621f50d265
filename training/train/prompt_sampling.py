"""Simulated human prompts for training: ground-truth boxes (with jitter) and clicks.

A correction click goes to the interior of the largest error region (the deepest point of the error
set): positive where the model missed the object, negative where it over-segmented. The runtime's
`eval --clicks` uses the same rule.
"""
import torch
from torch.nn import functional as F


def box_from_mask(mask: torch.Tensor):
    """mask [B, 1, S, S] -> (box [B, 4] normalised x0 y0 x1 y1, present [B] bool)."""
    b, _, s, _ = mask.shape
    m = mask[:, 0] > 0.5
    present = m.flatten(1).any(1)
    cols, rows = m.any(1).float(), m.any(2).float()
    idx = torch.arange(s, dtype=torch.float32)
    big = float(s)
    x0 = torch.where(cols > 0, idx, big).min(1).values
    x1 = torch.where(cols > 0, idx, -1.0).max(1).values + 1
    y0 = torch.where(rows > 0, idx, big).min(1).values
    y1 = torch.where(rows > 0, idx, -1.0).max(1).values + 1
    box = torch.stack([x0, y0, x1, y1], 1) / s
    return torch.where(present[:, None], box, torch.zeros_like(box)), present


def jitter_box(box: torch.Tensor) -> torch.Tensor:
    """SAM-style noise: each side moves by up to 10 % of the box size."""
    wh = (box[:, 2:] - box[:, :2]).repeat(1, 2)
    return (box + torch.randn_like(box) * 0.1 * wh.clamp(max=0.3)).clamp(0, 1)


def deepest_point(region: torch.Tensor, iterations: int = 24):
    """region [B, 1, S, S] binary -> (xy [B, 2] in pixels, found [B]). Depth by repeated erosion."""
    depth = torch.zeros_like(region)
    current = region
    for _ in range(iterations):
        depth = depth + current
        current = -F.max_pool2d(-current, 3, 1, 1)
        if current.sum() == 0:
            break
    b, _, s, _ = region.shape
    flat = depth.flatten(1) + torch.rand_like(depth.flatten(1)) * 0.5 * (depth.flatten(1) > 0)
    idx = flat.argmax(1)
    xy = torch.stack([(idx % s).float(), (idx // s).float()], 1)
    return xy, region.flatten(1).any(1)


def correction_click(mask_logits_full: torch.Tensor, target: torch.Tensor):
    """-> (xy [B, 2], label [B]) label 1 at a missed region, 0 at an over-segmented one, -1 if perfect."""
    pred = (mask_logits_full > 0).float()
    tgt = (target > 0.5).float()
    missed, extra = tgt * (1 - pred), pred * (1 - tgt)
    xy_m, found_m = deepest_point(missed)
    xy_e, found_e = deepest_point(extra)
    # Compare the depth of both candidates by area as a cheap proxy for region size.
    prefer_missed = missed.flatten(1).sum(1) >= extra.flatten(1).sum(1)
    use_missed = (prefer_missed & found_m) | (~found_e & found_m)
    xy = torch.where(use_missed[:, None], xy_m, xy_e)
    label = torch.where(use_missed, 1.0, torch.where(found_e, 0.0, -1.0))
    return xy, label


def random_points_inside(target: torch.Tensor, count: int):
    """Positive clicks at random object pixels (manual-only point prompts): xy [B, count, 2], labels."""
    b, _, s, _ = target.shape
    flat = (target.flatten(1) > 0.5).float()
    present = flat.any(1)
    weights = torch.where(present[:, None], flat, torch.ones_like(flat))
    idx = torch.multinomial(weights, count, replacement=True)
    xy = torch.stack([(idx % s).float(), (idx // s).float()], 2)
    labels = torch.where(present[:, None], torch.ones(b, count), -torch.ones(b, count))
    return xy, labels
