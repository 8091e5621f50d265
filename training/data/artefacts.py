"""Ultrasound artefacts that a per-frame model cannot see through but a memory can: they hide or corrupt
the anatomy on some frames of a sequence while the target stays the clean frame's mask.

  shadow   an acoustic shadow: a dark band along the beam (image columns), 10-35 % of the width
  gain     a gain drop over the whole frame (x 0.15-0.45)
  speckle  a burst of coarse multiplicative speckle
  dropout  a lost frame (black) or a frozen one (the previous frame repeated)
  liftoff  partial probe lift-off: one side of the image goes dark from the skin line down

The runtime's `sam2rad eval --perturb` (src/app/eval/perturbations.ts) draws the same kinds on clip frames.
"""
import torch
from torch.nn import functional as F

KINDS = ("shadow", "gain", "speckle", "dropout", "liftoff")
# A lost frame is the one artefact nothing but the memory can fill in, so it is drawn most often.
KIND_WEIGHTS = (0.2, 0.15, 0.15, 0.35, 0.15)
BLACK_P = 0.7  # of dropouts: lost (black) rather than frozen


def apply_artefacts(images: torch.Tensor, p: float) -> torch.Tensor:
    """images [B, T, 1, S, S] in [0, 1] -> the same with an artefact on each frame t >= 1 with probability p
    (frame 0 stays clean, so the memory first holds a good frame). One kind per corrupted frame."""
    b, t, _, s, _ = images.shape
    out = images.clone()
    cols = torch.linspace(0, 1, s)
    for i in range(1, t):
        hit = torch.rand(b) < p
        kind = torch.multinomial(torch.tensor(KIND_WEIGHTS), b, replacement=True)
        for k, name in enumerate(KINDS):
            chosen = hit & (kind == k)
            if not chosen.any():
                continue
            frames = out[chosen, i]
            n = frames.shape[0]
            if name == "shadow":
                centre = torch.rand(n)[:, None]
                half = torch.empty(n).uniform_(0.05, 0.175)[:, None]
                band = ((cols[None] - centre).abs() < half).float()  # [n, S] over columns
                band = F.avg_pool1d(band[:, None], 9, 1, 4)[:, 0]  # soft edges
                depth = torch.empty(n).uniform_(0.1, 0.3)[:, None]
                out[chosen, i] = frames * (1 - band * (1 - depth))[:, None, None, :]
            elif name == "gain":
                out[chosen, i] = frames * torch.empty(n).uniform_(0.15, 0.45)[:, None, None, None]
            elif name == "speckle":
                noise = F.interpolate(torch.randn(n, 1, s // 4, s // 4), size=(s, s), mode="nearest")
                out[chosen, i] = (frames * (1 + 0.8 * noise)).clamp(0, 1)
            elif name == "dropout":
                frozen = (torch.rand(n) >= BLACK_P)[:, None, None, None]
                out[chosen, i] = torch.where(frozen, out[chosen, i - 1], torch.zeros_like(frames))
            else:  # liftoff
                edge = torch.empty(n).uniform_(0.3, 0.6)[:, None]
                left = (torch.rand(n) < 0.5)[:, None]
                dark = torch.where(left, cols[None] < edge, cols[None] > 1 - edge).float()
                out[chosen, i] = frames * (1 - 0.9 * dark)[:, None, None, :]
    return out
