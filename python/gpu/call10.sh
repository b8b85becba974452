#!/bin/bash
# Call 10 (session 3): check the training CLI's --cuda-graph path (1 epoch each way, isolated), train
# the dense twin (teacher), then concurrently: QuWeiT with distillation (KD), with KD + init from the
# dense twin, and the no-augmentation pair.
W=${QUWEIT_PY:-python}
export PYTHONPATH=$W PYTHONUNBUFFERED=1 QUWEIT_FASHION_MNIST=${QUWEIT_FASHION_MNIST:-python/.data}
OUT=${OUT:-/tmp/out}; R=/tmp/runs; L=/tmp/logs; mkdir -p $R $L
START=$(date +%s); left() { echo $(( ${BUDGET:-560} - ($(date +%s) - START) )); }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $L/env.txt
python3 -c "import torch, triton; print(torch.__version__, triton.__version__)" | tee -a $L/env.txt
VIT="--task fashion-vit --batch-size 256 --dim 128 --depth 4 --heads 4 --patch-size 4 --amp --no-progress --seed 0"
Q="--model quweit --lr 2e-3 --lut-lr 2e-2 --ffn-scale 0.1 --bits 16"
D="--model dense --lr 1e-3"
for m in dense quweit; do
  M=$D; [ $m = quweit ] && M=$Q
  for g in eager graph; do
    G=""; [ $g = graph ] && G="--cuda-graph"
    timeout 60 python3 -m quweit.train $VIT --augment $M --epochs 1 $G --no-plot --out $R/smoke_${m}_$g > $L/smoke_${m}_$g.log 2>&1
    echo "smoke $m $g rc=$? $(grep epoch_time $L/smoke_${m}_$g.log | tail -1 | cut -c1-200)"
  done
done
G="--cuda-graph"
# keep the graph path only if, for both models, its 1-epoch accuracy is within 3 points of eager's
python3 - $L <<'PY' || G=""
import json, sys
acc = lambda f: json.loads([l for l in open(f"{sys.argv[1]}/{f}.log") if '"test_acc"' in l][-1])["test_acc"]
ok = all(acc(f"smoke_{m}_graph") >= acc(f"smoke_{m}_eager") - 0.03 for m in ("dense", "quweit"))
print("graph smoke", "ok" if ok else "FAILED"); sys.exit(0 if ok else 1)
PY
echo "graph flag for the runs: '$G'"
timeout $(left) python3 -m quweit.train $VIT --augment $D --epochs 30 $G --out $R/d30 > $L/d30.log 2>&1
echo "d30: $(tail -1 $L/d30.log | cut -c1-200)"
cp $R/d30/best.pt $OUT/d30.best.pt; cp $R/d30/best.json $OUT/d30.best.json
T=$(left)
timeout $T python3 -m quweit.train $VIT --augment $Q --epochs 30 $G --teacher $R/d30/best.pt --out $R/q30kd > $L/q30kd.log 2>&1 &
timeout $T python3 -m quweit.train $VIT --augment $Q --epochs 30 $G --teacher $R/d30/best.pt --init-from $R/d30/best.pt --out $R/q30kdi > $L/q30kdi.log 2>&1 &
timeout $T python3 -m quweit.train $VIT $Q --epochs 30 $G --out $R/q30na > $L/q30na.log 2>&1 &
timeout $T python3 -m quweit.train $VIT $D --epochs 30 $G --out $R/d30na > $L/d30na.log 2>&1 &
wait
for f in $L/*.log; do echo "$f: $(grep -v -i warn $f | tail -1 | cut -c1-220)"; done
tar czf $OUT/runs.tgz --exclude='*.pt' -C /tmp runs
tar czf $OUT/logs.tgz -C /tmp logs
for r in q30kd q30kdi; do cp $R/$r/best.pt $OUT/$r.best.pt 2>/dev/null; done
ls -la $OUT
