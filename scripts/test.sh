#!/usr/bin/env bash
# Sets everything up, then runs every test: lit (FileCheck regression tests),
# GoogleTest unit tests and pytest. Prints one summary line
# "N passed, N failed, N skipped" and exits non-zero if anything failed.
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

/usr/bin/python3 "$ROOT/scripts/summarize_tests.py" "$RESULTS"/*.xml || status=1
echo "test.sh: $(( $(date +%s) - start )) s in all"
exit $status
