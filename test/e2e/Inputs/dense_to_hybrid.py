"""Inputs of dense-to-hybrid.test: a small random QuWeiT ViT, its dense carrier (the same model with every
LutFFN replaced by a dense MLP) exported to MLIR, the LUT FFN tables of the QuWeiT model, a few images and
the PyTorch QuWeiT model's logits on them."""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
from quweit.export import to_mlir  # noqa: E402
from quweit.models import QuWeiTViT  # noqa: E402
from quweit.tables import dense_carrier, lut_ffns, tables_mlir, write_atomic  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
torch.manual_seed(a.seed)
model = QuWeiTViT(image_size=8, patch_size=4, dim=16, depth=2, heads=2, bits_per_feature=4,
                  lut_layers=[96, 64], fan_in=4).eval()
with torch.no_grad():  # trained-looking tables: some constant and duplicated LUTs for the optimiser
    for ffn in lut_ffns(model).values():
        layer = ffn.luts[0]
        layer.luts[:8] = -1.0
        layer.luts[8:16] = layer.luts[16:24].clone()
        layer.mapping[8:16] = layer.mapping[16:24].clone()
write_atomic(os.path.join(a.out, "tables.mlir"), tables_mlir(lut_ffns(model)))
to_mlir(dense_carrier(model, seed=a.seed), None, os.path.join(a.out, "dense.mlir"))
x = torch.randn(5, 1, 8, 8)
np.save(os.path.join(a.out, "x.npy"), x.numpy())
with torch.no_grad():
    np.save(os.path.join(a.out, "expected.npy"), model(x).numpy())
