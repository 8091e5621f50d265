"""SAM2 mask decoder: two-way transformer over prompt tokens and the image, hypernetwork mask heads.

image_embed [B, 256, E, E], high_res_feats_0 [B, 32, 4E, 4E], high_res_feats_1 [B, 64, 2E, 2E],
sparse [B, P, 256], dense [B, 256, E, E], dense_pe [256, E, E],
prompt_maps [B, 3, 4E, 4E], has_prompts [B] (human prompts only, for the mask refiner)
-> mask_logits [B, M, 4E, 4E], iou_predictions [B, M], object_score_logits [B, 1], object_pointer [B, 256]
Mask 0 is the single-mask output; masks 1.. are SAM's multimask outputs for ambiguous prompts.
"""
import torch
from torch import nn
from torch.nn import functional as F

from .attention import MLP, LayerNorm2d
from .config import ModelConfig
from .mask_refiner import MaskRefiner
from .two_way_transformer import TwoWayTransformer


class MaskDecoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.embed_dim
        self.num_mask_tokens = cfg.num_mask_tokens
        self.obj_score_token = nn.Parameter(torch.randn(1, d) * 0.02)
        self.iou_token = nn.Parameter(torch.randn(1, d) * 0.02)
        self.mask_tokens = nn.Parameter(torch.randn(cfg.num_mask_tokens, d) * 0.02)
        self.transformer = TwoWayTransformer(cfg.decoder_depth, d, heads=8, mlp_dim=512)
        self.upscale1 = nn.ConvTranspose2d(d, 64, 2, 2)
        self.upscale_norm = LayerNorm2d(64)
        self.upscale0 = nn.ConvTranspose2d(64, 32, 2, 2)
        self.hypernetworks = nn.ModuleList(MLP(d, d, 32, 3) for _ in range(cfg.num_mask_tokens))
        self.iou_head = MLP(d, d, cfg.num_mask_tokens, 3)
        self.obj_score_head = MLP(d, d, 1, 3)
        self.obj_ptr_proj = MLP(d, d, d, 3)
        self.refiner = MaskRefiner(32)

    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, sparse, dense, dense_pe, prompt_maps,
                has_prompts):
        b, c, h, w = image_embed.shape
        out_tokens = torch.cat([self.obj_score_token, self.iou_token, self.mask_tokens], dim=0)
        tokens = torch.cat([out_tokens[None].expand(b, -1, -1), sparse], dim=1)
        src = (image_embed + dense).flatten(2).transpose(1, 2)
        pos = dense_pe.flatten(1).t()[None].expand(b, -1, -1)
        hs, src = self.transformer(tokens, src, pos)
        obj_token, iou_token = hs[:, 0], hs[:, 1]
        mask_token_out = hs[:, 2:2 + self.num_mask_tokens]

        src = src.transpose(1, 2).reshape(b, c, h, w)
        up = F.gelu(self.upscale_norm(self.upscale1(src) + high_res_feats_1))
        up = F.gelu(self.upscale0(up) + high_res_feats_0)  # [B, 32, 4E, 4E]
        hyper = torch.stack([mlp(mask_token_out[:, i]) for i, mlp in enumerate(self.hypernetworks)], dim=1)
        mask_logits = torch.matmul(hyper, up.flatten(2)).reshape(b, self.num_mask_tokens, 4 * h, 4 * w)
        mask_logits = self.refiner(up, prompt_maps, has_prompts, mask_logits)
        iou = self.iou_head(iou_token)
        obj_score = self.obj_score_head(obj_token)
        obj_ptr = self.obj_ptr_proj(mask_token_out[:, 0])
        return mask_logits, iou, obj_score, obj_ptr
