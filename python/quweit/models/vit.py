"""Vision transformer (DeiT-shaped: patch embedding, class token, pre-norm blocks) with LUT FFNs
(QuWeiTViT) or dense MLPs (DenseViT, the twin)."""
from __future__ import annotations

import torch
from torch import nn

from .common import LN_EPS, Block, block_multiplications

VIT_DEFAULTS = dict(image_size=28, patch_size=4, in_chans=1, num_classes=10, dim=128, depth=4,
                    heads=4, mlp_ratio=4.0, dropout=0.0, ffn="lut", bits_per_feature=8,
                    lut_layers=[2048, 2048], fan_in=6, tau=None, thermometer="gaussian",
                    first_mapping="random", ffn_scale=1.0)


class ViT(nn.Module):
    def __init__(self, **cfg):
        super().__init__()
        unknown = set(cfg) - set(VIT_DEFAULTS) - {"arch"}
        if unknown:
            raise ValueError(f"unknown ViT options {sorted(unknown)}")
        c = dict(VIT_DEFAULTS, **cfg)
        c["lut_layers"] = list(c["lut_layers"])
        c.pop("arch", None)
        if c["image_size"] % c["patch_size"]:
            raise ValueError("image_size must be a multiple of patch_size")
        self.config = dict(c, arch="vit")
        d = c["dim"]
        self.num_patches = (c["image_size"] // c["patch_size"]) ** 2
        self.patch_embed = nn.Conv2d(c["in_chans"], d, c["patch_size"], c["patch_size"])
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.randn(1, self.num_patches + 1, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, c["heads"], c) for _ in range(c["depth"]))
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.head = nn.Linear(d, c["num_classes"])

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        c = self.config
        if img.dim() != 4 or img.shape[1:] != (c["in_chans"], c["image_size"], c["image_size"]):
            raise ValueError(f"ViT expects images [B, {c['in_chans']}, {c['image_size']}, "
                             f"{c['image_size']}], got {list(img.shape)}")
        x = self.patch_embed(img).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, 0]))

    def multiplications(self) -> dict:
        """Per-image multiplications of the dense twin and how many the LUT FFNs remove."""
        c = self.config
        d, t = c["dim"], self.num_patches + 1
        blk = block_multiplications(d, t, int(d * c["mlp_ratio"]))
        embed = self.num_patches * c["in_chans"] * c["patch_size"] ** 2 * d
        dense_total = embed + c["depth"] * (blk["attention"] + blk["mlp"]) + d * c["num_classes"]
        removed = c["depth"] * blk["mlp"] if c["ffn"] == "lut" else 0
        return {"dense_total": dense_total, "mlp": c["depth"] * blk["mlp"], "removed": removed,
                "fraction_removed": removed / dense_total}


def QuWeiTViT(**cfg) -> ViT:
    return ViT(**dict(cfg, ffn="lut"))


def DenseViT(**cfg) -> ViT:
    return ViT(**dict(cfg, ffn="dense"))
