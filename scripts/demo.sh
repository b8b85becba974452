#!/usr/bin/env bash
# Sets everything up, then
#  1. runs the tiny random DWN example with the reference evaluator (quweit-run) and compiled to a native
#     object linked into a small C program (quweit-compile + cc); both print the predicted classes;
#  2. compiles the shipped trained QuWeiT-ViT (examples/fashion_vit) from PyTorch to MLIR to a native
#     object, classifies the Fashion-MNIST test set with it from Python (quweit.runtime), printing accuracy
#     and images/s next to PyTorch's, and runs the same model from C on a few images.
# Environment: QUWEIT_DEMO_THREADS (default 1), QUWEIT_DEMO_TORCH_IMAGES (images PyTorch classifies for
# the comparison, default 300: PyTorch's CPU LUT path is slow), QUWEIT_BUILD_DIR.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
BUILD_DIR=${QUWEIT_BUILD_DIR:-$ROOT/build}
PY=/usr/bin/python3
MODEL="$ROOT/examples/tiny_dwn/model.mlir"
INPUT="$ROOT/examples/tiny_dwn/input.npy"
echo "== reference evaluator: quweit-run $MODEL"
"$BUILD_DIR/bin/quweit-run" "$MODEL" --input "$INPUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "== native: quweit-compile -> model.o + model.h, linked with examples/classify.c"
"$BUILD_DIR/bin/quweit-compile" "$MODEL" -o "$WORK/model.o" --header "$WORK/model.h"
CC=${CC:-$(command -v cc || command -v clang-22)}
"$CC" -I"$WORK" -DCLASSES=3 "$ROOT/examples/classify.c" "$WORK/model.o" -o "$WORK/classify" -lm
"$WORK/classify" "$INPUT"

echo
echo "== QuWeiT-ViT (examples/fashion_vit): PyTorch -> MLIR -> native object, called from Python"
mkdir -p "$WORK/vit" "$WORK/vit-c"
QUWEIT_BUILD_DIR="$BUILD_DIR" PYTHONPATH="$ROOT/python" "$PY" - "$ROOT" "$WORK" <<'PYEOF'
import os, sys, time
import numpy as np
import torch
root, work = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
from quweit import data, runtime
from quweit.checkpoint import load_model
threads = int(os.environ.get("QUWEIT_DEMO_THREADS", "1"))
n_torch = int(os.environ.get("QUWEIT_DEMO_TORCH_IMAGES", "300"))
model = load_model(os.path.join(root, "examples/fashion_vit/model.pt"))
images, labels = data.load_fashion_mnist("test")
x = images[:, None].float().div(255)
x = ((x - data.FASHION_MNIST_MEAN) / data.FASHION_MNIST_STD).contiguous().numpy()
y = labels.numpy()
t0 = time.time()
cm = runtime.compile(model, threads=threads, workdir=os.path.join(work, "vit"), export_options={"argmax": True})
print(f"exported + compiled + linked in {time.time() - t0:.1f} s "
      f"({os.path.getsize(cm.paths['mlir']) / 1e6:.1f} MB of MLIR, {threads} thread(s))")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
batch = 64
cm(x[:batch])  # warm-up
t0 = time.time()
pred = np.concatenate([cm(x[i:i + batch])[1] for i in range(0, len(x), batch)])
dt = time.time() - t0
print(f"native:  accuracy {np.mean(pred == y) * 100:.2f}% on {len(x)} test images, "
      f"{len(x) / dt:.0f} images/s (batch {batch}, {dt:.1f} s, {cpu}, {os.cpu_count()} cores)")
t0 = time.time()
with torch.no_grad():
    ref = np.concatenate([model(torch.from_numpy(x[i:i + 50])).argmax(1).numpy() for i in range(0, n_torch, 50)])[:n_torch]
dt = time.time() - t0
print(f"PyTorch: accuracy {np.mean(ref == y[:n_torch]) * 100:.2f}% on the first {n_torch} images "
      f"({n_torch / dt:.0f} images/s); native there: {np.mean(pred[:n_torch] == y[:n_torch]) * 100:.2f}%, "
      f"same predictions on {np.sum(ref == pred[:n_torch])}/{n_torch}")
np.save(os.path.join(work, "vit-c", "images.npy"), x[:8].reshape(8, -1))
np.save(os.path.join(work, "vit-c", "python_classes.npy"), pred[:8])
PYEOF

echo "== the same model from C: python -m quweit.export --flat-input, quweit-compile, examples/classify.c"
PYTHONPATH="$ROOT/python" "$PY" -m quweit.export "$ROOT/examples/fashion_vit/model.pt" \
  -o "$WORK/vit-c/vit.mlir" --argmax --flat-input
"$BUILD_DIR/bin/quweit-compile" "$WORK/vit-c/vit.mlir" -o "$WORK/vit-c/model.o" --header "$WORK/vit-c/model.h"
"$CC" -I"$WORK/vit-c" -DCLASSES=10 "$ROOT/examples/classify.c" "$WORK/vit-c/model.o" -o "$WORK/vit-c/classify" -lm
"$WORK/vit-c/classify" "$WORK/vit-c/images.npy" | tee "$WORK/vit-c/out.txt" | cut -c1-40
"$PY" - "$WORK/vit-c" <<'PYEOF'
import re, sys
import numpy as np
d = sys.argv[1]
c = [int(m) for m in re.findall(r"class (\d+)", open(f"{d}/out.txt").read())]
py = np.load(f"{d}/python_classes.npy").tolist()
print("C and Python predictions agree" if c == py else f"MISMATCH: C {c} vs Python {py}")
sys.exit(0 if c == py else 1)
PYEOF
