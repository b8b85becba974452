# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QuWeiT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.quweit_obj_root, "test")
config.excludes = ["Inputs", "Output", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%quweit_src", config.quweit_src_root))
config.substitutions.append(("%quweit_obj", config.quweit_obj_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# FileCheck, not, count come from the LLVM tools directory (mlir22.md).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.quweit_tools_dir, config.llvm_tools_dir]
tools = ["quweit-opt", "quweit-translate", "quweit-run", "quweit-compile"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.add_tool_substitutions(["mlir-opt", "llc", "llvm-nm"], [config.llvm_tools_dir])

# A C compiler for the end-to-end tests (compile, link with a C driver, run).
import shutil
for cc in ["clang-22", "cc", "gcc"]:
    if shutil.which(cc):
        config.substitutions.append(("%cc", shutil.which(cc)))
        config.available_features.add("native-cc")
        break

# AVX-512 (F and VL) on the host: objects whose specialised LUT kernels use
# vpternlog can run here.
try:
    cpu_flags = set(open("/proc/cpuinfo").read().split())
except OSError:
    cpu_flags = set()
if {"avx512f", "avx512vl"} <= cpu_flags:
    config.available_features.add("avx512")

# libomp for objects compiled with --parallel=openmp (Debian's libomp-22-dev).
config.substitutions.append(
    ("%openmp_link", "-L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib"))

# OpenBLAS (Debian's libopenblas-dev) for objects compiled with --matmul=blas.
import os
if os.path.exists("/usr/lib/x86_64-linux-gnu/libopenblas.so") or shutil.which("openblas"):
    config.available_features.add("openblas")

# Hardware tools (Debian: verilator, iverilog, yosys), installed by scripts/setup.sh.
for tool in ["verilator", "iverilog", "yosys"]:
    if shutil.which(tool):
        config.available_features.add(tool)

# PyTorch (Debian's python3-torch for /usr/bin/python3): the tests that build
# models with the quweit Python package.
import subprocess
if subprocess.run([config.python_executable, "-c", "import torch, numpy"],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("torch")
