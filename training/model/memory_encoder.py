"""SAM2 memory encoder: fuses a frame's predicted mask with its features into a 64-d memory.

image_embed [B, 256, E, E], mask_logits [B, 1, 4E, 4E], object_score_logits [B, 1]
-> memory_features [B, 64, E/p, E/p] (p = memory_pool). Its sine position code is fixed and added in
memory attention, together with the slot's temporal code.
"""
import torch
from torch import nn
from torch.nn import functional as F

from .attention import LayerNorm2d
from .config import ModelConfig


class FuserBlock(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dw = nn.Conv2d(dim, dim, 5, padding=2, groups=dim)
        self.norm = LayerNorm2d(dim)
        self.pw1 = nn.Conv2d(dim, dim * 2, 1)
        self.pw2 = nn.Conv2d(dim * 2, dim, 1)

    def forward(self, x):
        return x + self.pw2(F.gelu(self.pw1(self.norm(self.dw(x)))))


class MemoryEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.embed_dim
        self.pool = cfg.memory_pool
        self.mask_downsampler = nn.Sequential(
            nn.Conv2d(1, 4, 2, 2), LayerNorm2d(4), nn.GELU(),
            nn.Conv2d(4, 16, 2, 2), LayerNorm2d(16), nn.GELU(),
            nn.Conv2d(16, d, 1))
        self.pix_feat_proj = nn.Conv2d(d, d, 1)
        self.fuser = nn.Sequential(FuserBlock(d), FuserBlock(d))
        self.out_proj = nn.Conv2d(d, cfg.memory_dim, 1)
        self.no_obj_embed = nn.Parameter(torch.zeros(cfg.memory_dim))

    def forward(self, image_embed, mask_logits, object_score_logits):
        mask = torch.sigmoid(mask_logits) * 20.0 - 10.0  # SAM2's scale for memory masks
        x = self.pix_feat_proj(image_embed) + self.mask_downsampler(mask)
        mem = self.out_proj(self.fuser(x))
        if self.pool > 1:
            mem = F.avg_pool2d(mem, self.pool)
        absent = (object_score_logits <= 0).to(mem.dtype).reshape(-1, 1, 1, 1)
        return mem + absent * self.no_obj_embed[None, :, None, None]
