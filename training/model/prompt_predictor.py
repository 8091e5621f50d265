"""Prompt Predictor Network (Sam2Rad paper 3.1.1): predicts the prompts SAM would be given.

image_embed [B, 256, E, E], class_index [B] (int64)
-> box [B, 4] (x0, y0, x1, y1 normalised to [0, 1] of the S x S input),
   prompt_embeddings [B, N-2, 256] (sparse prompts), mask_prompt [B, 1, 4E, 4E] (logits, the dense prompt)
"""
import torch
from torch import nn

from .attention import MLP, LayerNorm2d
from .config import ModelConfig
from .position_encoding import sine_grid
from .two_way_transformer import TwoWayBlock


class PromptPredictor(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.embed_dim
        self.class_queries = nn.Parameter(torch.randn(len(cfg.classes), cfg.ppn_queries, d) * 0.1)
        self.class_query_pe = nn.Parameter(torch.randn(len(cfg.classes), cfg.ppn_queries, d) * 0.1)
        self.register_buffer("image_pe", sine_grid(d, cfg.embed_size, cfg.embed_size).flatten(1).t()[None])
        self.blocks = nn.ModuleList(TwoWayBlock(d, 8, 512) for _ in range(cfg.ppn_blocks))
        self.box_head = MLP(2 * d, d, 4, 3)
        self.prompt_proj = nn.Linear(d, d)
        self.mask_head = nn.Sequential(
            nn.ConvTranspose2d(d, 64, 2, 2), LayerNorm2d(64), nn.GELU(),
            nn.ConvTranspose2d(64, 16, 2, 2), nn.GELU(), nn.Conv2d(16, 1, 1))

    def forward(self, image_embed: torch.Tensor, class_index: torch.Tensor):
        b, c, h, w = image_embed.shape
        queries = self.class_queries[class_index]
        query_pe = self.class_query_pe[class_index]
        image = image_embed.flatten(2).transpose(1, 2)
        image_pe = self.image_pe.expand(b, -1, -1)
        for block in self.blocks:
            queries, image = block(queries, image, query_pe, image_pe)
        # Box as centre/size through a sigmoid, then corners: always a valid box inside the frame.
        cxcywh = torch.sigmoid(self.box_head(queries[:, :2].reshape(b, 2 * c)))
        cxcy, wh = cxcywh[:, :2], cxcywh[:, 2:]
        box = torch.cat([(cxcy - wh / 2).clamp(0, 1), (cxcy + wh / 2).clamp(0, 1)], dim=1)
        prompts = self.prompt_proj(queries[:, 2:])
        mask_prompt = self.mask_head(image.transpose(1, 2).reshape(b, c, h, w))
        return box, prompts, mask_prompt
