#!/usr/bin/env bash
# Sets everything up, then runs the shipped example model twice: with the
# reference evaluator (quweit-run), and compiled to a native object linked
# into a small C program (quweit-compile + cc); both print the predicted
# classes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
BUILD_DIR=${QUWEIT_BUILD_DIR:-$ROOT/build}
MODEL="$ROOT/examples/tiny_dwn/model.mlir"
INPUT="$ROOT/examples/tiny_dwn/input.npy"
echo "== reference evaluator: quweit-run $MODEL"
"$BUILD_DIR/bin/quweit-run" "$MODEL" --input "$INPUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "== native: quweit-compile -> model.o + model.h, linked with examples/classify.c"
"$BUILD_DIR/bin/quweit-compile" "$MODEL" -o "$WORK/model.o" --header "$WORK/model.h"
CC=${CC:-$(command -v cc || command -v clang-22)}
"$CC" -I"$WORK" -DCLASSES=3 "$ROOT/examples/classify.c" "$WORK/model.o" -o "$WORK/classify" -lm
"$WORK/classify" "$INPUT"
