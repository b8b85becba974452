"""Time training steps of the QuWeiT-ViT and its dense twin (bf16 autocast, AdamW, random data) and
print a CUDA-time profile of the QuWeiT step.

``python3 python/gpu/profile_vit.py [--batch 256] [--lut-layers 2048,2048] [--no-profile]``
"""
import argparse
import time

import torch
import torch.nn.functional as F

from quweit.models import DenseViT, QuWeiTViT
from quweit.nn import clamp_luts_

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=256)
p.add_argument("--lut-layers", default="2048,2048")
p.add_argument("--steps", type=int, default=30)
p.add_argument("--no-profile", action="store_true")
p.add_argument("--models", default="dense,quweit")
a = p.parse_args()
torch.backends.cuda.matmul.allow_tf32 = True
dev = torch.device("cuda")
layers = [int(s) for s in a.lut_layers.split(",")]
ms = {}
for name, ctor in (("dense", DenseViT), ("quweit", QuWeiTViT)):
    if name not in a.models.split(","):
        continue
    torch.manual_seed(0)
    m = ctor(dim=128, depth=4, heads=4, patch_size=4, lut_layers=layers).to(dev)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 1, 28, 28, device=dev)
    y = torch.randint(0, 10, (a.batch,), device=dev)

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = F.cross_entropy(m(x).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        clamp_luts_(m)
    for _ in range(5):
        step()
    torch.cuda.synchronize()
    t0 = time.time()
    for _ in range(a.steps):
        step()
    torch.cuda.synchronize()
    dt = (time.time() - t0) / a.steps
    ms[name] = dt * 1e3
    print(f"{name}: {dt * 1e3:.2f} ms/step, {a.batch / dt:.0f} samples/s (batch {a.batch}, "
          f"lut layers {layers})", flush=True)
    if name == "quweit" and not a.no_profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(3):
                step()
            torch.cuda.synchronize()
        print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=15, max_name_column_width=50))
if len(ms) == 2:
    print(f"ratio quweit/dense: {ms['quweit'] / ms['dense']:.2f}x")
