#!/bin/bash
export PYTHONPATH=python PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=python/.data
OUT=${OUT:-/tmp/out}
timeout 120 python3 -m pytest python/tests/test_gpu.py -q -x 2>&1 | tail -5 | tee $OUT/pytest.txt
grep -q passed $OUT/pytest.txt && ! grep -q failed $OUT/pytest.txt || exit 1
timeout 60 python3 -m quweit.dwn --epochs 0 --bench-steps 50 2>&1 | grep bench | tee $OUT/dwn.txt
timeout 60 python3 python/gpu/profile_vit.py 256 2>&1 | tee $OUT/profile.txt | head -40
EP=${EP:-15}
COMMON="--task fashion-vit --epochs $EP --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --augment --amp --no-progress --seed 0"
timeout 430 python3 -m quweit.train $COMMON --model dense --lr 1e-3 --out runs/vit_dense > $OUT/train_dense.log 2>&1 &
timeout 430 python3 -m quweit.train $COMMON --model quweit --lr 1e-3 --lut-lr 1e-2 --lut-layers 2048,2048 --bits 8 --fan-in 6 --out runs/vit_quweit > $OUT/train_quweit.log 2>&1 &
wait
tail -2 $OUT/train_dense.log $OUT/train_quweit.log
tar czf $OUT/runs.tgz --exclude=last.pt runs/vit_dense runs/vit_quweit
ls -la $OUT
