"""Time training steps of the QuWeiT-ViT and its dense twin (bf16 autocast), and profile one."""
import sys
import time

import torch
import torch.nn.functional as F

from quweit.models import DenseViT, QuWeiTViT
from quweit.nn import clamp_luts_

torch.backends.cuda.matmul.allow_tf32 = True
bs = int(sys.argv[1]) if len(sys.argv) > 1 else 256
dev = torch.device("cuda")
for name, ctor in (("dense", DenseViT), ("quweit", QuWeiTViT)):
    torch.manual_seed(0)
    m = ctor(dim=128, depth=4, heads=4, patch_size=4).to(dev)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    x = torch.randn(bs, 1, 28, 28, device=dev)
    y = torch.randint(0, 10, (bs,), device=dev)

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
    for _ in range(20):
        step()
    torch.cuda.synchronize()
    dt = (time.time() - t0) / 20
    print(f"{name}: {dt * 1e3:.2f} ms/step, {bs / dt:.0f} samples/s (batch {bs})", flush=True)
    if name == "quweit":
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(3):
                step()
            torch.cuda.synchronize()
        print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=18, max_name_column_width=60))
