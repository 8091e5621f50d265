"""SAM-style prompt encoder.

point_coords [B, P, 2] (x, y in pixels of the S x S model input), point_labels [B, P]
(-1 padding, 0 negative, 1 positive, 2 box top-left, 3 box bottom-right) -> sparse [B, P, 256]
mask_input [B, 1, S/4, S/4] logits, has_mask_input [B] -> dense [B, 256, S/16, S/16]
human point slots -> prompt maps [B, 3, S/4, S/4] (positive clicks, negative clicks, box) for the mask refiner
"""
import torch
from torch import nn

from .attention import LayerNorm2d
from .config import ModelConfig
from .position_encoding import PositionEmbeddingRandom

CLICK_SIGMA = 2.0  # mask pixels (8 model-input pixels at S = 256)


class PromptEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.embed_dim
        self.image_size = cfg.image_size
        self.mask_size = cfg.mask_size
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

    def prompt_maps(self, point_coords: torch.Tensor, point_labels: torch.Tensor):
        """Human prompts drawn at the mask's resolution: channel 0 = positive clicks, 1 = negative clicks (a
        Gaussian of sigma CLICK_SIGMA mask pixels each, summed, at most 1), 2 = inside the box (one box).
        Sums, not maxima, so that no slot at all gives zero maps. -> (maps [B, 3, M, M], has_prompts [B])"""
        m = self.mask_size
        xy = point_coords / (self.image_size / m)  # [B, P, 2] in mask pixels
        centres = torch.arange(m, dtype=xy.dtype) + 0.5
        dx2 = (centres[None, None, :] - xy[..., 0:1]) ** 2  # [B, P, M]
        dy2 = (centres[None, None, :] - xy[..., 1:2]) ** 2
        blobs = torch.exp(-(dy2[..., :, None] + dx2[..., None, :]) / (2 * CLICK_SIGMA ** 2))  # [B, P, M, M]
        labels = point_labels[..., None, None]
        positive = (blobs * (labels == 1).to(xy.dtype)).sum(1).clamp(max=1)
        negative = (blobs * (labels == 0).to(xy.dtype)).sum(1).clamp(max=1)
        top_left = (xy * (point_labels == 2).to(xy.dtype)[..., None]).sum(1)  # [B, 2]
        bottom_right = (xy * (point_labels == 3).to(xy.dtype)[..., None]).sum(1)
        has_box = (point_labels == 2).to(xy.dtype).sum(1).clamp(max=1)
        inside_x = (centres[None] >= top_left[:, :1]) & (centres[None] <= bottom_right[:, :1])  # [B, M]
        inside_y = (centres[None] >= top_left[:, 1:]) & (centres[None] <= bottom_right[:, 1:])
        box = (inside_y[:, :, None] & inside_x[:, None, :]).to(xy.dtype) * has_box[:, None, None]
        has_prompts = (point_labels >= 0).to(xy.dtype).sum(1).clamp(max=1)
        return torch.stack([positive, negative, box], dim=1), has_prompts

    def encode_mask(self, mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> torch.Tensor:
        has = has_mask_input.reshape(-1, 1, 1, 1).to(mask_input.dtype)
        return self.mask_downscaling(mask_input) * has + self.no_mask_embed[None, :, None, None] * (1 - has)
