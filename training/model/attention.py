"""Hand-written multi-head attention (exports to ONNX opset 17; no fused kernels)."""
import math

import torch
from torch import nn


class Attention(nn.Module):
    """Multi-head attention with an optional internal width (SAM's `downsample_rate`).

    q: [B, Nq, dim], k/v: [B, Nk, kv_dim] -> [B, Nq, dim].
    `key_bias` [B, 1, 1, Nk] is added to the logits (0 for valid keys, a large negative for padding).
    """

    def __init__(self, dim: int, heads: int, internal_dim: int | None = None, kv_dim: int | None = None):
        super().__init__()
        internal_dim = internal_dim or dim
        kv_dim = kv_dim or dim
        assert internal_dim % heads == 0
        self.heads = heads
        self.q_proj = nn.Linear(dim, internal_dim)
        self.k_proj = nn.Linear(kv_dim, internal_dim)
        self.v_proj = nn.Linear(kv_dim, internal_dim)
        self.out_proj = nn.Linear(internal_dim, dim)
        self.scale = 1.0 / math.sqrt(internal_dim // heads)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, q, k, v, key_bias: torch.Tensor | None = None) -> torch.Tensor:
        q = self._split(self.q_proj(q))
        k = self._split(self.k_proj(k))
        v = self._split(self.v_proj(v))
        logits = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        if key_bias is not None:
            logits = logits + key_bias
        out = torch.matmul(torch.softmax(logits, dim=-1), v)
        b, h, n, c = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, n, h * c))


class MLP(nn.Module):
    def __init__(self, in_dim: int, hidden: int, out_dim: int, layers: int, sigmoid_output: bool = False):
        super().__init__()
        dims = [in_dim] + [hidden] * (layers - 1) + [out_dim]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.sigmoid_output = sigmoid_output

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return torch.sigmoid(x) if self.sigmoid_output else x


class LayerNorm2d(nn.Module):
    """LayerNorm over channels of a [B, C, H, W] map (as in SAM)."""

    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return x * self.weight[:, None, None] + self.bias[:, None, None]
