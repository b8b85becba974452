"""Transformer parts shared by the ViT and GPT models (LayerNorm eps 1e-5, exact GELU)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..nn import LutFFN

LN_EPS = 1e-5
_HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


class Attention(nn.Module):
    """Multi-head self-attention: one fused qkv projection, softmax(q k^T / sqrt(d_head)) v, output
    projection. ``causal`` masks future positions (GPT)."""

    def __init__(self, dim: int, heads: int, causal: bool = False, dropout: float = 0.0):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by heads {heads}")
        self.heads, self.causal, self.dropout = heads, causal, dropout
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        p = self.dropout if self.training else 0.0
        if _HAS_SDPA:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=self.causal)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
            if self.causal:
                mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
                att = att.masked_fill(mask, float("-inf"))
            att = F.dropout(att.softmax(-1), p, self.training)
            y = att @ v
        return self.proj(y.transpose(1, 2).reshape(B, T, D))


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int, dropout: float = 0.0):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.fc2(F.gelu(self.fc1(x))))  # exact (erf) GELU


def make_ffn(dim: int, cfg: dict) -> nn.Module:
    if cfg["ffn"] == "dense":
        return MLP(dim, int(dim * cfg["mlp_ratio"]), cfg.get("dropout", 0.0))
    if cfg["ffn"] == "lut":
        return LutFFN(dim, cfg["bits_per_feature"], cfg["lut_layers"], cfg["fan_in"], cfg["tau"],
                      thermometer=cfg.get("thermometer", "gaussian"),
                      mapping=cfg.get("first_mapping", "random"), scale_init=cfg.get("ffn_scale", 1.0))
    raise ValueError(f"unknown ffn kind {cfg['ffn']!r}: use 'dense' or 'lut'")


class Block(nn.Module):
    """Pre-norm block: ``h = x + attn(ln1(x)); y = h + ffn(ln2(h))``."""

    def __init__(self, dim: int, heads: int, cfg: dict, causal: bool = False):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.attn = Attention(dim, heads, causal, cfg.get("dropout", 0.0))
        self.ln2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.ffn = make_ffn(dim, cfg)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.ffn(self.ln2(x))


def block_multiplications(dim: int, tokens: int, mlp_hidden: int) -> dict:
    """Multiplications of one dense block per sample: qkv, q k^T, att v, proj, and the MLP
    (LayerNorm, softmax, GELU and biases are O(tokens * dim) and not counted)."""
    attn = tokens * dim * 3 * dim + 2 * tokens * tokens * dim + tokens * dim * dim
    mlp = 2 * tokens * dim * mlp_hidden
    return {"attention": attn, "mlp": mlp}
