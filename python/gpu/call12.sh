#!/bin/bash
# Call 12 (session 3): GPU tests (incl. the training CLI's --cuda-graph path), then concurrently:
# the one-command recipe (--preset fashion-vit-kd, seed 1: dense twin, then QuWeiT distilled from it)
# and two ablations of it at seed 0 against call 10's dense twin: init-from-dense without
# distillation, and neither (the preset's hyperparameters alone).
W=${QUWEIT_PY:-python}
export PYTHONPATH=$W PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=${QUWEIT_FASHION_MNIST:-python/.data}
OUT=${OUT:-/tmp/out}; R=/tmp/runs; L=/tmp/logs; mkdir -p $R $L
START=$(date +%s); left() { echo $(( ${BUDGET:-500} - ($(date +%s) - START) )); }
TE=${TEACHER:-python/runs/s3/teacher/d30.best.pt}
C="--cuda-graph --no-progress"
timeout 150 python3 -m pytest $W/tests/test_gpu.py -q -x -p no:cacheprovider > $L/pytest_gpu.txt 2>&1 &
sleep 20
T=$(left)
timeout $T python3 -m quweit.train --preset fashion-vit-kd $C --seed 1 --out $R/preset_kd_s1 > $L/preset_kd_s1.log 2>&1 &
timeout $T python3 -m quweit.train --preset fashion-vit $C --seed 0 --init-from $TE --out $R/init_only > $L/init_only.log 2>&1 &
timeout $T python3 -m quweit.train --preset fashion-vit $C --seed 0 --out $R/plain_lr1 > $L/plain_lr1.log 2>&1 &
wait
tail -3 $L/pytest_gpu.txt
for f in $L/*.log; do echo "$f: $(grep -v -i warn $f | tail -1 | cut -c1-220)"; done
tar czf $OUT/runs.tgz --exclude='*.pt' -C /tmp runs
tar czf $OUT/logs.tgz -C /tmp logs
cp $R/preset_kd_s1/last.pt $OUT/preset_kd_s1.last.pt 2>/dev/null
ls -la $OUT
