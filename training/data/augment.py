"""Batched augmentation on letterboxed frames, and pseudo-cines made from still images.

Geometric (paper 4.2): flips, +-20 % translation, rotation in [-90, 90], random resized crop.
Ultrasound-specific: speckle re-drawn per frame, gain and gamma, a time-gain-compensation ramp over
depth, and depth crop (the far field cut off). Pseudo-cines add smooth random probe motion and, in
some sequences, a stretch where the object leaves the view.
"""
import math

import torch
from torch.nn import functional as F


def _rotation_scale(angle, scale, tx, ty, flip_x, flip_y):
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(angle.shape[0], 3, 3)
    theta[:, 0, 0] = cos * scale * flip_x
    theta[:, 0, 1] = -sin * scale * flip_y
    theta[:, 1, 0] = sin * scale * flip_x
    theta[:, 1, 1] = cos * scale * flip_y
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    theta[:, 2, 2] = 1
    return theta


def random_base_pose(n: int, strength: float = 1.0) -> torch.Tensor:
    """[n, 3, 3] maps output to input coordinates in [-1, 1]."""
    u = lambda lo, hi: torch.empty(n).uniform_(lo, hi)
    big_rot = torch.rand(n) < 0.3 * strength
    angle = torch.where(big_rot, u(-90, 90), u(-12, 12) * strength) * math.pi / 180
    scale = torch.where(torch.rand(n) < 0.5 * strength, u(0.6, 1.1), torch.ones(n))
    move = torch.rand(n) < 0.5 * strength
    tx = torch.where(move, u(-0.4, 0.4), torch.zeros(n))
    ty = torch.where(move, u(-0.4, 0.4), torch.zeros(n))
    flip_x = torch.where(torch.rand(n) < 0.5 * strength, -1.0, 1.0)
    flip_y = torch.where(torch.rand(n) < 0.2 * strength, -1.0, 1.0)
    return _rotation_scale(angle, scale, tx, ty, flip_x, flip_y)


def probe_motion(n: int, frames: int, leave_view_p: float) -> torch.Tensor:
    """Smooth per-frame drift [n, T, 3, 3]; some sequences slide the object out of view at the end."""
    steps = []
    pose = torch.eye(3).expand(n, 3, 3).clone()
    velocity = torch.randn(n, 4) * torch.tensor([0.025, 0.025, 0.02, 0.015])  # tx, ty, angle, log-scale
    leave = torch.rand(n) < leave_view_p
    for t in range(frames):
        if t > 0:
            velocity = 0.7 * velocity + 0.3 * torch.randn(n, 4) * torch.tensor([0.025, 0.025, 0.02, 0.015])
            step = _rotation_scale(velocity[:, 2], torch.exp(velocity[:, 3]), velocity[:, 0], velocity[:, 1],
                                   torch.ones(n), torch.ones(n))
            pose = pose @ step
        frame_pose = pose.clone()
        if t == frames - 1:
            frame_pose[leave, 0, 2] += torch.sign(torch.randn(int(leave.sum()))) * 2.2
        steps.append(frame_pose)
    return torch.stack(steps, 1)


def warp(images: torch.Tensor, theta: torch.Tensor, size: int) -> torch.Tensor:
    """images [N, C, H, W], theta [N, 3, 3] -> [N, C, size, size]."""
    grid = F.affine_grid(theta[:, :2], [images.shape[0], images.shape[1], size, size], align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def photometric(images: torch.Tensor, per_sequence: int) -> tuple[torch.Tensor, torch.Tensor]:
    """images [N*T, 1, S, S] in [0, 1]; parameters shared within each run of `per_sequence` frames.
    Returns the images and a depth-visibility mask (0 below a depth crop) to apply to targets too."""
    n_total, _, s, _ = images.shape
    n = n_total // per_sequence
    rep = lambda x: x.repeat_interleave(per_sequence, 0)
    gain = rep(torch.empty(n).uniform_(0.7, 1.3))[:, None, None, None]
    gamma = rep(torch.empty(n).uniform_(0.7, 1.4))[:, None, None, None]
    depth = torch.linspace(-0.5, 0.5, s)[None, None, :, None]
    tgc = 1 + rep(torch.empty(n).uniform_(-0.6, 0.6))[:, None, None, None] * depth
    cut = rep(torch.where(torch.rand(n) < 0.2, torch.empty(n).uniform_(0.55, 0.95), torch.full((n,), 2.0)))
    visible = (torch.linspace(0, 1, s)[None, None, :, None] < cut[:, None, None, None]).float()
    sigma = rep(torch.empty(n).uniform_(0.0, 0.3))[:, None, None, None]
    speckle = F.avg_pool2d(torch.randn_like(images), 3, 1, 1) * 3  # grainy, roughly unit variance
    out = (images.clamp(0, 1) ** gamma) * gain * tgc * (1 + sigma * speckle)
    return (out * visible).clamp(0, 1), visible
