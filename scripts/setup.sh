#!/usr/bin/env bash
# Installs the Debian packages QuWeiT needs (only the missing ones; silent when
# all are present), then configures and builds the project in build/.
#
#   scripts/setup.sh            install + configure + build
#   QUWEIT_BUILD_DIR=dir ...    build elsewhere
#   QUWEIT_SKIP_APT=1 ...       never call apt-get (report what is missing)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${QUWEIT_BUILD_DIR:-$ROOT/build}

PACKAGES=(
  # C++ toolchain and the system LLVM/MLIR 22 (docs/building.md)
  cmake ninja-build ccache clang-22 lld-22
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libgtest-dev libbenchmark-dev libomp-22-dev
  # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh, docs/reliability.md)
  libclang-rt-22-dev
  # Python side: Debian's torch (CPU), numpy and test tools
  python3 python3-numpy python3-torch python3-pytest python3-tqdm
  python3-matplotlib python3-pip python3-setuptools python3-wheel
  # Fast BLAS for torch/numpy and the dense baselines
  libopenblas0-pthread libopenblas-dev
  # Hardware: lint, simulation and synthesis of the emitted Verilog
  verilator yosys iverilog
  # Data: Fashion-MNIST and a char-level corpus
  dataset-fashion-mnist bible-kjv
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  if [[ "${QUWEIT_SKIP_APT:-0}" == 1 ]]; then
    echo "setup: missing packages (QUWEIT_SKIP_APT=1): ${missing[*]}" >&2
    exit 1
  fi
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
  echo "setup: installing ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$ROOT")}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >"$BUILD_DIR.configure.log" 2>&1 \
    || { cat "$BUILD_DIR.configure.log" >&2; exit 1; }
fi
ninja -C "$BUILD_DIR" -j"${QUWEIT_JOBS:-2}" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
test "${PIPESTATUS[0]}" -eq 0
