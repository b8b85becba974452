"""Post-training fit of LUT FFNs to a dense model's MLPs (docs/transforms.md, "Fitted tables").

When no trained QuWeiT checkpoint exists, ``python -m quweit.fit DENSE.pt -o tables.mlir`` makes the tables
that ``--quweit-convert-mlp-to-lut`` needs from the dense model alone and a few calibration images:

1. **calibration activations**: run the calibration images through the model and record, for every MLP, its
   input rows (the LayerNorm output, one row per token) and its output rows;
2. **sequential**: block i is fitted on the activations of the model whose MLPs *before* i are already the
   fitted LUT FFNs (so each LUT FFN learns on the inputs it will see in the hybrid), with the dense MLP's
   output on those inputs as the target;
3. **thermometer**: equal-population quantiles of each input feature over the calibration rows
   (``T`` thresholds at ranks ``S k / (T + 1)``);
4. **LUT layers and group sum**: a :class:`~quweit.nn.LutFFN` (random mapping, tables uniform in [-1, 1],
   default tau) whose group-sum scale and bias start so that its output has the target's mean and half its
   spread, trained by EFD (the same backward as QuWeiT
   training) with Adam on the mean squared error to the dense MLP's output, tables clamped to [-1, 1];
5. **deployment**: tables ``> 0``, written as a tables file (``blocks.I.ffn``), and optionally the hybrid
   model as a QuWeiT checkpoint (``--save-hybrid``: attention and embeddings from the dense model).

Only the MLP outputs are matched (no labels are used): a post-training conversion, not training.
"""
from __future__ import annotations

import copy
import math
import time

import torch
from torch import nn

from .nn import LutFFN
from .nn.thermometer import fit_thresholds
from .tables import tables_mlir, write_atomic

__all__ = ["fit_lut_ffn", "fit_model", "calibration_images", "hybrid_config"]


def _mlps(model):
    """(name, parent, attribute, module) of every dense MLP (``fc1``/``fc2`` with GELU) of a model."""
    from .models.common import MLP
    out = []
    for name, m in model.named_modules():
        if isinstance(m, MLP):
            parent_name, _, attr = name.rpartition(".")
            out.append((name, model.get_submodule(parent_name) if parent_name else model, attr, m))
    return out


@torch.no_grad()
def _capture(model, mlp, images, batch):
    """Input and output rows [N*T, D] of ``mlp`` when ``model`` runs on ``images``."""
    xs = []
    hook = mlp.register_forward_hook(lambda _m, inp, _out: xs.append(inp[0].reshape(-1, inp[0].shape[-1])))
    try:
        for i in range(0, len(images), batch):
            model(images[i:i + batch])
    finally:
        hook.remove()
    x = torch.cat(xs)
    ys = [mlp(x[i:i + 65536]) for i in range(0, len(x), 65536)]
    return x, torch.cat(ys)


def _baseline(y):
    """MSE of predicting each output's mean: what a fit must beat."""
    return ((y - y.mean(0)) ** 2).mean().item()


def fit_lut_ffn(x, y, *, bits=8, layers=(1024, 1024), fan_in=6, epochs=10, batch=512, lr=1e-2,
                affine_lr=1e-2, seed=0, log=None):
    """A LutFFN fitted to ``y ~ f(x)`` (rows ``[S, D]`` -> ``[S, k]``) as described in the module doc."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    d, k = x.shape[1], y.shape[1]
    if d != k:
        raise ValueError(f"a LutFFN maps D -> D; the MLP maps {d} -> {k}")
    ffn = LutFFN(d, bits, list(layers), fan_in, thermometer="distributive", backend="torch")
    ffn.thermometer.set_thresholds(fit_thresholds(x, bits, "distributive"))
    with torch.no_grad():
        # Data-driven start: per output, the initial (random-table) output gets half the target's spread
        # and the target's mean, so the first steps fit the signal instead of undoing noise.
        ffn.eval()
        out = torch.cat([ffn(x[i:i + 65536]) for i in range(0, len(x), 65536)])
        ratio = 0.5 * y.std(0) / out.std(0).clamp_min(1e-6)
        ffn.group_sum.scale.mul_(ratio)
        ffn.group_sum.bias.copy_(y.mean(0) - (out.mean(0) - ffn.group_sum.bias) * ratio)
    table_params = [p for n, p in ffn.named_parameters() if n.startswith("luts.")]
    other = [p for n, p in ffn.named_parameters() if not n.startswith("luts.")]
    opt = torch.optim.Adam([{"params": table_params, "lr": lr}, {"params": other, "lr": affine_lr}])
    steps = epochs * math.ceil(len(x) / batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr, affine_lr], total_steps=steps, pct_start=0.1)
    ffn.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        total, t0 = 0.0, time.time()
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            loss = nn.functional.mse_loss(ffn(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            ffn.clamp_()
            total += loss.item() * len(idx)
        if log:
            log(f"  epoch {epoch + 1}/{epochs}: train mse {total / len(x):.5f} "
                f"(predicting the mean: {_baseline(y):.5f}), {time.time() - t0:.1f} s")
    return ffn.eval()


def hybrid_config(config, bits, layers, fan_in):
    return dict(config, ffn="lut", bits_per_feature=bits, lut_layers=list(layers), fan_in=fan_in, tau=None,
                thermometer="distributive", first_mapping="random")


def fit_model(dense, images, *, bits=8, layers=(1024, 1024), fan_in=6, epochs=10, batch=512, lr=1e-2,
              seed=0, log=print):
    """Fit every MLP of ``dense`` sequentially; returns ``(hybrid model, {name: LutFFN})``."""
    hybrid = copy.deepcopy(dense).eval()
    ffns = {}
    for name, parent, attr, mlp in _mlps(hybrid):
        x, y = _capture(hybrid, mlp, images, 256)
        if log:
            log(f"{name}: {len(x)} calibration rows, {x.shape[1]} -> {mlp.fc1.out_features} -> {y.shape[1]}")
        ffn = fit_lut_ffn(x, y, bits=bits, layers=layers, fan_in=fan_in, epochs=epochs, batch=batch, lr=lr,
                          seed=seed, log=log)
        with torch.no_grad():
            mse = nn.functional.mse_loss(ffn(x), y).item()
        if log:
            log(f"{name}: fitted, calibration mse {mse:.5f} (predicting each output's mean: {_baseline(y):.5f})")
        setattr(parent, attr, ffn)
        ffns[name] = ffn
    hybrid.config = hybrid_config(dense.config, bits, layers, fan_in)
    return hybrid, ffns


def calibration_images(n, seed=0, data_dir=None):
    """``n`` normalised Fashion-MNIST *training* images (a random subset), as the training CLI feeds them."""
    from . import data as qdata
    x, _ = qdata.load_fashion_mnist("train", data_dir)
    idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n]
    return normalise_fashion(x[idx])


def normalise_fashion(x_u8):
    from . import data as qdata
    x = x_u8.float().div(255).unsqueeze(1)
    return (x - qdata.FASHION_MNIST_MEAN) / qdata.FASHION_MNIST_STD


@torch.no_grad()
def accuracy(model, n=None, data_dir=None, batch=500):
    from . import data as qdata
    x, y = qdata.load_fashion_mnist("test", data_dir)
    if n:
        x, y = x[:n], y[:n]
    correct = 0
    for i in range(0, len(x), batch):
        correct += (model(normalise_fashion(x[i:i + batch])).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m quweit.fit",
                                description="Fit LUT FFNs to the MLPs of a dense checkpoint on calibration "
                                            "images; write the tables file of --quweit-convert-mlp-to-lut.")
    p.add_argument("checkpoint", help="dense model (quweit.checkpoint format, ffn='dense')")
    p.add_argument("-o", "--output", required=True, help="tables file to write (MLIR)")
    p.add_argument("--calib", type=int, default=1024, help="calibration images (Fashion-MNIST train split)")
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--lut-layers", default="1024,1024")
    p.add_argument("--fan-in", type=int, default=6)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=512, help="rows per step")
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--save-hybrid", default=None, help="also save the hybrid model as a QuWeiT checkpoint")
    p.add_argument("--eval", type=int, default=0, metavar="N",
                   help="report PyTorch test accuracy of the dense and hybrid models on N test images")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    from .checkpoint import load_model, save_checkpoint
    dense = load_model(a.checkpoint)
    if dense.config.get("arch") != "vit" or dense.config.get("ffn") != "dense":
        raise SystemExit(f"{a.checkpoint}: expected a dense ViT checkpoint (config arch 'vit', ffn 'dense')")
    layers = [int(v) for v in a.lut_layers.split(",") if v]
    t0 = time.time()
    images = calibration_images(a.calib, a.seed, a.data_dir)
    hybrid, ffns = fit_model(dense, images, bits=a.bits, layers=layers, fan_in=a.fan_in, epochs=a.epochs,
                             batch=a.batch, lr=a.lr, seed=a.seed)
    write_atomic(a.output, tables_mlir(ffns, f"fitted to {a.checkpoint} on {a.calib} calibration images"))
    print(f"wrote {a.output} ({len(ffns)} LUT FFNs: {', '.join(ffns)}) in {time.time() - t0:.0f} s")
    if a.save_hybrid:
        save_checkpoint(a.save_hybrid, hybrid)
        print(f"wrote {a.save_hybrid}")
    if a.eval:
        print(f"PyTorch test accuracy on {a.eval} images: dense {accuracy(dense, a.eval, a.data_dir) * 100:.2f}%, "
              f"fitted hybrid {accuracy(hybrid, a.eval, a.data_dir) * 100:.2f}%")


if __name__ == "__main__":
    main()
