#!/usr/bin/env python3
"""P3 baseline (docs/performance.md): the dense twin of the shipped
Fashion-MNIST ViT (examples/fashion_vit_dense) run by PyTorch on one thread,
images/s at batch 1, 64 and 256. Pin it to one core (taskset -c 1) and run
with OPENBLAS_NUM_THREADS=1; scripts/bench.sh does both.

Prints one line per batch and, with --json FILE, writes Google-Benchmark-like
JSON ({"benchmarks": [{"name", "images_per_s", ...}]}) for bench/report.py.
The figure of a batch is the best of --repeats timed runs of at least
--min-time seconds each of process CPU time, as Google Benchmark's rates are
(the machine is shared: the best run is the one least disturbed by other
jobs)."""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))


def measure(model, x, min_time, repeats):
    import torch
    best = 0.0
    with torch.no_grad():
        model(x)  # warm-up (allocations, OpenBLAS buffers)
        for _ in range(repeats):
            calls, start = 0, time.process_time()
            while True:
                model(x)
                calls += 1
                elapsed = time.process_time() - start
                if elapsed >= min_time:
                    break
            best = max(best, calls * x.shape[0] / elapsed)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=os.path.join(ROOT, "examples/fashion_vit_dense/model.pt"))
    parser.add_argument("--batches", default="1,64,256")
    parser.add_argument("--min-time", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()

    import torch
    from quweit.checkpoint import load_model
    torch.set_num_threads(1)
    model = load_model(args.model).eval()
    rows = []
    for batch in (int(b) for b in args.batches.split(",")):
        x = torch.randn(batch, 1, 28, 28, generator=torch.Generator().manual_seed(0))
        rate = measure(model, x, args.min_time, args.repeats)
        rows.append({"name": f"TorchDenseViT/{batch}", "images_per_s": rate})
        print(f"TorchDenseViT/{batch:<5d} {rate:10.1f} images/s "
              f"(torch {torch.__version__}, {torch.get_num_threads()} thread)")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"benchmarks": rows}, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
