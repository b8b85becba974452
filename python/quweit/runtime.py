"""Compile a model to native code and call it from Python (docs/export.md).

``compile(model_or_mlir_path)`` exports a model (if given one) with :func:`quweit.export.to_mlir`, runs
``quweit-compile ... -o m.o --header m.h --signature m.json``, links ``m.so`` with the C compiler, loads
it with ctypes and returns a :class:`CompiledModel`: a callable on numpy arrays or torch tensors that
returns numpy arrays (a tuple for several results). Every argument is checked against the JSON signature
(dtype, rank, static sizes, one batch for all dynamic dimensions, C order, no NaN) *before* native code
runs; results are allocated here.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

__all__ = ["compile", "CompiledModel", "CompiledFunction", "find_tool", "QuWeiTRuntimeError"]

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_OMP_DIR = "/usr/lib/llvm-22/lib"
_DTYPES = {"float32": np.float32, "float64": np.float64, "int8": np.int8, "int16": np.int16,
           "int32": np.int32, "int64": np.int64, "bool": np.bool_, "uint8": np.uint8, "i1": np.bool_}
_STATUS = {1: "bad batch size (negative, so large that the buffers would pass 2^48 bytes, or different "
              "from the function's static batch size)",
           2: "this CPU lacks an instruction-set feature the object was compiled for (see stderr); "
              "recompile with cpu='generic' or 'x86-64-v2'"}


class QuWeiTRuntimeError(RuntimeError):
    """A compiled entry point returned a non-zero status, or a tool failed."""


def find_tool(name: str) -> str:
    """``$QUWEIT_BUILD_DIR/bin/<name>``, then ``PATH``, then ``<repo>/build/bin/<name>``."""
    build = os.environ.get("QUWEIT_BUILD_DIR")
    candidates = [os.path.join(build, "bin", name)] if build else []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates.append(os.path.join(_REPO, "build", "bin", name))
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise FileNotFoundError(f"{name} not found in $QUWEIT_BUILD_DIR/bin, PATH or {_REPO}/build/bin: "
                            "build the project first (scripts/setup.sh)")


def _find_cc() -> str:
    for cc in (os.environ.get("CC"), "cc", "clang-22", "clang", "gcc"):
        if cc and shutil.which(cc):
            return shutil.which(cc)
    raise FileNotFoundError("no C compiler (cc, clang-22, gcc) found to link the shared object")


def _run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise QuWeiTRuntimeError(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.strip()}")
    return p


class CompiledFunction:
    """One entry point of a compiled object: ``f(*args) -> result`` or a tuple of results."""

    def __init__(self, lib, desc, allow_nan=False):
        self.name, self.symbol = desc["name"], desc["symbol"]
        self.arguments = [p for p in desc["ports"] if p["role"] == "argument"]
        self.results = [p for p in desc["ports"] if p["role"] == "result"]
        self.allow_nan = allow_nan
        self._fn = getattr(lib, self.symbol)
        self._fn.restype = ctypes.c_int32
        self._fn.argtypes = [ctypes.c_int64] + [ctypes.c_void_p] * (len(self.arguments) + len(self.results))
        dyn = [p for p in self.arguments + self.results if -1 in p["shape"]]
        self.dynamic = bool(dyn)
        self.static_batch = None
        if not self.dynamic:
            ranked = [p for p in self.arguments + self.results if p["shape"]]
            self.static_batch = ranked[0]["shape"][0] if ranked else 0

    def __repr__(self):
        def port(p):
            return f"{p['name']}: {p['dtype']}[{', '.join('batch' if d == -1 else str(d) for d in p['shape'])}]"
        return (f"<quweit function {self.name}({', '.join(port(p) for p in self.arguments)}) -> "
                f"({', '.join(port(p) for p in self.results)})>")

    def _check(self, args):
        if len(args) != len(self.arguments):
            raise TypeError(f"{self.name} takes {len(self.arguments)} argument(s), got {len(args)}")
        arrays, batch, batch_from = [], None, None
        for i, (a, p) in enumerate(zip(args, self.arguments)):
            if hasattr(a, "detach") and hasattr(a, "numpy"):  # torch.Tensor
                if a.requires_grad:
                    a = a.detach()
                if a.device.type != "cpu":
                    raise TypeError(f"argument {i} ({p['name']}) is a {a.device} tensor: move it to the CPU")
                a = a.numpy()
            if not isinstance(a, np.ndarray):
                raise TypeError(f"argument {i} ({p['name']}) must be a numpy array or torch tensor, "
                                f"got {type(a).__name__}")
            want = np.dtype(_DTYPES.get(p["dtype"], p["dtype"]))
            if a.dtype != want:
                raise TypeError(f"argument {i} ({p['name']}) has dtype {a.dtype}, expected {want} "
                                f"({p['mlir_type']}); convert it, e.g. x.astype(np.{want.name})")
            shape = p["shape"]
            if a.ndim != len(shape):
                raise ValueError(f"argument {i} ({p['name']}) has rank {a.ndim} (shape {list(a.shape)}), "
                                 f"expected rank {len(shape)}: {p['mlir_type']}")
            for axis, (got, exp) in enumerate(zip(a.shape, shape)):
                if exp == -1:
                    if batch is None:
                        batch, batch_from = got, i
                    elif got != batch:
                        raise ValueError(f"argument {i} ({p['name']}) has batch {got} in dimension {axis}, but "
                                         f"argument {batch_from} has batch {batch}: all must agree")
                elif got != exp:
                    raise ValueError(f"argument {i} ({p['name']}) has size {got} in dimension {axis}, expected "
                                     f"{exp}: shape {list(a.shape)} vs {p['mlir_type']}")
            if not a.flags["C_CONTIGUOUS"]:
                raise ValueError(f"argument {i} ({p['name']}) is not C-contiguous (row-major dense); pass "
                                 "np.ascontiguousarray(x) or x.contiguous()")
            if not self.allow_nan and a.dtype.kind == "f" and np.isnan(a).any():
                raise ValueError(f"argument {i} ({p['name']}) contains NaN; pass allow_nan=True to compile() "
                                 "to encode NaN as 0 bits (IEEE x > t is false)")
            arrays.append(a)
        if batch is None:
            batch = self.static_batch if self.static_batch is not None else 0
        return arrays, batch

    def __call__(self, *args):
        arrays, batch = self._check(args)
        outs = [np.empty([batch if d == -1 else d for d in p["shape"]],
                         dtype=_DTYPES.get(p["dtype"], p["dtype"])) for p in self.results]
        ptrs = [a.ctypes.data for a in arrays] + [o.ctypes.data for o in outs]
        status = self._fn(batch, *ptrs)
        if status != 0:
            raise QuWeiTRuntimeError(f"{self.symbol} returned {status}: "
                                     f"{_STATUS.get(status, 'unknown status')}")
        return outs[0] if len(outs) == 1 else tuple(outs)


class CompiledModel:
    """A loaded shared object. Calling it calls ``main`` (or the only entry point); other entry points
    are in ``functions``. ``paths`` holds the files produced (object, header, signature, .so)."""

    def __init__(self, so_path, signature, paths, tmpdir=None, allow_nan=False):
        self.paths, self.signature, self._tmpdir = paths, signature, tmpdir
        self._lib = ctypes.CDLL(so_path)
        self.functions = {f["name"]: CompiledFunction(self._lib, f, allow_nan) for f in signature["functions"]}
        if "main" in self.functions:
            self.main = self.functions["main"]
        elif len(self.functions) == 1:
            self.main = next(iter(self.functions.values()))
        else:
            self.main = None

    def __call__(self, *args):
        if self.main is None:
            raise TypeError(f"several entry points ({', '.join(self.functions)}); call model.functions[name]")
        return self.main(*args)

    def __repr__(self):
        return f"<quweit CompiledModel {list(self.functions.values())}>"


def compile(model_or_mlir_path, *, example_input=None, layout="auto", threads=1, parallel="auto",
            opt_level=2, cpu="native", workdir=None, allow_nan=False, export_options=None,
            matmul="vectorize", lut_codegen="auto"):
    """Compile a model (exported first) or an ``.mlir``/``.mlirbc`` file; return a :class:`CompiledModel`.

    ``layout``: auto, batch-sliced, feature-packed or none. ``threads``: threads per call; ``parallel``:
    'batch' (split rows over pthreads: functions of quweit ops only), 'openmp' (any model; links libomp)
    or 'auto' (batch for plain LUT networks, openmp when the IR has linalg ops). ``cpu``: native,
    generic, x86-64-v2, ... ``workdir``: keep the files there (default: a temporary directory removed
    with the model). ``allow_nan``: let NaN inputs through (they encode as 0 bits). ``matmul``: how f32
    matmuls are compiled: 'vectorize' (register-tiled FMA loops), 'blas' (cblas_sgemm calls; links
    OpenBLAS) or 'loops'. ``lut_codegen``: auto, table or specialise (quweit-compile
    ``--lut-codegen``).
    """
    if layout not in ("auto", "batch-sliced", "feature-packed", "none"):
        raise ValueError(f"layout must be auto, batch-sliced, feature-packed or none, got {layout!r}")
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive int, got {threads!r}")
    if opt_level not in (0, 1, 2, 3):
        raise ValueError(f"opt_level must be 0..3, got {opt_level!r}")
    if parallel not in ("auto", "batch", "openmp"):
        raise ValueError(f"parallel must be auto, batch or openmp, got {parallel!r}")
    if matmul not in ("vectorize", "blas", "loops"):
        raise ValueError(f"matmul must be vectorize, blas or loops, got {matmul!r}")
    if lut_codegen not in ("auto", "table", "specialise"):
        raise ValueError(f"lut_codegen must be auto, table or specialise, got {lut_codegen!r}")
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="quweit-")
        workdir = tmp.name
    os.makedirs(workdir, exist_ok=True)
    if isinstance(model_or_mlir_path, (str, os.PathLike)):
        src = os.fspath(model_or_mlir_path)
        if not os.path.exists(src):
            raise FileNotFoundError(f"{src} does not exist")
    else:
        from .export import to_mlir
        src = os.path.join(workdir, "model.mlir")
        to_mlir(model_or_mlir_path, example_input, src, **(export_options or {}))
    if parallel == "auto":
        parallel = "batch"
        if threads > 1 and not src.endswith(".mlirbc"):
            with open(src, errors="replace") as f:
                if "linalg." in f.read():
                    parallel = "openmp"
    obj, hdr, sig, so = (os.path.join(workdir, "model" + ext) for ext in (".o", ".h", ".json", ".so"))
    cmd = [find_tool("quweit-compile"), src, "-o", obj, "--header", hdr, "--signature", sig,
           f"-O{opt_level}", f"--layout={layout}", f"--mcpu={cpu}", f"--num-threads={threads}",
           f"--matmul={matmul}", f"--lut-codegen={lut_codegen}"]
    if threads > 1:
        cmd.append(f"--parallel={parallel}")
    _run(cmd)
    link = [_find_cc(), "-shared", "-o", so, obj, "-lm"]
    if threads > 1 and parallel == "openmp":
        if not os.path.exists(os.path.join(_OMP_DIR, "libomp.so")):
            raise FileNotFoundError(f"--parallel=openmp needs libomp ({_OMP_DIR}/libomp.so; Debian: libomp-22-dev)")
        link += [f"-L{_OMP_DIR}", "-lomp", f"-Wl,-rpath,{_OMP_DIR}"]
    if matmul == "blas":
        link.append("-lopenblas")
    _run(link)
    with open(sig) as f:
        signature = json.load(f)
    if signature.get("format") != "quweit-signature-1":
        raise QuWeiTRuntimeError(f"{sig}: unknown signature format {signature.get('format')!r}")
    return CompiledModel(so, signature, {"mlir": src, "object": obj, "header": hdr, "signature": sig, "so": so},
                         tmp, allow_nan)
