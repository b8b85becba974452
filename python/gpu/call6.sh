#!/bin/bash
# Call 6: GPU tests (with the tensor-core table gradient; falls back to the one-hot kernel if they
# fail), DWN and ViT step speed, then concurrently the 30-epoch ViT pair sweep and the GPT QuWeiT run.
W=${QUWEIT_PY:-python}
export PYTHONPATH=$W PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=${QUWEIT_FASHION_MNIST:-python/.data}
export QUWEIT_BIBLE_TEXT=${QUWEIT_BIBLE_TEXT:-$W/kjv.txt}
OUT=${OUT:-/tmp/out}; R=/tmp/runs; L=/tmp/logs; mkdir -p $R $L
if ! timeout 90 python3 -m pytest $W/tests/test_gpu.py -q -x > $L/pytest_gpu.txt 2>&1; then
  export QUWEIT_LUT_TABLE_GRAD=onehot; echo "FALLBACK onehot" >> $L/pytest_gpu.txt
fi
tail -3 $L/pytest_gpu.txt
B=$L/bench.txt
timeout 45 python3 -m quweit.dwn --epochs 0 --bench-steps 100 >> $B 2>&1
timeout 45 python3 -m quweit.dwn --epochs 0 --bench-steps 200 --cuda-graph >> $B 2>&1
timeout 60 python3 $W/gpu/profile_vit.py --batch 256 >> $B 2>&1
grep -v -i warn $B | head -40
VIT="--task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --augment --amp --no-progress --seed 0 --epochs 30"
GPT="--task char-gpt --batch-size 64 --block-size 128 --dim 128 --depth 4 --heads 4 --amp --no-progress --seed 0 --steps 4000 --eval-interval 500"
T=380
timeout $T python3 -m quweit.train $VIT --model dense --lr 1e-3 --out $R/d30 > $L/d30.log 2>&1 &
timeout $T python3 -m quweit.train $VIT --model quweit --lr 2e-3 --lut-lr 2e-2 --out $R/q30 > $L/q30.log 2>&1 &
timeout $T python3 -m quweit.train $VIT --model quweit --lr 2e-3 --lut-lr 2e-2 --ffn-scale 0.1 --out $R/q30s > $L/q30s.log 2>&1 &
timeout $T python3 -m quweit.train $VIT --model quweit --lr 2e-3 --lut-lr 2e-2 --ffn-scale 0.1 --bits 16 --out $R/q30s16 > $L/q30s16.log 2>&1 &
timeout $T python3 -m quweit.train $GPT --model quweit --lr 1e-3 --lut-lr 2e-2 --ffn-scale 0.1 --out $R/gpt_q > $L/gpt_q.log 2>&1 &
wait
for f in $L/*.log; do echo "$f: $(grep -v -i warn $f | tail -1 | cut -c1-200)"; done
tar czf $OUT/runs.tgz --exclude='*.pt' -C /tmp runs
for r in q30 q30s q30s16; do cp $R/$r/best.pt $OUT/$r.best.pt 2>/dev/null; done
tar czf $OUT/logs.tgz -C /tmp logs
ls -la $OUT
