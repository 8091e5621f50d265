"""Sam2Rad assembled: one video frame through the five modules, exactly as the runtime chains the graphs.

Per frame: image encoder -> memory attention (bank) -> prompt predictor -> prompt encoder + mask decoder
-> memory encoder. Point slots are fixed: [learned box TL, learned box BR, manual points...]; a slot
that is not used carries label -1 (padding), as in SAM.
"""
from dataclasses import dataclass

import torch
from torch import nn

from .config import ModelConfig
from .image_encoder import ImageEncoder
from .mask_decoder import MaskDecoder
from .memory_attention import MemoryAttention
from .memory_encoder import MemoryEncoder
from .prompt_encoder import PromptEncoder
from .prompt_predictor import PromptPredictor


@dataclass
class FrameOutput:
    box: torch.Tensor  # [B, 4] learned box, normalised x0 y0 x1 y1
    mask_prompt: torch.Tensor  # [B, 1, S/4, S/4] learned dense prompt logits
    mask_logits: torch.Tensor  # [B, M, S/4, S/4]
    iou: torch.Tensor  # [B, M]
    object_score: torch.Tensor  # [B, 1]
    object_pointer: torch.Tensor  # [B, 256]


@dataclass
class Prompts:
    """Manual prompts in model-input pixels, plus whether the learned prompts are used (per sample)."""
    point_coords: torch.Tensor  # [B, P, 2]
    point_labels: torch.Tensor  # [B, P]
    use_learned: torch.Tensor  # [B] float 0/1


class Sam2Rad(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.image_encoder = ImageEncoder(cfg)
        self.memory_attention = MemoryAttention(cfg)
        self.prompt_predictor = PromptPredictor(cfg)
        self.prompt_encoder = PromptEncoder(cfg)
        self.mask_decoder = MaskDecoder(cfg)
        self.memory_encoder = MemoryEncoder(cfg)

    def decode(self, conditioned, feats0, feats1, learned, prompts: Prompts):
        """Prompt encoder + mask decoder. `learned` = (box, prompt_embeddings, mask_prompt) from the PPN."""
        box, prompt_embeddings, mask_prompt = learned
        s = self.cfg.image_size
        use = prompts.use_learned
        box_coords = box.reshape(-1, 2, 2) * s
        box_labels = torch.tensor([2.0, 3.0]).expand(box.shape[0], 2) * use[:, None] + (use[:, None] - 1)
        coords = torch.cat([box_coords, prompts.point_coords], dim=1)
        labels = torch.cat([box_labels, prompts.point_labels], dim=1)
        return self.decode_graph(conditioned, feats0, feats1, coords, labels, prompt_embeddings, use,
                                 mask_prompt, use)

    def decode_graph(self, conditioned, feats0, feats1, point_coords, point_labels, prompt_embeddings,
                     use_prompt_embeddings, mask_input, has_mask_input):
        """The exported mask-decoder graph (prompt encoder included)."""
        pe = self.prompt_encoder
        use = use_prompt_embeddings[:, None, None]
        learned = prompt_embeddings * use + pe.not_a_point_embed * (1 - use)
        sparse = torch.cat([pe.encode_points(point_coords, point_labels), learned], dim=1)
        dense = pe.encode_mask(mask_input, has_mask_input)
        # Slots 0-1 hold the learned box; only human prompts are drawn for the refiner.
        maps, has_prompts = pe.prompt_maps(point_coords[:, 2:], point_labels[:, 2:])
        return self.mask_decoder(conditioned, feats0, feats1, sparse, dense, pe.dense_pe, maps, has_prompts)

    def frame(self, feats, memory_bank, class_index, prompts: Prompts, refine=None) -> FrameOutput:
        feats0, feats1, embed = feats
        conditioned = self.memory_attention(embed, *memory_bank)
        learned = self.prompt_predictor(conditioned, class_index)
        masks, iou, obj, ptr = self.decode(conditioned, feats0, feats1, learned, prompts)
        out = FrameOutput(learned[0], learned[2], masks, iou, obj, ptr)
        if refine is None:
            return out, None
        # A second decoder pass with extra prompts (simulated corrections), same features.
        prompts2 = refine(out, prompts)
        masks2, iou2, obj2, ptr2 = self.decode(conditioned, feats0, feats1, learned, prompts2)
        return out, FrameOutput(learned[0], learned[2], masks2, iou2, obj2, ptr2)
