"""Position encodings: SAM's random-Fourier encoding for prompts and a fixed 2-D sine grid."""
import math

import torch
from torch import nn


class PositionEmbeddingRandom(nn.Module):
    """Random-Fourier features of normalised (x, y) in [0, 1]: [..., 2] -> [..., 2 * num_feats]."""

    def __init__(self, num_feats: int):
        super().__init__()
        self.register_buffer("gaussian_matrix", torch.randn(2, num_feats))

    def forward(self, coords01: torch.Tensor) -> torch.Tensor:
        coords = (2 * coords01 - 1) @ self.gaussian_matrix * (2 * math.pi)
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)

    def grid(self, h: int, w: int) -> torch.Tensor:
        """Dense encoding of a h x w grid at cell centres: [C, h, w]."""
        ys = (torch.arange(h, dtype=torch.float32) + 0.5) / h
        xs = (torch.arange(w, dtype=torch.float32) + 0.5) / w
        yy, xx = torch.meshgrid(ys, xs, indexing="ij")
        return self.forward(torch.stack([xx, yy], dim=-1)).permute(2, 0, 1)


def sine_grid(channels: int, h: int, w: int, temperature: float = 10000.0) -> torch.Tensor:
    """Fixed 2-D sine/cosine encoding (as SAM2's PositionEmbeddingSine): [channels, h, w]."""
    assert channels % 4 == 0
    quarter = channels // 4
    dim_t = temperature ** (torch.arange(quarter, dtype=torch.float32) / quarter)
    ys = (torch.arange(h, dtype=torch.float32) + 0.5) / h * 2 * math.pi
    xs = (torch.arange(w, dtype=torch.float32) + 0.5) / w * 2 * math.pi
    py = ys[:, None] / dim_t
    px = xs[:, None] / dim_t
    py = torch.cat([py.sin(), py.cos()], dim=1)  # [h, C/2]
    px = torch.cat([px.sin(), px.cos()], dim=1)  # [w, C/2]
    grid = torch.cat([py[:, None, :].expand(h, w, -1), px[None, :, :].expand(h, w, -1)], dim=-1)
    return grid.permute(2, 0, 1).contiguous()
