#!/bin/bash
# GPU check + speed probe (run on the device machine from the repo root; writes logs to $OUT).
export PYTHONPATH=python PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=python/.data
OUT=${OUT:-/tmp/out}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee $OUT/env.txt
python3 -c "import torch, triton; print(torch.__version__, triton.__version__)" | tee -a $OUT/env.txt
timeout 150 python3 -m pytest python/tests -q -x 2>&1 | tail -15 | tee $OUT/pytest.txt
timeout 90 python3 -m quweit.dwn --epochs 10 --batch-size 256 --backend triton 2>&1 | grep -v Warn | tee $OUT/dwn_triton.txt
timeout 40 python3 -m quweit.dwn --epochs 0 --backend torch --bench-steps 20 2>&1 | tee $OUT/dwn_torch.txt
for m in dense quweit; do
  timeout 100 python3 -m quweit.train --task fashion-vit --model $m --epochs 1 --batch-size 256 \
    --dim 128 --depth 4 --heads 4 --patch-size 4 --lut-layers 2048,2048 --amp --no-progress \
    --out /tmp/probe_$m 2>&1 | tail -3 | tee $OUT/vit_probe_$m.txt
done
