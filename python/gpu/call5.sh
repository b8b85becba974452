#!/bin/bash
# Call 5 (this session's first): GPU tests, DWN speed (eager and CUDA graph), ViT step profile,
# then concurrently: DWN 10-epoch accuracy runs, the GPT pair and the 40-epoch ViT pair.
W=${QUWEIT_PY:-python}
export PYTHONPATH=$W PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=${QUWEIT_FASHION_MNIST:-python/.data}
export QUWEIT_BIBLE_TEXT=${QUWEIT_BIBLE_TEXT:-$W/kjv.txt}
OUT=${OUT:-/tmp/out}; R=/tmp/runs; mkdir -p $R
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $OUT/env.txt
python3 -c "import torch, triton; print(torch.__version__, triton.__version__)" >> $OUT/env.txt
timeout 100 python3 -m pytest $W/tests/test_gpu.py -q -x > $OUT/pytest_gpu.txt 2>&1
tail -3 $OUT/pytest_gpu.txt
B=$OUT/bench.txt
timeout 45 python3 -m quweit.dwn --epochs 0 --bench-steps 100 >> $B 2>&1
timeout 45 python3 -m quweit.dwn --epochs 0 --bench-steps 200 --cuda-graph >> $B 2>&1
timeout 60 python3 $W/gpu/profile_vit.py --batch 256 >> $B 2>&1
grep -v Warn $B | grep -v warn | head -60
VIT="--task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --augment --amp --no-progress --seed 0"
GPT="--task char-gpt --batch-size 64 --block-size 128 --dim 128 --depth 4 --heads 4 --amp --no-progress --seed 0 --steps 4000 --eval-interval 500"
L=$OUT/train; mkdir -p $L
timeout 290 python3 -m quweit.dwn --epochs 10 --batch-size 256 --bench-batch-sizes "" --cuda-graph > $L/dwn_b256_cos.txt 2>&1 &
timeout 290 python3 -m quweit.dwn --epochs 10 --batch-size 32 --bench-batch-sizes "" --cuda-graph --schedule step > $L/dwn_b32_step.txt 2>&1 &
timeout 290 python3 -m quweit.dwn --epochs 10 --batch-size 32 --bench-batch-sizes "" --cuda-graph > $L/dwn_b32_cos.txt 2>&1 &
timeout 290 python3 -m quweit.train $GPT --model dense --lr 1e-3 --out $R/gpt_dense > $L/gpt_dense.log 2>&1 &
timeout 290 python3 -m quweit.train $GPT --model quweit --lr 1e-3 --lut-lr 1e-2 --out $R/gpt_quweit > $L/gpt_quweit.log 2>&1 &
timeout 290 python3 -m quweit.train $VIT --epochs 40 --model quweit --lr 2e-3 --lut-lr 2e-2 --out $R/vit_q40 > $L/vit_q40.log 2>&1 &
timeout 290 python3 -m quweit.train $VIT --epochs 40 --model quweit --lr 2e-3 --lut-lr 2e-2 --lut-layers 4096,4096 --out $R/vit_q40w > $L/vit_q40w.log 2>&1 &
wait
tail -n 3 $L/*
tar czf $OUT/runs.tgz --exclude='*.pt' -C /tmp runs
tar czf $OUT/ckpt.tgz -C /tmp runs/vit_q40/last.pt runs/vit_q40w/last.pt runs/gpt_quweit/last.pt runs/gpt_dense/last.pt 2>/dev/null
tar czf $OUT/logs.tgz -C $OUT train
ls -la $OUT
