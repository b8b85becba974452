"""A plain DWN classifier (no transformer), as DWN's MNIST example, for training-speed benchmarks:
thermometer (distributive, 3 bits/pixel) -> LUT layer 2000 (n=6, learnable mapping) -> LUT layer
1000 -> group sum 10 (tau = 1/0.3), on Fashion-MNIST.

``python -m quweit.dwn --epochs 10 --batch-size 256 [--bench-batch-sizes 256,32] [--backend auto]
[--cuda-graph] [--schedule cosine|step]`` prints JSON lines: throughput of training steps per batch
size, then per-epoch test accuracy. On CUDA the LUT chain runs bits-major (``[bits, batch]``, the
layout the Triton kernels read contiguously); ``--cuda-graph`` replays each whole training step as
one CUDA graph (the step of this small network is otherwise bound by kernel launches).
"""
from __future__ import annotations

import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

from . import data as qdata
from .cudagraph import GraphedStep, set_lr
from .nn import GroupSum, LUTLayer, Thermometer, clamp_luts_
from .nn.efd import bits_major_default


class DWN(nn.Module):
    def __init__(self, in_features=784, bits=3, layers=(2000, 1000), fan_in=6, classes=10, tau=1 / 0.3,
                 first_mapping="learnable", backend="auto"):
        super().__init__()
        self.config = dict(arch="dwn", in_features=in_features, bits=bits, layers=list(layers),
                           fan_in=fan_in, classes=classes, tau=tau, first_mapping=first_mapping)
        self.thermometer = Thermometer(bits, "distributive")
        sizes = [in_features * bits] + list(layers)
        self.lut_layers = nn.ModuleList(
            LUTLayer(sizes[i], sizes[i + 1], fan_in, first_mapping if i == 0 else "random", backend=backend)
            for i in range(len(layers)))
        self.group_sum = GroupSum(classes, tau)

    def forward(self, x):
        h = self.thermometer(x.flatten(1))
        if bits_major_default(h, self.lut_layers[0].backend):
            h = h.t().contiguous()
            for layer in self.lut_layers:
                h = layer.forward_t(h)
            return self.group_sum(h, bits_major=True)
        for layer in self.lut_layers:
            h = layer(h)
        return self.group_sum(h)


def lr_at(schedule: str, base: float, step: int, total: int, steps_per_epoch: int) -> float:
    """'cosine' over all steps, or 'step' (torch_dwn's example: x0.1 every 14 epochs)."""
    if schedule == "cosine":
        return base * 0.5 * (1 + math.cos(math.pi * min(1.0, step / max(1, total))))
    return base * 0.1 ** (step // (14 * steps_per_epoch))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m quweit.dwn", description=__doc__)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--bench-batch-sizes", default="256,32")
    p.add_argument("--bench-steps", type=int, default=50)
    p.add_argument("--backend", default="auto", choices=("auto", "torch", "triton"))
    p.add_argument("--device", default="auto")
    p.add_argument("--limit-train", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--schedule", default="cosine", choices=("cosine", "step"),
                   help="cosine over all steps, or x0.1 every 14 epochs (torch_dwn's example)")
    p.add_argument("--cuda-graph", action="store_true", help="replay each training step as a CUDA graph")
    p.add_argument("--data-dir", default=None)
    a = p.parse_args(argv)
    dev = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if a.device == "auto" else a.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    torch.manual_seed(a.seed)
    xtr, ytr = qdata.load_fashion_mnist("train", a.data_dir)
    xte, yte = qdata.load_fashion_mnist("test", a.data_dir)
    if a.limit_train:
        xtr, ytr = xtr[: a.limit_train], ytr[: a.limit_train]
    xtr, xte = xtr.float().div(255).flatten(1).to(dev), xte.float().div(255).flatten(1).to(dev)
    ytr, yte = ytr.to(dev), yte.to(dev)
    model = DWN(backend=a.backend).to(dev)
    model.thermometer.fit(xtr)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    graphs = a.cuda_graph and dev.type == "cuda"

    def make_opt(m):
        if graphs:  # tensor lr: the schedule updates it between graph replays
            return torch.optim.Adam(m.parameters(), lr=torch.tensor(a.lr, device=dev), capturable=True)
        return torch.optim.Adam(m.parameters(), lr=a.lr)

    def make_step(m, opt, bs):
        def step(xb, yb):
            loss = F.cross_entropy(m(xb), yb)
            loss.backward()
            opt.step()
            clamp_luts_(m)
            return loss.detach()
        if graphs:
            return GraphedStep(step, [xtr[:bs], ytr[:bs]], m, opt)

        def eager(xb, yb):
            opt.zero_grad(set_to_none=True)
            return step(xb, yb)
        return eager

    # throughput of training steps (separate throw-away optimiser state; model re-initialised below)
    for bs in [int(s) for s in a.bench_batch_sizes.split(",") if s]:
        opt = make_opt(model)
        step = make_step(model, opt, bs)
        for i in range(5):
            step(xtr[i * bs:(i + 1) * bs], ytr[i * bs:(i + 1) * bs])
        sync()
        t0 = time.time()
        for i in range(a.bench_steps):
            j = (i * bs) % (len(ytr) - bs)
            step(xtr[j:j + bs], ytr[j:j + bs])
        sync()
        dt = time.time() - t0
        print(json.dumps({"bench": "train_step", "batch_size": bs, "steps": a.bench_steps,
                          "samples_per_s": a.bench_steps * bs / dt, "device": str(dev),
                          "backend": a.backend, "cuda_graph": graphs}), flush=True)

    torch.manual_seed(a.seed)
    model = DWN(backend=a.backend).to(dev)
    model.thermometer.fit(xtr)
    opt = make_opt(model)
    # A graph has a fixed batch shape, so with --cuda-graph the last partial batch of an epoch is dropped.
    steps = len(ytr) // a.batch_size if graphs else (len(ytr) + a.batch_size - 1) // a.batch_size
    step = make_step(model, opt, a.batch_size) if a.epochs > 0 else None
    total_t, acc, k = 0.0, None, 0
    for ep in range(a.epochs):
        perm = torch.randperm(len(ytr), device=dev)
        model.train()
        sync()
        t0 = time.time()
        for i in range(steps):
            set_lr(opt, lr_at(a.schedule, a.lr, k, steps * a.epochs, steps))
            b = perm[i * a.batch_size:(i + 1) * a.batch_size]
            step(xtr[b], ytr[b])
            k += 1
        sync()
        dt = time.time() - t0
        total_t += dt
        model.eval()
        with torch.no_grad():
            acc = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                      for i in range(0, len(yte), 1000)) / len(yte)
        print(json.dumps({"epoch": ep + 1, "test_acc": acc, "epoch_time_s": dt,
                          "samples_per_s": steps * a.batch_size / dt}), flush=True)
    print(json.dumps({"done": True, "epochs": a.epochs, "batch_size": a.batch_size, "schedule": a.schedule,
                      "lr": a.lr, "cuda_graph": graphs, "train_time_s": total_t,
                      "final_test_acc": acc}), flush=True)


if __name__ == "__main__":
    main()
