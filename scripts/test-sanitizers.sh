#!/usr/bin/env bash
# Runs the lit and unit tests on the instrumented build (build-fuzz/:
# AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer, see
# scripts/configure-instrumented.sh). scripts/test.sh runs it; see
# docs/reliability.md for the timings.
#
#   scripts/test-sanitizers.sh               lit + unit tests
#   scripts/test-sanitizers.sh --unit-only   unit tests only
#   scripts/test-sanitizers.sh --junit DIR   write DIR/asan-lit.xml, DIR/asan-gtest.xml
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${QUWEIT_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
UNIT_ONLY=0
JUNIT=""
while (($#)); do
  case "$1" in
    --unit-only) UNIT_ONLY=1; shift ;;
    --junit) JUNIT=$2; shift 2 ;;
    *) echo "test-sanitizers.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
targets=(QuWeiTUnitTests)
((UNIT_ONLY)) || targets=(QuWeiTUnitTests quweit-opt quweit-translate quweit-run quweit-compile quweit-doc)
QUWEIT_FUZZ_BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/configure-instrumented.sh" "${targets[@]}" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
start=$(date +%s)
gtest_xml=(); lit_xml=()
if [[ -n "$JUNIT" ]]; then
  mkdir -p "$JUNIT"
  gtest_xml=(--gtest_output="xml:$JUNIT/asan-gtest.xml")
  lit_xml=(--xunit-xml-output="$JUNIT/asan-lit.xml")
fi
"$BUILD_DIR/unittests/QuWeiTUnitTests" --gtest_brief=1 "${gtest_xml[@]}" || status=1
if ((!UNIT_ONLY)); then
  /usr/lib/llvm-22/bin/lit -q "${lit_xml[@]}" "$BUILD_DIR/test" || status=1
fi
echo "test-sanitizers.sh: tests took $(( $(date +%s) - start )) s"
exit $status
