#!/usr/bin/env bash
# Sets everything up, then runs the shipped example model with the reference
# evaluator and prints its class scores and predicted classes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
BUILD_DIR=${QUWEIT_BUILD_DIR:-$ROOT/build}
MODEL="$ROOT/examples/tiny_dwn/model.mlir"
INPUT="$ROOT/examples/tiny_dwn/input.npy"
echo "== quweit-run $MODEL (reference evaluator)"
"$BUILD_DIR/bin/quweit-run" "$MODEL" --input "$INPUT"
