#!/bin/bash
# Call 7: pick the fastest table-gradient kernel for the ViT step (dot / onehot / atomic), profile the
# ViT pair with it, then concurrently: QuWeiT-ViT 16-bit thermometer + FFN scale 0.1 for 30 and for
# 40 epochs, and the GPT QuWeiT run with the same FFN options.
W=${QUWEIT_PY:-python}
export PYTHONPATH=$W PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=${QUWEIT_FASHION_MNIST:-python/.data}
export QUWEIT_BIBLE_TEXT=${QUWEIT_BIBLE_TEXT:-$W/kjv.txt}
OUT=${OUT:-/tmp/out}; R=/tmp/runs; L=/tmp/logs; mkdir -p $R $L
timeout 60 python3 -m pytest $W/tests/test_gpu.py -q -x -k "table_grad or bits_major" > $L/pytest_gpu.txt 2>&1
tail -2 $L/pytest_gpu.txt
best=dot; bestms=1000000
for k in dot onehot atomic; do
  ms=$(QUWEIT_LUT_TABLE_GRAD=$k timeout 40 python3 $W/gpu/profile_vit.py --models quweit --no-profile --steps 30 2>/dev/null | sed -n 's/^quweit: \([0-9.]*\) ms.*/\1/p')
  echo "$k ${ms:-failed}" | tee -a $L/tablegrad.txt
  if [ -n "$ms" ] && awk "BEGIN{exit !($ms < $bestms)}"; then best=$k; bestms=$ms; fi
done
export QUWEIT_LUT_TABLE_GRAD=$best; echo "chosen $best" | tee -a $L/tablegrad.txt
timeout 60 python3 $W/gpu/profile_vit.py --batch 256 > $L/profile_vit.txt 2>&1
grep -v -i warn $L/profile_vit.txt | head -12
VIT="--task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --augment --amp --no-progress --seed 0"
GPT="--task char-gpt --batch-size 64 --block-size 128 --dim 128 --depth 4 --heads 4 --amp --no-progress --seed 0 --steps 4000 --eval-interval 500"
Q="--model quweit --lr 2e-3 --lut-lr 2e-2 --ffn-scale 0.1 --bits 16"
T=400
timeout $T python3 -m quweit.train $VIT $Q --epochs 30 --out $R/q30s16 > $L/q30s16.log 2>&1 &
timeout $T python3 -m quweit.train $VIT $Q --epochs 40 --out $R/q40s16 > $L/q40s16.log 2>&1 &
timeout $T python3 -m quweit.train $GPT --model quweit --lr 1e-3 --lut-lr 2e-2 --ffn-scale 0.1 --bits 16 --out $R/gpt_q16 > $L/gpt_q16.log 2>&1 &
wait
for f in $L/*.log; do echo "$f: $(grep -v -i warn $f | tail -1 | cut -c1-220)"; done
tar czf $OUT/runs.tgz --exclude='*.pt' -C /tmp runs
tar czf $OUT/logs.tgz -C /tmp logs
cp $R/q30s16/best.pt $OUT/q30s16.best.pt 2>/dev/null
ls -la $OUT
