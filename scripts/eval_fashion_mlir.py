#!/usr/bin/env python3
"""Accuracy of a compiled Fashion-MNIST ViT given as MLIR (images [B, 1, 28, 28] -> logits [B, 10]).

    PYTHONPATH=python /usr/bin/python3 scripts/eval_fashion_mlir.py MODEL.mlir [MODEL2.mlir ...] [--limit N]

Compiles each model with quweit-compile (quweit.runtime.compile: -O2, native CPU, one thread), classifies the
test set in batches of 64 and prints the accuracy and, for several models, how often their predictions agree
with the first model's. Used for the measurements of docs/transforms.md ("Fitted tables").
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from quweit import runtime  # noqa: E402
from quweit.fit import normalise_fashion  # noqa: E402
from quweit import data as qdata  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="+")
    p.add_argument("--limit", type=int, default=None, help="first N test images (default: all 10000)")
    a = p.parse_args()
    x, y = qdata.load_fashion_mnist("test")
    if a.limit:
        x, y = x[:a.limit], y[:a.limit]
    images = np.ascontiguousarray(normalise_fashion(x).numpy())
    labels = y.numpy()
    first = None
    for path in a.models:
        t0 = time.time()
        model = runtime.compile(path)
        pred = np.concatenate([np.asarray(model(images[i:i + 64])).argmax(1) for i in range(0, len(images), 64)])
        line = f"{path}: accuracy {np.mean(pred == labels) * 100:.2f}% on {len(labels)} test images"
        if first is not None:
            line += f", same class as {a.models[0]} on {np.mean(pred == first) * 100:.2f}%"
        print(line + f" ({time.time() - t0:.0f} s)", flush=True)
        first = pred if first is None else first


if __name__ == "__main__":
    main()
