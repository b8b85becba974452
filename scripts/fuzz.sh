#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, instrumented with ASan + UBSan in
# build-fuzz/), replays the checked-in crash reproducers, then fuzzes each
# target for a bounded time. See docs/reliability.md.
#
#   scripts/fuzz.sh                      30 s per target (scripts/test.sh runs this)
#   scripts/fuzz.sh --seconds 120        longer bounded run
#   scripts/fuzz.sh --seed 7             another libFuzzer seed (default 1)
#   scripts/fuzz.sh --long               1 hour per target at nice 19, on a corpus
#                                        kept in build-fuzz/corpus-long/ across runs
#   scripts/fuzz.sh --junit DIR          also write DIR/fuzz-<target>.xml
#   scripts/fuzz.sh fuzz-parse ...       only these targets
#   QUWEIT_FUZZ_BUILD_DIR=dir            build elsewhere (default build-fuzz)
#   QUWEIT_FUZZ_JOBS=N                   fuzz each target with N processes
#
# A crash leaves its input in build-fuzz/crashes/; reproduce it with
#   QUWEIT_FUZZ_VERBOSE=1 build-fuzz/bin/<target> <file>
# then fix it and add the file to fuzz/regressions/<target>/.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${QUWEIT_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
MAIN_BUILD=${QUWEIT_BUILD_DIR:-$ROOT/build}
SECONDS_PER_TARGET=30
SEED=1
LONG=0
JUNIT=""
TARGETS=()
while (($#)); do
  case "$1" in
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --long) LONG=1; SECONDS_PER_TARGET=3600; shift ;;
    --junit) JUNIT=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    fuzz-*) TARGETS+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
((${#TARGETS[@]})) || TARGETS=(fuzz-parse fuzz-evaluate fuzz-pipelines)

QUWEIT_FUZZ_BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/configure-instrumented.sh" quweit-fuzzers || exit 1

SEEDS="$BUILD_DIR/corpus-seeds"
rm -rf "$SEEDS"
/usr/bin/python3 "$ROOT/scripts/fuzz_corpus.py" "$SEEDS" --quweit-opt "$MAIN_BUILD/bin/quweit-opt" || exit 1
mkdir -p "$BUILD_DIR/crashes" "$BUILD_DIR/fuzz-logs"
[[ -n "$JUNIT" ]] && mkdir -p "$JUNIT"

# Leaks inside MLIR's uniquers are process-lifetime caches, not bugs of one
# input; ASan's leak check stays on for the unit tests.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
# junit_case NAME SECONDS FAILURE_FILE_OR_EMPTY
junit_case() {
  printf '<testcase classname="fuzz" name="%s" time="%s"' "$1" "$2"
  if [[ -n "$3" ]]; then
    printf '>\n<failure message="fuzzer failed">'
    tail -c 6000 "$3" | xml_escape
    printf '</failure>\n</testcase>\n'
  else
    printf '/>\n'
  fi
}

status=0
for target in "${TARGETS[@]}"; do
  binary="$BUILD_DIR/bin/$target"
  log="$BUILD_DIR/fuzz-logs/$target.log"
  cases=""
  # 1. Every reproducer of a crash fixed earlier must stay fixed.
  regressions=("$ROOT/fuzz/regressions/$target"/*)
  if [[ -e "${regressions[0]}" ]]; then
    t0=$(date +%s)
    if "$binary" "${regressions[@]}" >"$log.replay" 2>&1; then
      cases+=$(junit_case "$target: replay ${#regressions[@]} regression inputs" $(( $(date +%s) - t0 )) "")
      echo "fuzz.sh: $target: ${#regressions[@]} regression inputs pass"
    else
      cases+=$(junit_case "$target: replay ${#regressions[@]} regression inputs" $(( $(date +%s) - t0 )) "$log.replay")
      echo "fuzz.sh: $target: a regression input fails again (see $log.replay)"; status=1
    fi
  fi
  # 2. Fuzz. Bounded runs start from the seeds alone with a fixed seed, so
  # that the same commit explores the same inputs; long runs grow a corpus.
  if ((LONG)); then
    corpus="$BUILD_DIR/corpus-long/$target"; mkdir -p "$corpus"
    nice_cmd=(nice -n 19)
    seed_args=()
  else
    corpus="$BUILD_DIR/corpus-run/$target"; rm -rf "$corpus"; mkdir -p "$corpus"
    nice_cmd=()
    seed_args=(-seed="$SEED")
  fi
  jobs=()
  [[ -n "${QUWEIT_FUZZ_JOBS:-}" ]] && jobs=(-fork="$QUWEIT_FUZZ_JOBS")
  t0=$(date +%s)
  "${nice_cmd[@]}" "$binary" "$corpus" "$SEEDS/$target" "${seed_args[@]}" "${jobs[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=16384 -timeout=20 -rss_limit_mb=4096 \
    -dict="$ROOT/fuzz/mlir.dict" -print_final_stats=1 \
    -artifact_prefix="$BUILD_DIR/crashes/$target-" >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - t0 ))
  execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -aoE '(cov|ft): [0-9]+' "$log" | tail -2 | tr '\n' ' ')
  if ((rc == 0)); then
    cases+=$(junit_case "$target: fuzz ${SECONDS_PER_TARGET} s (${execs:-?} executions)" "$elapsed" "")
    echo "fuzz.sh: $target: ${execs:-?} executions in $elapsed s, no crash (${cov}corpus $(ls "$corpus" | wc -l) files)"
  else
    cases+=$(junit_case "$target: fuzz ${SECONDS_PER_TARGET} s" "$elapsed" "$log")
    echo "fuzz.sh: $target: FAILED after $elapsed s (exit $rc); input in $BUILD_DIR/crashes/, log $log"
    grep -a -m3 -E 'ERROR|invariant|SUMMARY' "$log" | sed 's/^/  /'
    status=1
  fi
  if [[ -n "$JUNIT" ]]; then
    { echo '<?xml version="1.0" encoding="UTF-8"?>'
      echo "<testsuites><testsuite name=\"$target\">"
      printf '%s\n' "$cases"
      echo '</testsuite></testsuites>'; } >"$JUNIT/fuzz-$target.xml"
  fi
done
exit $status
