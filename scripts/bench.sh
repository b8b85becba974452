#!/usr/bin/env bash
# Runs every CPU benchmark of issue #4 and prints the figures next to their
# targets (docs/performance.md): P1 (one LUT layer, both code generation
# modes, batch 1..4096, 1 and 2 threads), P2 (LUT FFN vs the dense FFN
# through OpenBLAS, batch 1/64/1024) and P4 (quweit-compile time and peak
# memory for one layer of 10k, 100k and 1M LUTs; specialised mode against
# clang -O2 on equivalent C) and P3 (the Fashion-MNIST QuWeiT-ViT and
# its dense twin compiled whole, with each --matmul lowering, against the dense
# twin in PyTorch; once with glibc's default malloc and once with
# MALLOC_TRIM_THRESHOLD_ raised and MALLOC_MMAP_MAX_=0 for both sides, which
# keeps freed temporaries mapped between calls). One core (taskset -c $QUWEIT_BENCH_CORE,
# default 1) unless a row says 2 threads. Not part of the test command.
#   scripts/bench.sh [--quick]     --quick: P4 without the 1M-LUT model
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${QUWEIT_BUILD_DIR:-$ROOT/build}
CORE=${QUWEIT_BENCH_CORE:-1}
OUT=$BUILD/bench/results
mkdir -p "$OUT"
sizes="10000 100000 1000000"
[[ "${1:-}" == "--quick" ]] && sizes="10000 100000"

ninja -C "$BUILD" quweit-compile quweit-bench quweit-bench-p2 quweit-bench-p3
# One-thread rows pinned to one core; two-thread rows (wall time) unpinned,
# or both threads would share the pinned core.
taskset -c "$CORE" "$BUILD/bench/quweit-bench" --benchmark_min_time=1 --benchmark_filter=-2_threads \
  --benchmark_out="$OUT/p1.json" --benchmark_out_format=json
"$BUILD/bench/quweit-bench" --benchmark_min_time=1 --benchmark_filter=2_threads \
  --benchmark_out="$OUT/p1_threads.json" --benchmark_out_format=json
OPENBLAS_NUM_THREADS=1 taskset -c "$CORE" "$BUILD/bench/quweit-bench-p2" --benchmark_filter=-2_threads \
  --benchmark_min_time=1 --benchmark_out="$OUT/p2.json" --benchmark_out_format=json
OPENBLAS_NUM_THREADS=1 "$BUILD/bench/quweit-bench-p2" --benchmark_filter=2_threads \
  --benchmark_min_time=1 --benchmark_out="$OUT/p2_threads.json" --benchmark_out_format=json

# P4: wall time and peak memory of quweit-compile with the default options
# (table-driven above 2048 LUTs) on a model of one layer of M LUTs with one
# (bit-sliced) entry point; best of 3 runs (the machine is shared).
p4="$OUT/p4.txt"
: > "$p4"
for luts in $sizes; do
  model="$OUT/p4_$luts.mlir"
  /usr/bin/python3 "$ROOT/bench/gen_p1_model.py" --luts "$luts" --entry sliced -o "$model"
  runs="$OUT/p4_runs.txt"
  : > "$runs"
  for _ in 1 2 3; do
    /usr/bin/time -f "$luts %e %M" -a -o "$runs" \
      "$BUILD/bin/quweit-compile" "$model" -O3 -o "$OUT/p4_$luts.o"
  done
  sort -n -k2 "$runs" | head -1 >> "$p4"
  rm -f "$model" "$OUT/p4_$luts.o" "$runs"
done
# P4, specialised mode against clang -O2 on equivalent C (bench/gen_p1_c.py:
# the same tables as vpternlog intrinsics): P1's bit-sliced layer, 8192 LUTs.
spec="$OUT/p4_specialise.txt"
: > "$spec"
/usr/bin/python3 "$ROOT/bench/gen_p1_model.py" --entry sliced -o "$OUT/p4_spec.mlir"
/usr/bin/python3 "$ROOT/bench/gen_p1_c.py" -o "$OUT/p4_spec.c"
/usr/bin/time -f "quweit-compile 8192 %e %M" -a -o "$spec" \
  "$BUILD/bin/quweit-compile" "$OUT/p4_spec.mlir" -O3 --lut-codegen=specialise -o "$OUT/p4_spec.o"
/usr/bin/time -f "clang-22 8192 %e %M" -a -o "$spec" \
  clang-22 -O2 -mavx512f -c "$OUT/p4_spec.c" -o "$OUT/p4_spec_c.o"
rm -f "$OUT/p4_spec.mlir" "$OUT/p4_spec.c" "$OUT/p4_spec.o" "$OUT/p4_spec_c.o"
# P3, default malloc, then with freed memory kept (no page faults per call).
p3_run() {
  env OPENBLAS_NUM_THREADS=1 "$@" taskset -c "$CORE" "$BUILD/bench/quweit-bench-p3" \
    --benchmark_min_time=1 --benchmark_repetitions=3 --benchmark_out="$OUT/p3$suffix.json" --benchmark_out_format=json
  env OPENBLAS_NUM_THREADS=1 "$@" taskset -c "$CORE" /usr/bin/python3 \
    "$ROOT/bench/p3_torch_dense.py" --json "$OUT/p3_torch$suffix.json"
}
suffix="" p3_run
suffix="_malloc" p3_run MALLOC_TRIM_THRESHOLD_=4294967295 MALLOC_MMAP_MAX_=0

/usr/bin/python3 "$ROOT/bench/report.py" "$OUT/p1.json,$OUT/p1_threads.json" \
  "$OUT/p2.json,$OUT/p2_threads.json" "$p4" \
  "$OUT/p3.json" "$OUT/p3_torch.json" "default malloc" \
  "$OUT/p3_malloc.json" "$OUT/p3_torch_malloc.json" "MALLOC_TRIM_THRESHOLD_=4294967295 MALLOC_MMAP_MAX_=0"
