"""Mask refiner: brings human prompts to the mask's own resolution.

SAM's decoder sees a click only as a token at the S/16 embedding. Thin structures (bone surfaces) are
drawn mostly by the high-resolution path, which a token barely steers: without the refiner, a click moved
the bone logits at the clicked pixel by at most 0.01 (model card, 2.0.0). The refiner adds a residual to
the decoder's logits from the upscaled features, the prompt maps (prompt_encoder.prompt_maps) and the
current logits, and only when the frame has human prompts, so the autonomous output is exactly the
decoder's.

up [B, 32, 4E, 4E], prompt_maps [B, 3, 4E, 4E], has_prompts [B], mask_logits [B, M, 4E, 4E] -> [B, M, 4E, 4E]
"""
import torch
from torch import nn
from torch.nn import functional as F


class MaskRefiner(nn.Module):
    def __init__(self, feature_dim: int = 32, width: int = 24, dilations: tuple = (2, 4, 8)):
        super().__init__()
        self.inp = nn.Conv2d(feature_dim + 3 + 1, width, 3, padding=1)
        # Dilated convolutions: a click at the middle of a missed stretch of bone must reach its ends.
        self.context = nn.ModuleList(nn.Conv2d(width, width, 3, padding=d, dilation=d) for d in dilations)
        self.out = nn.Conv2d(width, 1, 1)
        # Zero start: a refiner added to a trained model changes nothing until it has learned something.
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, up, prompt_maps, has_prompts, mask_logits):
        # Skipped outright when no object in the batch has a human prompt (autonomous frames cost nothing).
        # The export scripts this module so that the branch becomes an ONNX If (export_onnx.py).
        if bool(has_prompts.max() == 0):
            return mask_logits
        x = F.gelu(self.inp(torch.cat([up, prompt_maps, mask_logits[:, :1]], dim=1)))
        for conv in self.context:
            x = x + F.gelu(conv(x))
        return mask_logits + self.out(x) * has_prompts[:, None, None, None]
