#!/usr/bin/env bash
# Configures (once) and builds the instrumented build directory shared by
# scripts/fuzz.sh and scripts/test-sanitizers.sh: every library and tool
# compiled with AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer
# through ASan) and libFuzzer's coverage instrumentation
# (-DQUWEIT_ENABLE_FUZZERS=ON), at -O1 with line tables for readable stacks.
#
#   scripts/configure-instrumented.sh [ninja targets...]
#   QUWEIT_FUZZ_BUILD_DIR=dir    default: build-fuzz/
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${QUWEIT_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$ROOT")}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  mkdir -p "$BUILD_DIR"
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -gline-tables-only -DNDEBUG" \
    "-DCMAKE_C_FLAGS_RELEASE=-O1 -gline-tables-only -DNDEBUG" \
    -DQUWEIT_ENABLE_FUZZERS=ON -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DPython3_EXECUTABLE=/usr/bin/python3 -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    >"$BUILD_DIR.configure.log" 2>&1 || { cat "$BUILD_DIR.configure.log" >&2; exit 1; }
fi
start=$(date +%s)
ninja -C "$BUILD_DIR" -j"${QUWEIT_JOBS:-2}" "$@" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
test "${PIPESTATUS[0]}" -eq 0 || { echo "configure-instrumented.sh: build failed" >&2; exit 1; }
echo "instrumented build ($BUILD_DIR, ${*:-all}): $(( $(date +%s) - start )) s"
