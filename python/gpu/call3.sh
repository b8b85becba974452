#!/bin/bash
# Fashion-MNIST ViT pairs, run concurrently on one H200 (timings in their logs are under contention).
export PYTHONPATH=python PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=python/.data
OUT=${OUT:-/tmp/out}
C="--task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --augment --amp --no-progress --seed 0"
T="timeout 490 python3 -m quweit.train"
$T $C --epochs 18 --model dense --lr 1e-3 --out runs/dense18 > $OUT/dense18.log 2>&1 &
$T $C --epochs 40 --model dense --lr 1e-3 --out runs/dense40 > $OUT/dense40.log 2>&1 &
$T $C --epochs 18 --model quweit --lr 1e-3 --lut-lr 1e-2 --out runs/quweit18a > $OUT/quweit18a.log 2>&1 &
$T $C --epochs 18 --model quweit --lr 2e-3 --lut-lr 2e-2 --out runs/quweit18b > $OUT/quweit18b.log 2>&1 &
timeout 490 python3 -m quweit.train --task fashion-vit --batch-size 256 --dim 64 --depth 2 --heads 2 --patch-size 4 --augment --amp --no-progress --seed 0 --epochs 10 --model quweit --lr 1e-3 --lut-lr 1e-2 --lut-layers 1024,1024 --out runs/small > $OUT/small.log 2>&1 &
wait
tar czf $OUT/runs3.tgz --exclude=last.pt runs
ls -la $OUT
