"""Image encoder: a small hierarchical conv backbone + FPN neck with SAM2's output contract.

image [B, 3, S, S] -> high_res_feats_0 [B, 32, S/4, S/4], high_res_feats_1 [B, 64, S/8, S/8],
                      image_embed [B, 256, S/16, S/16]
"""
import torch
from torch import nn
from torch.nn import functional as F

from .attention import Attention
from .config import ModelConfig
from .position_encoding import sine_grid


def conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2 if stride == 1 else (k - stride + 1) // 2,
                                   groups=groups, bias=False), nn.BatchNorm2d(cout))


class ConvBlock(nn.Module):
    """Depthwise 5x5 + pointwise MLP with a residual (ConvNeXt-style, BatchNorm so it folds at export)."""

    def __init__(self, dim: int, expand: int = 3):
        super().__init__()
        self.dw = conv_bn(dim, dim, 5, groups=dim)
        self.pw1 = nn.Conv2d(dim, dim * expand, 1)
        self.pw2 = nn.Conv2d(dim * expand, dim, 1)

    def forward(self, x):
        return x + self.pw2(F.gelu(self.pw1(self.dw(x))))


class GlobalAttentionBlock(nn.Module):
    """Transformer block over all S/16 positions: lets every patch see the whole frame."""

    def __init__(self, dim: int, size: int, heads: int = 4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))
        self.register_buffer("pos", sine_grid(dim, size, size).flatten(1).t()[None])

    def forward(self, x):
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)
        n = self.norm1(t)
        t = t + self.attn(n + self.pos, n + self.pos, n)
        t = t + self.mlp(self.norm2(t))
        return t.transpose(1, 2).reshape(b, c, h, w)


class ImageEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        w4, w8, w16 = cfg.encoder_widths
        d4, d8, d16 = cfg.encoder_depths
        self.stem = nn.Sequential(conv_bn(3, 16, 3, 2), nn.GELU(), conv_bn(16, w4, 3, 2), nn.GELU())
        self.stage4 = nn.Sequential(*[ConvBlock(w4) for _ in range(d4)])
        self.down8 = conv_bn(w4, w8, 2, 2)
        self.stage8 = nn.Sequential(*[ConvBlock(w8) for _ in range(d8)])
        self.down16 = conv_bn(w8, w16, 2, 2)
        self.stage16 = nn.Sequential(*[ConvBlock(w16) for _ in range(d16)],
                                     *[GlobalAttentionBlock(w16, cfg.embed_size)
                                       for _ in range(cfg.encoder_global_attention)])
        # FPN neck, top-down: stride 16 -> 8 -> 4, reduced to SAM2's 256 / 64 / 32 channels.
        self.neck16 = nn.Conv2d(w16, cfg.embed_dim, 1)
        self.lateral8 = nn.Conv2d(w8, 64, 1)
        self.top_down8 = nn.Conv2d(cfg.embed_dim, 64, 1)
        self.lateral4 = nn.Conv2d(w4, 32, 1)
        self.top_down4 = nn.Conv2d(64, 32, 1)

    def forward(self, image: torch.Tensor):
        f4 = self.stage4(self.stem(image))
        f8 = self.stage8(self.down8(f4))
        f16 = self.stage16(self.down16(f8))
        image_embed = self.neck16(f16)
        feats1 = self.lateral8(f8) + F.interpolate(self.top_down8(image_embed), scale_factor=2.0, mode="nearest")
        feats0 = self.lateral4(f4) + F.interpolate(self.top_down4(feats1), scale_factor=2.0, mode="nearest")
        return feats0, feats1, image_embed
