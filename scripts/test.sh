#!/usr/bin/env bash
# Sets everything up, then runs every test: lit (FileCheck regression tests),
# GoogleTest unit tests and pytest; then the reliability jobs
# (docs/reliability.md): lit and unit tests again on the ASan + UBSan build,
# bounded fuzzing of every libFuzzer target, and a bounded differential test
# of the backends. Prints one summary line "N passed, N failed, N skipped" and
# exits non-zero if anything failed.
#
#   QUWEIT_FUZZ_SECONDS=N        seconds per fuzz target (default 30; 0 skips)
#   QUWEIT_DIFFTEST_SECONDS=N    differential test budget (default 90)
#   QUWEIT_SANITIZED_TESTS=unit  only the unit tests on the ASan build
#   QUWEIT_RELIABILITY=0         skip the reliability jobs (quick local runs)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${QUWEIT_BUILD_DIR:-$ROOT/build}
start=$(date +%s)
"$ROOT/scripts/setup.sh" || { echo "setup/build failed"; exit 1; }
RESULTS="$BUILD_DIR/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
status=0

echo "== lit"
/usr/lib/llvm-22/bin/lit -q --xunit-xml-output="$RESULTS/lit.xml" "$BUILD_DIR/test" || status=1

echo "== unit tests"
"$BUILD_DIR/unittests/QuWeiTUnitTests" --gtest_brief=1 \
  --gtest_output="xml:$RESULTS/gtest.xml" || status=1

if [[ -d "$ROOT/python/tests" ]]; then
  echo "== pytest"
  (cd "$ROOT" && PYTHONPATH="$ROOT/python" QUWEIT_BUILD_DIR="$BUILD_DIR" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests \
    --junitxml="$RESULTS/pytest.xml") || status=1
fi

if [[ "${QUWEIT_RELIABILITY:-1}" != 0 ]]; then
  echo "== lit + unit tests under ASan + UBSan + LSan (build-fuzz/)"
  sanitized=()
  [[ "${QUWEIT_SANITIZED_TESTS:-all}" == unit ]] && sanitized=(--unit-only)
  "$ROOT/scripts/test-sanitizers.sh" "${sanitized[@]}" --junit "$RESULTS" || status=1

  if [[ "${QUWEIT_FUZZ_SECONDS:-30}" != 0 ]]; then
    echo "== fuzzing (bounded)"
    "$ROOT/scripts/fuzz.sh" --seconds "${QUWEIT_FUZZ_SECONDS:-30}" --junit "$RESULTS" || status=1
  else
    echo "== fuzzing skipped (QUWEIT_FUZZ_SECONDS=0)"
  fi

  echo "== differential test (bounded)"
  /usr/bin/python3 "$ROOT/scripts/difftest.py" --seconds "${QUWEIT_DIFFTEST_SECONDS:-90}" \
    --build-dir "$BUILD_DIR" --verilog-every 4 --junit "$RESULTS/difftest.xml" || status=1
fi

/usr/bin/python3 "$ROOT/scripts/summarize_tests.py" "$RESULTS"/*.xml || status=1
echo "test.sh: $(( $(date +%s) - start )) s in all"
exit $status
