"""A plain DWN classifier (no transformer), as DWN's MNIST example, for training-speed benchmarks:
thermometer (distributive, 3 bits/pixel) -> LUT layer 2000 (n=6, learnable mapping) -> LUT layer
1000 -> group sum 10 (tau = 1/0.3), on Fashion-MNIST.

``python -m quweit.dwn --epochs 10 --batch-size 256 [--bench-batch-sizes 256,32] [--backend auto]``
prints JSON lines: throughput of training steps per batch size, then per-epoch test accuracy.
"""
from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F
from torch import nn

from . import data as qdata
from .nn import GroupSum, LUTLayer, Thermometer, clamp_luts_


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
        for layer in self.lut_layers:
            h = layer(h)
        return self.group_sum(h)


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

    def step(opt, xb, yb):
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        clamp_luts_(model)
        return loss

    # throughput of training steps (separate throw-away optimiser state; model re-initialised below)
    for bs in [int(s) for s in a.bench_batch_sizes.split(",") if s]:
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
        for i in range(5):
            step(opt, xtr[i * bs:(i + 1) * bs], ytr[i * bs:(i + 1) * bs])
        sync()
        t0 = time.time()
        for i in range(a.bench_steps):
            j = (i * bs) % (len(ytr) - bs)
            step(opt, xtr[j:j + bs], ytr[j:j + bs])
        sync()
        dt = time.time() - t0
        print(json.dumps({"bench": "train_step", "batch_size": bs, "steps": a.bench_steps,
                          "samples_per_s": a.bench_steps * bs / dt, "device": str(dev),
                          "backend": a.backend}), flush=True)

    torch.manual_seed(a.seed)
    model = DWN(backend=a.backend).to(dev)
    model.thermometer.fit(xtr)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = (len(ytr) + a.batch_size - 1) // a.batch_size
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps * a.epochs))
    total_t = 0.0
    for ep in range(a.epochs):
        perm = torch.randperm(len(ytr), device=dev)
        model.train()
        sync()
        t0 = time.time()
        for i in range(steps):
            b = perm[i * a.batch_size:(i + 1) * a.batch_size]
            step(opt, xtr[b], ytr[b])
            sched.step()
        sync()
        dt = time.time() - t0
        total_t += dt
        model.eval()
        with torch.no_grad():
            acc = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                      for i in range(0, len(yte), 1000)) / len(yte)
        print(json.dumps({"epoch": ep + 1, "test_acc": acc, "epoch_time_s": dt,
                          "samples_per_s": len(ytr) / dt}), flush=True)
    print(json.dumps({"done": True, "epochs": a.epochs, "train_time_s": total_t,
                      "final_test_acc": acc}), flush=True)


if __name__ == "__main__":
    main()
