#!/usr/bin/env bash
# Builds the project with AddressSanitizer + UndefinedBehaviorSanitizer (and
# LeakSanitizer) in build-asan/ and runs the lit and unit tests there.
# Not part of scripts/test.sh (it doubles the build time); see docs/building.md.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${QUWEIT_ASAN_BUILD_DIR:-$ROOT/build-asan}
QUWEIT_BUILD_DIR="$ROOT/build" "$ROOT/scripts/setup.sh" >/dev/null || exit 1
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUWEIT_ENABLE_SANITIZERS=ON -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DPython3_EXECUTABLE=/usr/bin/python3 -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null || exit 1
fi
ninja -C "$BUILD_DIR" -j"${QUWEIT_JOBS:-2}" >/dev/null || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
/usr/lib/llvm-22/bin/lit -q "$BUILD_DIR/test" || status=1
"$BUILD_DIR/unittests/QuWeiTUnitTests" --gtest_brief=1 || status=1
exit $status
