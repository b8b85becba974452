#!/usr/bin/env python3
"""Extracts one trained LUT FFN of a QuWeiT checkpoint as a standalone quweit
model (thermometer -> LUT layers -> group sum, returning the group counts) for
the hardware path, together with real activations: the FFN's inputs while the
checkpoint's ViT classifies Fashion-MNIST test images.

  extract_lut_ffn.py CHECKPOINT.pt [--block N] -o ffn.mlir --inputs x.npy
      [--images K] [--input-bits W --frac-bits F] [--groups G]
      [--torch-counts counts.npy]

Rows of x.npy are the activations of the first K test images (one row per
token), rounded to W-bit two's-complement fixed point with F fractional bits
(saturated), so that the hardware's comparators
(--convert-quweit-to-lutarray="thermometer=comparators input-bits=W
frac-bits=F") see exactly the values the reference evaluator sees.
--torch-counts writes PyTorch's own group counts for those rows (the LutFFN's
thermometer, LUT layers and GroupSum.counts in eval mode): a third, independent
check of quweit-run and of the circuit.
"""
import argparse
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))


def ffn_counts_mlir(ffn, groups):
    """The LutFFN up to the counts of its first `groups` groups, as quweit MLIR
    text (func @main). Fewer groups keep only the last layer's LUTs of those
    groups (the hardware lowering then drops the earlier LUTs nothing reads)."""
    from quweit.export import _Module, _Scope, _Value, _lut_arrays, _thresholds
    module = _Module()
    scope = _Scope(module, "  ")
    x = _Value("%x", ("B", ffn.d_model))
    h = scope.thermometer(x, _thresholds(ffn.thermometer))
    kept = groups * ffn.luts[-1].num_luts // ffn.group_sum.groups
    for index, layer in enumerate(ffn.luts):
        mapping, tables = _lut_arrays(layer)
        if index == len(ffn.luts) - 1:
            mapping, tables = mapping[:kept], tables[:kept]
        h = scope.lut_layer(h, mapping, tables)
    counts = scope.group_sum(h, groups)
    scope.emit(f"return {counts.name} : {counts.type}")
    return (f"// LUT FFN extracted by scripts/extract_lut_ffn.py: thermometer -> "
            f"{len(ffn.luts)} LUT layers -> group counts\n"
            f"func.func @main(%x: {x.type}) -> {counts.type} {{\n" + "\n".join(scope.lines) + "\n}\n"
            + module.resources())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--block", type=int, default=0, help="transformer block whose LUT FFN to extract")
    p.add_argument("-o", "--output", required=True, help="the extracted model (.mlir)")
    p.add_argument("--inputs", required=True, help="activations (.npy, f32 [rows, d_model])")
    p.add_argument("--images", type=int, default=2, help="test images whose tokens give the rows")
    p.add_argument("--input-bits", type=int, default=12)
    p.add_argument("--frac-bits", type=int, default=8)
    p.add_argument("--groups", type=int, help="keep only the first N groups (default: all)")
    p.add_argument("--torch-counts", help="PyTorch's group counts for the rows (.npy, i32)")
    a = p.parse_args()
    if not 2 <= a.input_bits <= 24 or not 0 <= a.frac_bits < a.input_bits:
        p.error("input-bits must be 2..24 (exact in f32) and frac-bits in [0, input-bits)")
    if a.images < 1:
        p.error("--images must be >= 1")

    import torch
    from quweit import data
    from quweit.checkpoint import load_model
    from quweit.nn import LutFFN
    torch.set_num_threads(1)
    model = load_model(a.checkpoint)
    blocks = getattr(model, "blocks", None)
    if blocks is None or not 0 <= a.block < len(blocks) or not isinstance(blocks[a.block].ffn, LutFFN):
        sys.exit(f"error: {a.checkpoint} has no LUT FFN in block {a.block}")
    ffn = blocks[a.block].ffn
    groups = ffn.group_sum.groups if a.groups is None else a.groups
    if not 1 <= groups <= ffn.group_sum.groups or ffn.luts[-1].num_luts % ffn.group_sum.groups:
        sys.exit(f"error: --groups must be in [1, {ffn.group_sum.groups}] (contiguous groups of equal size)")

    captured = []
    handle = ffn.register_forward_pre_hook(lambda _m, args: captured.append(args[0].detach()))
    images, _ = data.load_fashion_mnist("test")
    x = images[:a.images, None].float().div(255)
    x = (x - data.FASHION_MNIST_MEAN) / data.FASHION_MNIST_STD
    with torch.no_grad():
        model(x)
    handle.remove()
    acts = captured[0].reshape(-1, ffn.d_model).double().numpy()

    scale = float(1 << a.frac_bits)
    low, high = -(1 << (a.input_bits - 1)), (1 << (a.input_bits - 1)) - 1
    raw = np.round(acts * scale)
    codes = np.clip(raw, low, high)
    xq = (codes / scale).astype(np.float32)
    assert np.all(xq.astype(np.float64) * scale == codes), "fixed-point values must be exact in f32"

    text = ffn_counts_mlir(ffn, groups)
    for path, write in ((a.output, lambda f: f.write(text)), (a.inputs, lambda f: np.save(f, xq))):
        tmp = path + ".tmp"
        with open(tmp, "w" if path == a.output else "wb") as f:
            write(f)
        os.replace(tmp, path)

    with torch.no_grad():
        def counts(features):
            h = ffn.thermometer(torch.from_numpy(features).float())
            for layer in ffn.luts:
                h = layer(h)
            return ffn.group_sum.counts(h).round().to(torch.int32).numpy()[:, :groups]
        torch_counts = counts(xq)
        exact_counts = counts(acts.astype(np.float32))
    if a.torch_counts:
        tmp = a.torch_counts + ".tmp"
        with open(tmp, "wb") as f:
            np.save(f, torch_counts)
        os.replace(tmp, a.torch_counts)
    sizes = " -> ".join([str(ffn.d_model * ffn.thermometer.num_bits)] + [str(l.num_luts) for l in ffn.luts])
    print(f"block {a.block} LUT FFN: {ffn.d_model} features x {ffn.thermometer.num_bits} thermometer bits, "
          f"{sizes} LUTs (fan-in {ffn.luts[0].fan_in}), {ffn.group_sum.groups} groups ({groups} kept)")
    print(f"{xq.shape[0]} rows from {a.images} test images; {a.input_bits}-bit fixed point with "
          f"{a.frac_bits} fractional bits: {int(np.sum(raw != codes))} values saturated, "
          f"counts equal to the unrounded activations' in {np.mean(torch_counts == exact_counts) * 100:.2f}% "
          f"of {torch_counts.size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
