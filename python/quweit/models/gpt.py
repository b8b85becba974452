"""nanoGPT-shaped character-level language model with LUT FFNs (QuWeiTGPT) or dense MLPs (DenseGPT)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .common import LN_EPS, Block, block_multiplications

GPT_DEFAULTS = dict(vocab_size=128, block_size=128, dim=128, depth=4, heads=4, mlp_ratio=4.0,
                    dropout=0.0, ffn="lut", bits_per_feature=8, lut_layers=[2048, 2048], fan_in=6,
                    tau=None, thermometer="gaussian", first_mapping="random", ffn_scale=1.0)


class GPT(nn.Module):
    def __init__(self, **cfg):
        super().__init__()
        unknown = set(cfg) - set(GPT_DEFAULTS) - {"arch"}
        if unknown:
            raise ValueError(f"unknown GPT options {sorted(unknown)}")
        c = dict(GPT_DEFAULTS, **cfg)
        c["lut_layers"] = list(c["lut_layers"])
        c.pop("arch", None)
        self.config = dict(c, arch="gpt")
        d = c["dim"]
        self.tok_emb = nn.Embedding(c["vocab_size"], d)
        self.pos_emb = nn.Parameter(torch.randn(1, c["block_size"], d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, c["heads"], c, causal=True) for _ in range(c["depth"]))
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.head = nn.Linear(d, c["vocab_size"], bias=False)
        self.head.weight = self.tok_emb.weight  # weight tying, as nanoGPT
        nn.init.normal_(self.tok_emb.weight, std=0.02)  # nanoGPT's init (N(0,1) gives huge tied logits)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        B, T = idx.shape
        if T > self.config["block_size"]:
            raise ValueError(f"sequence length {T} exceeds block_size {self.config['block_size']}")
        x = self.tok_emb(idx) + self.pos_emb[:, :T]
        for blk in self.blocks:
            x = blk(x)
        logits = self.head(self.norm(x))
        if targets is None:
            return logits
        return logits, F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, new_tokens: int, temperature: float = 1.0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        for _ in range(new_tokens):
            logits = self(idx[:, -self.config["block_size"]:])[:, -1] / temperature
            nxt = torch.multinomial(logits.softmax(-1), 1, generator=generator)
            idx = torch.cat([idx, nxt], 1)
        return idx

    def multiplications(self) -> dict:
        c = self.config
        d, t = c["dim"], c["block_size"]
        blk = block_multiplications(d, t, int(d * c["mlp_ratio"]))
        dense_total = c["depth"] * (blk["attention"] + blk["mlp"]) + t * d * c["vocab_size"]
        removed = c["depth"] * blk["mlp"] if c["ffn"] == "lut" else 0
        return {"dense_total": dense_total, "mlp": c["depth"] * blk["mlp"], "removed": removed,
                "fraction_removed": removed / dense_total}


def QuWeiTGPT(**cfg) -> GPT:
    return GPT(**dict(cfg, ffn="lut"))


def DenseGPT(**cfg) -> GPT:
    return GPT(**dict(cfg, ffn="dense"))
