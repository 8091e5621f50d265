"""SAM2 memory attention: the current frame's tokens attend to a fixed-size memory bank.

image_embed [B, 256, E, E]
memory [B, M, 64, m, m]     slot 0 = conditioning frame, slot i >= 1 = i-th most recent frame
memory_valid [B, M]          1 where a slot holds a frame, 0 where it is empty (padding)
object_pointers [B, M, 256]  the decoder's object pointer of each slot's frame
-> conditioned_embed [B, 256, E, E]

The bank has a static shape (padded + masked) so graph-optimising execution providers can be used.
Cross-attention to the memory tokens is biased by distance (-lambda_h * squared distance in embedding
cells, one learned lambda per head, one head left nearly global): SAM2 gets the same locality from its
rotary position encoding. Without it the cross-attention's output was nearly the same vector at every
position, so the decoder could not read *where* the remembered mask was (the model card's history).
A learned sink token is always valid, so an empty bank is well defined; SAM2's `no_mem_embed` is
added when no slot is valid.
"""
import torch
from torch import nn
from torch.nn import functional as F

from .attention import Attention
from .config import ModelConfig
from .position_encoding import sine_grid

PTR_SPLIT = 4  # a 256-d object pointer becomes 4 tokens of 64 channels (SAM2)
# Initial locality per cross-attention head (1 / cells^2): from "the same place" to nearly global.
LOCALITY_INIT = (1.0, 0.25, 0.05, 1e-3)


def squared_cell_distance(embed_size: int, memory_size: int) -> torch.Tensor:
    """[E*E, m*m]: squared distance, in embedding cells, between each embedding cell's centre and each
    (pooled) memory cell's centre."""
    def centres(n):
        c = (torch.arange(n, dtype=torch.float32) + 0.5) * (embed_size / n)
        yy, xx = torch.meshgrid(c, c, indexing="ij")
        return torch.stack([yy.flatten(), xx.flatten()], -1)
    return torch.cdist(centres(embed_size), centres(memory_size)) ** 2


class MemoryAttentionLayer(nn.Module):
    def __init__(self, dim: int, memory_dim: int, ffn_dim: int, locality: bool):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.self_attn = Attention(dim, 4, internal_dim=dim // 2)
        self.norm2 = nn.LayerNorm(dim)
        self.cross_attn = Attention(dim, 4, internal_dim=dim // 2, kv_dim=memory_dim)
        # softplus^-1 of LOCALITY_INIT, so lambda = softplus(raw) stays positive while it trains.
        self.locality_raw = nn.Parameter(torch.tensor(LOCALITY_INIT).expm1().log()) if locality else None
        self.norm3 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim), nn.ReLU(), nn.Linear(ffn_dim, dim))

    def forward(self, x, pos, memory, memory_pos, key_bias, distance):
        """distance [1, 1, Nq, Nk]: squared cell distance to each memory token, 0 for pointers and the sink."""
        n = self.norm1(x)
        x = x + self.self_attn(n + pos, n + pos, n)
        n = self.norm2(x)
        if self.locality_raw is not None:
            key_bias = key_bias - F.softplus(self.locality_raw)[None, :, None, None] * distance  # [B, heads, Nq, Nk]
        x = x + self.cross_attn(n + pos, memory + memory_pos, memory, key_bias)
        return x + self.ffn(self.norm3(x))


class MemoryAttention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d, md = cfg.embed_dim, cfg.memory_dim
        self.layers = nn.ModuleList(MemoryAttentionLayer(d, md, 512, cfg.memory_locality) for _ in range(cfg.memory_layers))
        self.norm = nn.LayerNorm(d)
        self.temporal_codes = nn.Parameter(torch.randn(cfg.memory_frames, md) * 0.02)
        self.pointer_codes = nn.Parameter(torch.randn(cfg.memory_frames, md) * 0.02)
        self.sink_token = nn.Parameter(torch.randn(1, md) * 0.02)
        self.no_mem_embed = nn.Parameter(torch.zeros(d))
        self.register_buffer("pos", 0.1 * sine_grid(d, cfg.embed_size, cfg.embed_size).flatten(1).t()[None])
        self.register_buffer("memory_pos", sine_grid(md, cfg.memory_size, cfg.memory_size).flatten(1).t())
        self.register_buffer("cell_distance", squared_cell_distance(cfg.embed_size, cfg.memory_size), persistent=False)

    def forward(self, image_embed, memory, memory_valid, object_pointers):
        b, c, h, w = image_embed.shape
        m_slots, md = memory.shape[1], memory.shape[2]
        mem_tokens = memory.flatten(3).permute(0, 1, 3, 2)  # [B, M, m*m, 64]
        mem_pos = self.memory_pos[None, None] + self.temporal_codes[None, :, None, :]
        ptr_tokens = object_pointers.reshape(b, m_slots, PTR_SPLIT, md)
        ptr_pos = self.pointer_codes[None, :, None, :].expand(b, -1, PTR_SPLIT, -1)
        per_slot = mem_tokens.shape[2]
        keys = torch.cat([mem_tokens.reshape(b, -1, md), ptr_tokens.reshape(b, -1, md),
                          self.sink_token[None].expand(b, -1, -1)], dim=1)
        keys_pos = torch.cat([mem_pos.expand(b, -1, -1, -1).reshape(b, -1, md), ptr_pos.reshape(b, -1, md),
                              torch.zeros_like(self.sink_token)[None].expand(b, -1, -1)], dim=1)
        valid = torch.cat([memory_valid[:, :, None].expand(-1, -1, per_slot).reshape(b, -1),
                           memory_valid[:, :, None].expand(-1, -1, PTR_SPLIT).reshape(b, -1),
                           torch.ones_like(memory_valid[:, :1])], dim=1)
        key_bias = ((valid - 1.0) * 1e4)[:, None, None, :]
        distance = torch.cat([self.cell_distance.repeat(1, m_slots),
                              torch.zeros(h * w, m_slots * PTR_SPLIT + 1)], dim=1)[None, None]

        any_valid = memory_valid.max(dim=1, keepdim=True).values  # [B, 1]
        x = image_embed.flatten(2).transpose(1, 2) + (1 - any_valid)[:, :, None] * self.no_mem_embed
        pos = self.pos.expand(b, -1, -1)
        for layer in self.layers:
            x = layer(x, pos, keys, keys_pos, key_bias, distance)
        return self.norm(x).transpose(1, 2).reshape(b, c, h, w)
