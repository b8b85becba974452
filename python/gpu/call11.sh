#!/bin/bash
# Call 11 (session 3): isolated speed of the QuWeiT-ViT training step under --cuda-graph (2 epochs),
# then concurrently four distillation + init-from-dense runs against call 10's dense twin
# (TEACHER=its best.pt): lower lr, heavier distillation, a wider second LUT layer, and all three.
W=${QUWEIT_PY:-python}
export PYTHONPATH=$W PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=${QUWEIT_FASHION_MNIST:-python/.data}
OUT=${OUT:-/tmp/out}; R=/tmp/runs; L=/tmp/logs; mkdir -p $R $L
START=$(date +%s); left() { echo $(( ${BUDGET:-560} - ($(date +%s) - START) )); }
TE=${TEACHER:-python/runs/s3/teacher/d30.best.pt}
VIT="--task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --amp --no-progress --seed 0 --cuda-graph"
Q="--model quweit --lr 2e-3 --lut-lr 2e-2 --ffn-scale 0.1 --bits 16 --augment"
timeout 60 python3 -m quweit.train $VIT $Q --epochs 2 --no-plot --out $R/speed_q > $L/speed_q.log 2>&1
grep epoch_time $L/speed_q*.log | cut -c1-250
KDI="--teacher $TE --init-from $TE"
T=$(left)
timeout $T python3 -m quweit.train $VIT $Q $KDI --epochs 30 --lr 1e-3 --out $R/kdi_lr1 > $L/kdi_lr1.log 2>&1 &
timeout $T python3 -m quweit.train $VIT $Q $KDI --epochs 30 --kd-alpha 0.9 --out $R/kdi_a9 > $L/kdi_a9.log 2>&1 &
timeout $T python3 -m quweit.train $VIT $Q $KDI --epochs 30 --lut-layers 2048,4096 --out $R/kdi_w > $L/kdi_w.log 2>&1 &
timeout $T python3 -m quweit.train $VIT $Q $KDI --epochs 30 --lr 1e-3 --kd-alpha 0.9 --lut-layers 2048,4096 --out $R/kdi_all > $L/kdi_all.log 2>&1 &
wait
for f in $L/*.log; do echo "$f: $(grep -v -i warn $f | tail -1 | cut -c1-220)"; done
tar czf $OUT/runs.tgz --exclude='*.pt' -C /tmp runs
tar czf $OUT/logs.tgz -C /tmp logs
for r in kdi_lr1 kdi_a9 kdi_w kdi_all; do cp $R/$r/best.pt $OUT/$r.best.pt 2>/dev/null; done
ls -la $OUT
