"""SAM-style prompt encoder.

point_coords [B, P, 2] (x, y in pixels of the S x S model input), point_labels [B, P]
(-1 padding, 0 negative, 1 positive, 2 box top-left, 3 box bottom-right) -> sparse [B, P, 256]
mask_input [B, 1, S/4, S/4] logits, has_mask_input [B] -> dense [B, 256, S/16, S/16]
"""
import torch
from torch import nn

from .attention import LayerNorm2d
from .config import ModelConfig
from .position_encoding import PositionEmbeddingRandom


class PromptEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.embed_dim
        self.image_size = cfg.image_size
        self.pe = PositionEmbeddingRandom(d // 2)
        self.label_embeddings = nn.Parameter(torch.randn(4, d) * 0.02)  # neg, pos, box TL, box BR
        self.not_a_point_embed = nn.Parameter(torch.randn(d) * 0.02)
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, 4, 2, 2), LayerNorm2d(4), nn.GELU(),
            nn.Conv2d(4, 16, 2, 2), LayerNorm2d(16), nn.GELU(),
            nn.Conv2d(16, d, 1))
        self.no_mask_embed = nn.Parameter(torch.randn(d) * 0.02)
        self.register_buffer("dense_pe", self.pe.grid(cfg.embed_size, cfg.embed_size))

    def encode_points(self, point_coords: torch.Tensor, point_labels: torch.Tensor) -> torch.Tensor:
        coords = (point_coords + 0.5) / self.image_size
        pe = self.pe(coords)
        labels = point_labels.long()
        is_pad = (labels < 0).unsqueeze(-1).to(pe.dtype)
        label_embed = self.label_embeddings[labels.clamp(min=0)]
        return (pe + label_embed) * (1 - is_pad) + self.not_a_point_embed * is_pad

    def encode_mask(self, mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> torch.Tensor:
        has = has_mask_input.reshape(-1, 1, 1, 1).to(mask_input.dtype)
        return self.mask_downscaling(mask_input) * has + self.no_mask_embed[None, :, None, None] * (1 - has)
