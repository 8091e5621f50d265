"""SAM's two-way transformer: tokens attend to the image, the image attends back to the tokens."""
from torch import nn

from .attention import Attention


class TwoWayBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_dim: int, skip_first_pe: bool = False):
        super().__init__()
        self.self_attn = Attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_token_to_image = Attention(dim, heads, internal_dim=dim // 2)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.ReLU(), nn.Linear(mlp_dim, dim))
        self.norm3 = nn.LayerNorm(dim)
        self.cross_image_to_token = Attention(dim, heads, internal_dim=dim // 2)
        self.norm4 = nn.LayerNorm(dim)
        self.skip_first_pe = skip_first_pe

    def forward(self, queries, keys, query_pe, key_pe):
        if self.skip_first_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        queries = self.norm2(queries + self.cross_token_to_image(queries + query_pe, keys + key_pe, keys))
        queries = self.norm3(queries + self.mlp(queries))
        keys = self.norm4(keys + self.cross_image_to_token(keys + key_pe, queries + query_pe, queries))
        return queries, keys


class TwoWayTransformer(nn.Module):
    """tokens [B, N, C], image [B, HW, C], image_pe [B, HW, C] -> (tokens, image) both updated."""

    def __init__(self, depth: int, dim: int, heads: int, mlp_dim: int):
        super().__init__()
        self.layers = nn.ModuleList(TwoWayBlock(dim, heads, mlp_dim, skip_first_pe=(i == 0)) for i in range(depth))
        self.final_attn = Attention(dim, heads, internal_dim=dim // 2)
        self.norm_final = nn.LayerNorm(dim)

    def forward(self, tokens, image, image_pe):
        queries, keys = tokens, image
        for layer in self.layers:
            queries, keys = layer(queries, keys, tokens, image_pe)
        queries = self.norm_final(queries + self.final_attn(queries + tokens, keys + image_pe, keys))
        return queries, keys
