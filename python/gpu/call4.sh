#!/bin/bash
# Final runs: the QuWeiT-ViT 18-epoch config (lr 2e-3, LUT lr 2e-2) alone, and the small example model.
export PYTHONPATH=python PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=python/.data
OUT=${OUT:-/tmp/out}
timeout 400 python3 -m quweit.train --task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --augment --amp --no-progress --seed 0 --epochs 18 --model quweit --lr 2e-3 --lut-lr 2e-2 --out python/runs/quweit18b > $OUT/quweit18b.log 2>&1 &
timeout 400 python3 -m quweit.train --task fashion-vit --batch-size 256 --dim 64 --depth 2 --heads 2 --patch-size 4 --augment --amp --no-progress --seed 0 --epochs 12 --model quweit --lr 2e-3 --lut-lr 2e-2 --lut-layers 1024,1024 --out python/runs/small > $OUT/small.log 2>&1 &
wait
tar czf $OUT/small.tgz --exclude=last.pt python/runs/small
tar czf $OUT/q18b.tgz --exclude='*.pt' python/runs/quweit18b
ls -la $OUT
