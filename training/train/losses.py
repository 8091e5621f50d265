"""Sam2Rad losses (paper eq. 1-2): focal (+ Dice) on masks, L1 + generalised IoU on the box, BCE on presence."""
import torch
from torch.nn import functional as F


def focal_loss(logits, target, alpha: float = 0.25, gamma: float = 2.0, pixel_weight=None):
    """Mean over pixels (weighted by pixel_weight [B, 1, H, W] if given), per sample: [B, 1, H, W] -> [B]."""
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    if pixel_weight is None:
        return loss.flatten(1).mean(1)
    return (loss * pixel_weight).flatten(1).sum(1) / pixel_weight.flatten(1).sum(1)


def dice_loss(logits, target, eps: float = 1.0):
    p = torch.sigmoid(logits).flatten(1)
    t = target.flatten(1)
    return 1 - (2 * (p * t).sum(1) + eps) / (p.sum(1) + t.sum(1) + eps)


def mask_loss(logits, target, pixel_weight=None):
    return 20 * focal_loss(logits, target, pixel_weight=pixel_weight) + dice_loss(logits, target)


def box_loss(pred, target):
    """pred/target [B, 4] x0 y0 x1 y1 normalised -> [B]: L1 + generalised IoU."""
    l1 = (pred - target).abs().sum(1)
    ix0, iy0 = torch.max(pred[:, 0], target[:, 0]), torch.max(pred[:, 1], target[:, 1])
    ix1, iy1 = torch.min(pred[:, 2], target[:, 2]), torch.min(pred[:, 3], target[:, 3])
    inter = (ix1 - ix0).clamp(min=0) * (iy1 - iy0).clamp(min=0)
    area = lambda b: (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    union = area(pred) + area(target) - inter
    iou = inter / union.clamp(min=1e-6)
    ex0, ey0 = torch.min(pred[:, 0], target[:, 0]), torch.min(pred[:, 1], target[:, 1])
    ex1, ey1 = torch.max(pred[:, 2], target[:, 2]), torch.max(pred[:, 3], target[:, 3])
    enclosing = ((ex1 - ex0) * (ey1 - ey0)).clamp(min=1e-6)
    giou = iou - (enclosing - union) / enclosing
    return l1 + (1 - giou)


def mask_iou(logits, target):
    p = (logits > 0).float().flatten(1)
    t = (target > 0.5).float().flatten(1)
    inter = (p * t).sum(1)
    union = p.sum(1) + t.sum(1) - inter
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))
