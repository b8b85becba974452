"""Export trained PyTorch models to the ``quweit`` MLIR dialect (docs/export.md).

``to_mlir(model, example_input, path)`` writes one ``func.func @main`` with a dynamic batch:

* a plain DWN network (an ``nn.Sequential`` of :class:`~quweit.nn.Thermometer`, :class:`~quweit.nn.LUTLayer`
  and :class:`~quweit.nn.GroupSum`, optionally preceded by ``nn.Flatten``) becomes
  ``quweit.thermometer -> quweit.lut_layer... -> quweit.group_sum -> quweit.scale_counts``;
* a whole :class:`~quweit.models.ViT` (QuWeiT or dense twin) becomes linalg/tensor/arith/math for the patch
  embedding, class token, positions, attention, LayerNorms and head, with each :class:`~quweit.nn.LutFFN` as
  a ``quweit.lut_ffn`` region and each block in a ``quweit.transformer_block``;
* a whole :class:`~quweit.models.GPT` likewise (token ids as f32, one-hot embedding matmul, causal mask).

Every parameter tensor is a ``dense_resource`` blob (exact bytes). With ``argmax=True`` the function also
returns ``quweit.argmax`` of the scores (``tensor<?xi64>``) as a second result.
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
import torch
from torch import nn

from .nn import GroupSum, LUTLayer, LutFFN, Thermometer

__all__ = ["to_mlir", "ExportError"]


class ExportError(ValueError):
    """The model cannot be exported (unsupported module, unfitted thermometer, ...)."""


def _fmt_f32(value) -> str:
    """A decimal literal that parses back to exactly this f32."""
    v = float(np.float32(value))
    if not math.isfinite(v):
        raise ExportError(f"non-finite constant {v}")
    return repr(v)


def _ttype(shape, element) -> str:
    dims = "x".join("?" if isinstance(d, str) or d is None else str(d) for d in shape)
    return f"tensor<{dims}x{element}>" if dims else f"tensor<{element}>"


class _Value:
    def __init__(self, name, shape, element="f32"):
        self.name, self.shape, self.element = name, tuple(shape), element

    @property
    def type(self):
        return _ttype(self.shape, self.element)

    @property
    def rank(self):
        return len(self.shape)


class _Module:
    """Collects the text of one MLIR module and its dense_resource blobs."""

    _ALIGN = {"f32": 4, "i32": 4, "i64": 8, "i1": 1}
    _DTYPE = {"f32": "<f4", "i32": "<i4", "i64": "<i8", "i1": np.uint8}

    def __init__(self):
        self.blobs = []
        self.counter = 0

    def fresh(self, hint):
        self.counter += 1
        return f"%{hint}{self.counter}"

    def blob(self, array, element, hint):
        array = np.asarray(array)
        if element == "i1":
            array = array.astype(bool)
        name = f"{hint}_{len(self.blobs)}"
        data = np.ascontiguousarray(array.astype(self._DTYPE[element])).tobytes()
        self.blobs.append((name, self._ALIGN[element].to_bytes(4, "little") + data))
        return f"dense_resource<{name}> : {_ttype(array.shape, element)}"

    def resources(self):
        if not self.blobs:
            return ""
        lines = [f'      {name}: "0x{data.hex().upper()}"' for name, data in self.blobs]
        return "\n{-#\n  dialect_resources: {\n    builtin: {\n" + ",\n".join(lines) + "\n    }\n  }\n#-}\n"


class _Scope:
    """Emits the ops of one function body or one isolated region. Dynamic dimensions are named by
    symbols ("B", "BT", ...) bound to SSA index values in this scope."""

    def __init__(self, module, indent="  "):
        self.m, self.indent, self.lines, self.dims = module, indent, [], {}
        self.c0 = None

    def emit(self, line):
        self.lines.append(self.indent + line)

    def fresh(self, hint):
        return self.m.fresh(hint)

    # -- sizes -----------------------------------------------------------------------------------
    def bind_dim(self, sym, value: _Value, axis=0):
        """Binds dynamic dimension symbol ``sym`` to ``tensor.dim value, axis``."""
        if sym in self.dims:
            return
        if self.c0 is None:
            self.c0 = self.fresh("c0_")
            self.emit(f"{self.c0} = arith.constant 0 : index")
        if axis != 0:
            raise AssertionError("only dimension 0 is dynamic")
        name = self.fresh("d")
        self.emit(f"{name} = tensor.dim {value.name}, {self.c0} : {value.type}")
        self.dims[sym] = name

    def dyn_operands(self, shape):
        return [self.dims[d] for d in shape if isinstance(d, str)]

    # -- constants -------------------------------------------------------------------------------
    def const(self, array, element="f32", hint="w"):
        array = np.asarray(array)
        name = self.fresh(hint)
        self.emit(f"{name} = arith.constant {self.m.blob(array, element, hint)}")
        return _Value(name, array.shape, element)

    def empty(self, shape, element="f32"):
        name = self.fresh("e")
        dyn = ", ".join(self.dyn_operands(shape))
        self.emit(f"{name} = tensor.empty({dyn}) : {_ttype(shape, element)}")
        return _Value(name, shape, element)

    def fill(self, value_literal, shape):
        e = self.empty(shape)
        c = self.fresh("cst")
        self.emit(f"{c} = arith.constant {value_literal} : f32")
        name = self.fresh("fill")
        self.emit(f"{name} = linalg.fill ins({c} : f32) outs({e.name} : {e.type}) -> {e.type}")
        return _Value(name, shape)

    # -- shapes ----------------------------------------------------------------------------------
    def collapse(self, x, groups, new_sym=None):
        shape = []
        for g in groups:
            dims = [x.shape[i] for i in g]
            if any(isinstance(d, str) for d in dims):
                shape.append(new_sym if len(g) > 1 else dims[0])
            else:
                shape.append(int(np.prod(dims)))
        name = self.fresh("col")
        self.emit(f"{name} = tensor.collapse_shape {x.name} {groups} : {x.type} into {_ttype(shape, 'f32')}")
        v = _Value(name, shape)
        if new_sym is not None and new_sym not in self.dims:
            self.bind_dim(new_sym, v)
        return v

    def expand(self, x, groups, shape):
        out_shape = ", ".join(self.dims[d] if isinstance(d, str) else str(d) for d in shape)
        name = self.fresh("exp")
        self.emit(f"{name} = tensor.expand_shape {x.name} {groups} output_shape [{out_shape}] : "
                  f"{x.type} into {_ttype(shape, 'f32')}")
        return _Value(name, shape)

    def transpose(self, x, perm):
        shape = [x.shape[p] for p in perm]
        e = self.empty(shape)
        name = self.fresh("tr")
        self.emit(f"{name} = linalg.transpose ins({x.name} : {x.type}) outs({e.name} : {e.type}) "
                  f"permutation = {list(perm)}")
        return _Value(name, shape)

    # -- compute ---------------------------------------------------------------------------------
    def generic(self, ins, in_maps, out_shape, out_map, iterators, body, init=None, hint="g"):
        """``body(args, out)`` returns (lines, result) using the block argument names."""
        rank = len(iterators)
        dims = ", ".join(f"d{i}" for i in range(rank))
        maps = [f"affine_map<({dims}) -> ({m})>" for m in list(in_maps) + [out_map]]
        out = init if init is not None else self.empty(out_shape)
        name = self.fresh(hint)
        args = [self.fresh("a") for _ in ins]
        o = self.fresh("o")
        its = ", ".join(f'"{i}"' for i in iterators)
        ins_txt = ", ".join(v.name for v in ins)
        ins_types = ", ".join(v.type for v in ins)
        self.emit(f"{name} = linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = [{its}]}} "
                  f"ins({ins_txt} : {ins_types}) outs({out.name} : {out.type}) {{")
        block_args = ", ".join(f"{a}: f32" for a in args + [o])
        self.emit(f"^bb0({block_args}):")
        lines, result = body(args, o)
        for line in lines:
            self.emit("  " + line)
        self.emit(f"  linalg.yield {result} : f32")
        self.emit(f"}} -> {out.type}")
        return _Value(name, out.shape)

    def matmul(self, x, w, loc=None):
        """x [R, K] @ w [K, N] (w a constant _Value). ``loc`` names the op (``loc("blocks.0.ffn.fc1")``)."""
        shape = (x.shape[0], w.shape[1])
        z = self.fill("0.0", shape)
        name = self.fresh("mm")
        suffix = f' loc("{loc}")' if loc else ""
        self.emit(f"{name} = linalg.matmul ins({x.name}, {w.name} : {x.type}, {w.type}) "
                  f"outs({z.name} : {z.type}) -> {z.type}{suffix}")
        return _Value(name, shape)

    def batch_matmul(self, a, b):
        shape = (a.shape[0], a.shape[1], b.shape[2])
        z = self.fill("0.0", shape)
        name = self.fresh("bmm")
        self.emit(f"{name} = linalg.batch_matmul ins({a.name}, {b.name} : {a.type}, {b.type}) "
                  f"outs({z.name} : {z.type}) -> {z.type}")
        return _Value(name, shape)

    def binary(self, op, a, b):
        name = self.fresh("ew")
        self.emit(f"{name} = arith.{op} {a.name}, {b.name} : {a.type}")
        return _Value(name, a.shape)

    def linear(self, x, linear: nn.Linear, hint="fc", loc=None):
        """torch.nn.Linear on x [R, K]: x @ W^T (+ b)."""
        w = self.const(linear.weight.detach().t().contiguous().float().numpy(), hint=hint + "_w")
        y = self.matmul(x, w, loc)
        if linear.bias is None:
            return y
        b = self.const(linear.bias.detach().float().numpy(), hint=hint + "_b")

        def body(a, _o):
            r = self.fresh("r")
            return [f"{r} = arith.addf {a[0]}, {a[1]} : f32"], r
        return self.generic([y, b], ["d0, d1", "d1"], y.shape, "d0, d1", ["parallel", "parallel"], body,
                            hint="bias")

    def reduce_rows(self, x, kind):
        """Rank-r tensor -> rank r-1 by reducing the last dim: 'sum', 'sumsq' or 'max'."""
        r = x.rank
        dims = [f"d{i}" for i in range(r)]
        out_shape = x.shape[:-1]
        init = self.fill("0xFF800000" if kind == "max" else "0.0", out_shape)

        def body(a, o):
            t = self.fresh("r")
            if kind == "max":
                return [f"{t} = arith.maximumf {o}, {a[0]} : f32"], t
            if kind == "sum":
                return [f"{t} = arith.addf {o}, {a[0]} : f32"], t
            s = self.fresh("s")
            return [f"{s} = arith.mulf {a[0]}, {a[0]} : f32", f"{t} = arith.addf {o}, {s} : f32"], t
        return self.generic([x], [", ".join(dims)], out_shape, ", ".join(dims[:-1]),
                            ["parallel"] * (r - 1) + ["reduction"], body, init=init, hint="red")

    def layer_norm(self, x, ln: nn.LayerNorm):
        """LayerNorm over the last dim of x [R, D]: c = x - mean; y = c * (1/sqrt(var + eps)) * g + b."""
        D = x.shape[-1]
        s = self.reduce_rows(x, "sum")

        def center(a, _o):
            cd, m, c = self.fresh("cD"), self.fresh("m"), self.fresh("c")
            return [f"{cd} = arith.constant {_fmt_f32(D)} : f32", f"{m} = arith.divf {a[1]}, {cd} : f32",
                    f"{c} = arith.subf {a[0]}, {m} : f32"], c
        c = self.generic([x, s], ["d0, d1", "d0"], x.shape, "d0, d1", ["parallel", "parallel"], center,
                         hint="ctr")
        v = self.reduce_rows(c, "sumsq")
        ins, maps = [c, v], ["d0, d1", "d0"]
        affine = ln.weight is not None
        if affine:
            ins += [self.const(ln.weight.detach().float().numpy(), hint="ln_g"),
                    self.const(ln.bias.detach().float().numpy(), hint="ln_b")]
            maps += ["d1", "d1"]

        def norm(a, _o):
            n = [self.fresh(h) for h in ("cD", "eps", "one", "var", "ve", "sq", "rs", "y", "yg", "yb")]
            lines = [f"{n[0]} = arith.constant {_fmt_f32(D)} : f32",
                     f"{n[1]} = arith.constant {_fmt_f32(ln.eps)} : f32",
                     f"{n[2]} = arith.constant 1.0 : f32",
                     f"{n[3]} = arith.divf {a[1]}, {n[0]} : f32",
                     f"{n[4]} = arith.addf {n[3]}, {n[1]} : f32",
                     f"{n[5]} = math.sqrt {n[4]} : f32",
                     f"{n[6]} = arith.divf {n[2]}, {n[5]} : f32",
                     f"{n[7]} = arith.mulf {a[0]}, {n[6]} : f32"]
            if not affine:
                return lines, n[7]
            lines += [f"{n[8]} = arith.mulf {n[7]}, {a[2]} : f32", f"{n[9]} = arith.addf {n[8]}, {a[3]} : f32"]
            return lines, n[9]
        return self.generic(ins, maps, x.shape, "d0, d1", ["parallel", "parallel"], norm, hint="ln")

    def gelu(self, x):
        def body(a, _o):
            n = [self.fresh(h) for h in ("k", "half", "one", "xs", "erf", "p", "hx", "y")]
            return [f"{n[0]} = arith.constant {_fmt_f32(1 / math.sqrt(2))} : f32",
                    f"{n[1]} = arith.constant 0.5 : f32",
                    f"{n[2]} = arith.constant 1.0 : f32",
                    f"{n[3]} = arith.mulf {a[0]}, {n[0]} : f32",
                    f"{n[4]} = math.erf {n[3]} : f32",
                    f"{n[5]} = arith.addf {n[4]}, {n[2]} : f32",
                    f"{n[6]} = arith.mulf {a[0]}, {n[1]} : f32",
                    f"{n[7]} = arith.mulf {n[6]}, {n[5]} : f32"], n[7]
        return self.generic([x], ["d0, d1"], x.shape, "d0, d1", ["parallel", "parallel"], body, hint="gelu")

    # -- quweit ----------------------------------------------------------------------------------
    def thermometer(self, x, thresholds, hint="th"):
        t = np.asarray(thresholds, dtype=np.float32)
        if t.ndim != 2 or t.shape[0] != x.shape[1]:
            raise ExportError(f"thresholds of shape {list(t.shape)} do not match {x.shape[1]} input features")
        if not np.isfinite(t).all():
            raise ExportError("thermometer thresholds must be finite")
        if t.shape[1] > 1 and (np.diff(t, axis=1) < 0).any():
            raise ExportError("thermometer thresholds must be non-decreasing along T")
        shape = (x.shape[0], t.shape[0] * t.shape[1])
        name = self.fresh("bits")
        self.emit(f"{name} = quweit.thermometer {x.name} thresholds({self.m.blob(t, 'f32', hint)}) : "
                  f"{x.type} -> {_ttype(shape, 'i1')}")
        return _Value(name, shape, "i1")

    def lut_layer(self, x, mapping, tables):
        mapping = np.asarray(mapping)
        tables = np.asarray(tables, dtype=bool)
        M, n = mapping.shape
        if not 1 <= n <= 16:
            raise ExportError(f"LUT fan-in {n} is outside [1, 16]")
        if tables.shape != (M, 1 << n):
            raise ExportError(f"tables of shape {list(tables.shape)} do not match mapping {list(mapping.shape)}")
        if mapping.min(initial=0) < 0 or mapping.max(initial=0) >= x.shape[1]:
            raise ExportError(f"mapping values must lie in [0, {x.shape[1]})")
        shape = (x.shape[0], M)
        name = self.fresh("lut")
        self.emit(f"{name} = quweit.lut_layer {x.name} mapping({self.m.blob(mapping.astype(np.int32), 'i32', 'map')}) "
                  f"tables({self.m.blob(tables, 'i1', 'tab')}) : {x.type} -> {_ttype(shape, 'i1')}")
        return _Value(name, shape, "i1")

    def group_sum(self, x, groups):
        shape = (x.shape[0], groups)
        name = self.fresh("cnt")
        self.emit(f"{name} = quweit.group_sum {x.name} : {x.type} -> {_ttype(shape, 'i32')}")
        return _Value(name, shape, "i32")

    def scale_counts(self, x, tau, scale=None, bias=None):
        if not (float(tau) > 0 and math.isfinite(float(tau))):
            raise ExportError(f"group sum tau must be positive and finite, got {tau}")
        for what, values in (("scale", scale), ("bias", bias)):
            if values is None:
                continue
            values = np.asarray(values, np.float32)
            if values.shape != (x.shape[1],):
                raise ExportError(f"group sum {what} of shape {list(values.shape)} does not match "
                                  f"{x.shape[1]} groups")
            if not np.isfinite(values).all():
                raise ExportError(f"group sum {what} contains NaN or infinity")
        extra = ""
        if scale is not None:
            extra += f" scale({self.m.blob(np.asarray(scale, np.float32), 'f32', 'scale')})"
        if bias is not None:
            extra += f" bias({self.m.blob(np.asarray(bias, np.float32), 'f32', 'bias')})"
        name = self.fresh("sc")
        shape = x.shape
        self.emit(f"{name} = quweit.scale_counts {x.name} tau({_fmt_f32(tau)}){extra} : {x.type} -> "
                  f"{_ttype(shape, 'f32')}")
        return _Value(name, shape)

    def group_sum_module(self, x, gs: GroupSum):
        counts = self.group_sum(x, gs.groups)
        scale = gs.scale.detach().float().numpy() if gs.scale is not None else None
        bias = gs.bias.detach().float().numpy() if gs.bias is not None else None
        return self.scale_counts(counts, float(gs.tau), scale, bias)

    def argmax(self, x):
        name = self.fresh("cls")
        self.emit(f"{name} = quweit.argmax {x.name} : {x.type} -> {_ttype(x.shape[:1], 'i64')}")
        return _Value(name, x.shape[:1], "i64")

    def lut_ffn(self, x, ffn: LutFFN):
        """A quweit.lut_ffn region (isolated: its constants are attributes)."""
        name = self.fresh("ffn")
        inner = _Scope(self.m, self.indent + "  ")
        arg = _Value(self.fresh("in"), x.shape)
        h = inner.thermometer(arg, _thresholds(ffn.thermometer))
        for layer in ffn.luts:
            h = inner.lut_layer(h, *_lut_arrays(layer))
        r = inner.group_sum_module(h, ffn.group_sum)
        self.emit(f"{name} = quweit.lut_ffn {x.name} : {x.type} -> {r.type} {{")
        self.emit(f"^bb0({arg.name}: {arg.type}):")
        self.lines += inner.lines
        self.emit(f"  quweit.yield {r.name} : {r.type}")
        self.emit("}")
        return _Value(name, r.shape)


def _thresholds(th: Thermometer) -> np.ndarray:
    if not th.is_fitted():
        raise ExportError("a Thermometer has no thresholds: fit it before exporting")
    return th.thresholds.detach().cpu().float().numpy()


def _lut_arrays(layer: LUTLayer):
    """Deployed (mapping, tables). The mapping is the ``mapping`` buffer, which eval mode uses; for a
    learnable mapping it holds the argmax of the scores as of the last training forward."""
    mapping = layer.mapping.detach().cpu()
    # A diverged training run leaves NaN weights, which would deploy as
    # silently wrong tables (NaN > 0 is false).
    if not torch.isfinite(layer.luts.detach()).all():
        raise ExportError("a LUTLayer's table weights contain NaN or infinity (did training diverge?)")
    scores = getattr(layer, "mapping_scores", None)
    if scores is not None:
        current = scores.detach().cpu().argmax(0).view_as(mapping)
        if not torch.equal(current, mapping):
            warnings.warn("a learnable LUTLayer's mapping buffer differs from the argmax of its scores (the "
                          "scores changed after the last training forward); exporting the buffer, which is "
                          "what eval mode uses", stacklevel=3)
    return mapping.numpy().astype(np.int64), layer.deployed_tables().cpu().numpy()


# ---------------------------------------------------------------------------------------------------
# Plain DWN networks

def _flatten_modules(seq):
    out = []
    for m in seq:
        if isinstance(m, nn.Sequential):
            out += _flatten_modules(m)
        elif isinstance(m, (nn.Identity, nn.Dropout)):
            continue
        else:
            out.append(m)
    return out


def _export_dwn(seq, example_input, argmax):
    mods = _flatten_modules(seq)
    if not mods:
        raise ExportError("empty nn.Sequential")
    if example_input is not None:
        in_shape = tuple(example_input.shape[1:])
    else:
        first = next((m for m in mods if not isinstance(m, nn.Flatten)), None)
        if isinstance(first, Thermometer):
            in_shape = (first.num_features,)
        elif isinstance(first, LUTLayer):
            in_shape = (first.in_bits,)
        else:
            raise ExportError("pass example_input: the input shape cannot be inferred")
    mod = _Module()
    s = _Scope(mod, "  ")
    x = _Value("%x", ("B",) + in_shape)
    if mods and isinstance(mods[0], nn.Flatten):
        fl = mods.pop(0)
        if fl.start_dim not in (1, -len(x.shape) + 1) or fl.end_dim not in (-1, len(x.shape) - 1):
            raise ExportError("only nn.Flatten(start_dim=1, end_dim=-1) is supported")
        if x.rank > 2:
            x = s.collapse(x, [[0], list(range(1, x.rank))])
    if x.rank != 2:
        raise ExportError(f"a DWN network takes [batch, features] inputs (or nn.Flatten first), got "
                          f"example input shape {list(example_input.shape)}")
    h, done = x, False
    for m in mods:
        if done:
            raise ExportError(f"{type(m).__name__} after GroupSum is not supported")
        if isinstance(m, Thermometer):
            if h.element != "f32":
                raise ExportError("Thermometer must read real features (it follows a LUT layer here)")
            h = s.thermometer(h, _thresholds(m))
        elif isinstance(m, LUTLayer):
            if h.element == "f32":  # raw 0/1 inputs: "any value > 0 is a 1" is a 1-bit thermometer at 0
                h = s.thermometer(h, np.zeros((h.shape[1], 1), np.float32))
            if h.shape[1] != m.in_bits:
                raise ExportError(f"LUTLayer expects {m.in_bits} input bits, gets {h.shape[1]}")
            h = s.lut_layer(h, *_lut_arrays(m))
        elif isinstance(m, GroupSum):
            if h.element != "i1":
                raise ExportError("GroupSum must follow a LUT layer or a thermometer")
            h, done = s.group_sum_module(h, m), True
        else:
            raise ExportError(f"unsupported module {type(m).__name__} in a DWN network: expected "
                              "Thermometer, LUTLayer, GroupSum (and nn.Flatten first)")
    if h.element == "i1":
        raise ExportError("a DWN network must end with a GroupSum (bits cannot be returned as scores)")
    results = [h]
    if argmax:
        results.append(s.argmax(h))
    head = (f"func.func @main(%x: {_ttype(('B',) + in_shape, 'f32')}) -> "
            f"({', '.join(r.type for r in results)}) {{")
    s.emit(f"return {', '.join(r.name for r in results)} : {', '.join(r.type for r in results)}")
    text = (f"// DWN network exported by quweit.export.to_mlir\n{head}\n" + "\n".join(s.lines) + "\n}\n"
            + mod.resources())
    return text


# ---------------------------------------------------------------------------------------------------
# Hybrid ViT

def _export_block(outer, x, blk, index, T, cfg, use_blocks):
    """One pre-norm block on x [B, T, D]; returns [B, T, D]."""
    D, H = cfg["dim"], cfg["heads"]
    dh = D // H
    if use_blocks:
        s = _Scope(outer.m, outer.indent + "  ")
        arg = _Value(outer.fresh("blk_in"), x.shape)
    else:
        s, arg = outer, x
    s.bind_dim("B", arg)
    xf = s.collapse(arg, [[0, 1], [2]], "BT")
    n1 = s.layer_norm(xf, blk.ln1)
    qkv = blk.attn.qkv
    parts = []
    for i in range(3):
        lin = nn.Linear(D, D, bias=qkv.bias is not None)
        with torch.no_grad():
            lin.weight.copy_(qkv.weight[i * D:(i + 1) * D])
            if qkv.bias is not None:
                lin.bias.copy_(qkv.bias[i * D:(i + 1) * D])
        parts.append(s.linear(n1, lin, hint="qkv"))
    q, k, v = (s.expand(p, [[0, 1], [2, 3]], ("B", T, H, dh)) for p in parts)
    qh = s.collapse(s.transpose(q, [0, 2, 1, 3]), [[0, 1], [2], [3]], "BH")
    kh = s.collapse(s.transpose(k, [0, 2, 3, 1]), [[0, 1], [2], [3]], "BH")
    vh = s.collapse(s.transpose(v, [0, 2, 1, 3]), [[0, 1], [2], [3]], "BH")
    sc = s.batch_matmul(qh, kh)  # [BH, T, T]
    c_dh = _fmt_f32(math.sqrt(dh))
    if blk.attn.causal:
        # PyTorch 1.13's path: (q @ k^T) / sqrt(dh), masked_fill(future, -inf), softmax. Adding the mask
        # (0 or -inf) is exact, so the masked scores are identical.
        mask = s.const(np.triu(np.full((T, T), -np.inf, np.float32), 1), hint="mask")

        def masked(a, _o):
            n = [s.fresh(h) for h in ("sd", "sq", "sm")]
            return [f"{n[0]} = arith.constant {c_dh} : f32", f"{n[1]} = arith.divf {a[0]}, {n[0]} : f32",
                    f"{n[2]} = arith.addf {n[1]}, {a[1]} : f32"], n[2]
        sc = s.generic([sc, mask], ["d0, d1, d2", "d1, d2"], sc.shape, "d0, d1, d2", ["parallel"] * 3,
                       masked, hint="mask")
        mxs = s.reduce_rows(sc, "max")

        def exp_body(a, _o):
            n = [s.fresh(h) for h in ("sm", "ex")]
            return [f"{n[0]} = arith.subf {a[0]}, {a[1]} : f32", f"{n[1]} = math.exp {n[0]} : f32"], n[1]
    else:
        mx = s.reduce_rows(sc, "max")

        def exp_body(a, _o):
            n = [s.fresh(h) for h in ("sd", "sq", "sm", "ex")]
            # PyTorch 1.13's path: (q @ k^T) / sqrt(dh), then softmax (exp(x - max) / sum).
            return [f"{n[0]} = arith.constant {c_dh} : f32",
                    f"{n[1]} = arith.divf {a[0]}, {n[0]} : f32",
                    f"{n[2]} = arith.subf {n[1]}, {a[1]} : f32",
                    f"{n[3]} = math.exp {n[2]} : f32"], n[3]

        def scaled_max(a, o):  # max of the scaled scores: max(x / c) = max(x) / c for c > 0 (monotone rounding)
            n = [s.fresh(h) for h in ("sd", "mq")]
            return [f"{n[0]} = arith.constant {c_dh} : f32",
                    f"{n[1]} = arith.divf {a[0]}, {n[0]} : f32"], n[1]
        mxs = s.generic([mx], ["d0, d1"], mx.shape, "d0, d1", ["parallel", "parallel"], scaled_max, hint="mxs")
    ex = s.generic([sc, mxs], ["d0, d1, d2", "d0, d1"], sc.shape, "d0, d1, d2", ["parallel"] * 3, exp_body,
                   hint="exp")
    sm = s.reduce_rows(ex, "sum")

    def div_body(a, _o):
        r = s.fresh("p")
        return [f"{r} = arith.divf {a[0]}, {a[1]} : f32"], r
    p = s.generic([ex, sm], ["d0, d1, d2", "d0, d1"], ex.shape, "d0, d1, d2", ["parallel"] * 3, div_body,
                  hint="soft")
    o = s.batch_matmul(p, vh)  # [BH, T, dh]
    o4 = s.expand(o, [[0, 1], [2], [3]], ("B", H, T, dh))
    of = s.collapse(s.transpose(o4, [0, 2, 1, 3]), [[0, 1], [2, 3]], "BT")
    a = s.linear(of, blk.attn.proj, hint="proj")
    h = s.binary("addf", xf, a)
    n2 = s.layer_norm(h, blk.ln2)
    if isinstance(blk.ffn, LutFFN):
        f = s.lut_ffn(n2, blk.ffn)
    else:
        # The linears carry the MLP's module path, by which --quweit-convert-mlp-to-lut finds its tables.
        mlp = f"blocks.{index}.ffn"
        f = s.linear(s.gelu(s.linear(n2, blk.ffn.fc1, hint="fc1", loc=mlp + ".fc1")), blk.ffn.fc2, hint="fc2",
                     loc=mlp + ".fc2")
    y = s.binary("addf", h, f)
    out = s.expand(y, [[0, 1], [2]], ("B", T, D))
    if not use_blocks:
        return out
    name = outer.fresh("blk")
    outer.emit(f'{name} = quweit.transformer_block "block{index}" ({x.name}) : ({x.type}) -> {out.type} {{')
    outer.emit(f"^bb0({arg.name}: {arg.type}):")
    outer.lines += s.lines
    outer.emit(f"  quweit.yield {out.name} : {out.type}")
    outer.emit("}")
    return _Value(name, out.shape)


def _export_vit(model, example_input, argmax, flat_input, use_blocks):
    cfg = model.config
    C, S, P = cfg["in_chans"], cfg["image_size"], cfg["patch_size"]
    D, G = cfg["dim"], S // P
    T = G * G + 1
    if example_input is not None:
        shp = tuple(example_input.shape[1:])
        if shp not in ((C, S, S), (C * S * S,)):
            raise ExportError(f"example input of shape {list(example_input.shape)} does not fit the ViT "
                              f"(expected [B, {C}, {S}, {S}])")
        flat_input = flat_input or shp == (C * S * S,)
    mod = _Module()
    s = _Scope(mod, "  ")
    in_shape = ("B", C * S * S) if flat_input else ("B", C, S, S)
    x = _Value("%x", in_shape)
    s.bind_dim("B", x)
    if flat_input:
        x = s.expand(x, [[0], [1, 2, 3]], ("B", C, S, S))
    # Patch embedding (conv, kernel = stride = P) as patches @ W^T.
    e = s.expand(x, [[0], [1], [2, 3], [4, 5]], ("B", C, G, P, G, P))
    t = s.transpose(e, [0, 2, 4, 1, 3, 5])  # [B, G, G, C, P, P]
    patches = s.collapse(t, [[0, 1, 2], [3, 4, 5]], "BP")
    conv = model.patch_embed
    lin = nn.Linear(C * P * P, D, bias=conv.bias is not None)
    with torch.no_grad():
        lin.weight.copy_(conv.weight.reshape(D, C * P * P))
        if conv.bias is not None:
            lin.bias.copy_(conv.bias)
    pe = s.expand(s.linear(patches, lin, hint="patch"), [[0, 1], [2]], ("B", G * G, D))
    # Class token and positions without tensor.concat: tokens[b, t] = base[t] + sum_p S[t, p] pe[b, p]
    # with base = [cls + pos_0; pos_1..] and S[t, p] = (t == p + 1). Exactly PyTorch's cat(...) + pos:
    # one product is 1 * pe, the others are +-0, and adding zeros is exact.
    pos = model.pos_embed.detach().reshape(T, D).float().numpy()
    base = pos.copy()
    base[0] = model.cls_token.detach().reshape(D).float().numpy() + pos[0]
    base = s.const(base, hint="pos")
    sel = s.const(np.eye(T, G * G, k=-1, dtype=np.float32), hint="sel")

    def copy(a, _o):
        return [], a[0]
    init = s.generic([base], ["d1, d2"], ("B", T, D), "d0, d1, d2", ["parallel"] * 3, copy, hint="base")

    def mac(a, o):
        p, r = s.fresh("p"), s.fresh("r")
        return [f"{p} = arith.mulf {a[1]}, {a[0]} : f32", f"{r} = arith.addf {o}, {p} : f32"], r
    h = s.generic([pe, sel], ["d0, d3, d2", "d1, d3"], ("B", T, D), "d0, d1, d2",
                  ["parallel"] * 3 + ["reduction"], mac, init=init, hint="tok")
    for i, blk in enumerate(model.blocks):
        h = _export_block(s, h, blk, i, T, cfg, use_blocks)
    first = s.generic([h], ["d0, 0, d1"], ("B", D), "d0, d1", ["parallel", "parallel"], copy, hint="first")
    logits = s.linear(s.layer_norm(first, model.norm), model.head, hint="head")
    results = [logits] + ([s.argmax(logits)] if argmax else [])
    s.emit(f"return {', '.join(r.name for r in results)} : {', '.join(r.type for r in results)}")
    head = (f"func.func @main(%x: {_ttype(in_shape, 'f32')}) -> ({', '.join(r.type for r in results)}) {{")
    kind = "QuWeiT-ViT" if cfg.get("ffn") == "lut" else "dense ViT"
    return (f"// {kind} exported by quweit.export.to_mlir (dim {D}, depth {cfg['depth']}, heads "
            f"{cfg['heads']}, {T} tokens)\n{head}\n" + "\n".join(s.lines) + "\n}\n" + mod.resources())


# ---------------------------------------------------------------------------------------------------
# Hybrid GPT

def _export_gpt(model, example_input, argmax, use_blocks):
    cfg = model.config
    V, D = cfg["vocab_size"], cfg["dim"]
    if argmax:
        raise ExportError("argmax=True is not supported for GPT (its logits are [B, T, vocab])")
    if example_input is not None:
        if len(example_input.shape) != 2:
            raise ExportError(f"GPT example input must be token ids [B, T], got shape {list(example_input.shape)}")
        T = int(example_input.shape[1])
    else:
        T = cfg["block_size"]
    if not 1 <= T <= cfg["block_size"]:
        raise ExportError(f"sequence length {T} must be in [1, block_size={cfg['block_size']}]")
    mod = _Module()
    s = _Scope(mod, "  ")
    x = _Value("%x", ("B", T))
    s.bind_dim("B", x)
    # Token embedding as one-hot @ E: exact (one product 1 * e, the others zeros). Token ids arrive as f32
    # (exact integers below 2^24); an id outside [0, V) embeds as zeros.
    vocab = s.const(np.arange(V, dtype=np.float32), hint="vocab")

    def onehot(a, _o):
        n = [s.fresh(h) for h in ("eq", "one", "zero", "oh")]
        return [f"{n[0]} = arith.cmpf oeq, {a[0]}, {a[1]} : f32", f"{n[1]} = arith.constant 1.0 : f32",
                f"{n[2]} = arith.constant 0.0 : f32", f"{n[3]} = arith.select {n[0]}, {n[1]}, {n[2]} : f32"], n[3]
    oh = s.generic([x, vocab], ["d0, d1", "d2"], ("B", T, V), "d0, d1, d2", ["parallel"] * 3, onehot, hint="onehot")
    emb_w = s.const(model.tok_emb.weight.detach().float().numpy(), hint="tok_emb")
    emb = s.expand(s.matmul(s.collapse(oh, [[0, 1], [2]], "BT"), emb_w), [[0, 1], [2]], ("B", T, D))
    pos = s.const(model.pos_emb.detach()[0, :T].float().numpy(), hint="pos")

    def add(a, _o):
        r = s.fresh("r")
        return [f"{r} = arith.addf {a[0]}, {a[1]} : f32"], r
    h = s.generic([emb, pos], ["d0, d1, d2", "d1, d2"], emb.shape, "d0, d1, d2", ["parallel"] * 3, add, hint="pos")
    for i, blk in enumerate(model.blocks):
        h = _export_block(s, h, blk, i, T, cfg, use_blocks)
    hf = s.collapse(h, [[0, 1], [2]], "BT")
    logits = s.expand(s.linear(s.layer_norm(hf, model.norm), model.head, hint="head"), [[0, 1], [2]], ("B", T, V))
    s.emit(f"return {logits.name} : {logits.type}")
    head = f"func.func @main(%x: {x.type}) -> {logits.type} {{"
    kind = "QuWeiT-GPT" if cfg.get("ffn") == "lut" else "dense GPT"
    return (f"// {kind} exported by quweit.export.to_mlir (dim {D}, depth {cfg['depth']}, heads {cfg['heads']}, "
            f"{T} tokens; input: token ids as f32)\n{head}\n" + "\n".join(s.lines) + "\n}\n" + mod.resources())


# ---------------------------------------------------------------------------------------------------

def to_mlir(model, example_input=None, path=None, *, argmax=False, flat_input=False, blocks=True):
    """Export ``model`` as MLIR text; write it to ``path`` if given (atomically). Returns the text.

    ``model``: an ``nn.Sequential`` DWN network, a ``quweit.models.ViT`` or ``GPT`` (QuWeiT or dense).
    ``example_input``: a tensor/array whose shape[1:] is the input shape (the batch is dynamic in the IR);
    it may be None when the shape follows from the model. ``argmax``: also return the class index
    (``quweit.argmax``, lowest index on ties) as a second result. ``flat_input`` (ViT): take images as
    ``[B, C*H*W]`` rows (handy for C programs) instead of ``[B, C, H, W]``. GPT: the input is token ids as
    f32 ``[B, T]`` (T from ``example_input``, default block_size). ``blocks`` (ViT, GPT): wrap each
    transformer block in ``quweit.transformer_block``.
    """
    from .models import ViT
    from .models.gpt import GPT
    if hasattr(model, "module"):
        model = model.module
    if isinstance(model, nn.Sequential):
        text = _export_dwn(model, example_input, argmax)
    elif isinstance(model, ViT):
        text = _export_vit(model, example_input, argmax, flat_input, blocks)
    elif isinstance(model, GPT):
        text = _export_gpt(model, example_input, argmax, blocks)
    else:
        raise ExportError(f"cannot export {type(model).__name__}: expected an nn.Sequential DWN network, a ViT "
                          "or a GPT")
    if path is not None:
        _write_atomic(path, text)
    return text


def _write_atomic(path, text):
    path = os.fspath(path)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    """``python -m quweit.export CHECKPOINT.pt -o model.mlir [--argmax] [--flat-input] [--no-blocks]``."""
    import argparse
    p = argparse.ArgumentParser(prog="python -m quweit.export",
                                description="Export a QuWeiT checkpoint (quweit.checkpoint format) to MLIR.")
    p.add_argument("checkpoint")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--argmax", action="store_true", help="also return the predicted class (i64) per sample")
    p.add_argument("--flat-input", action="store_true", help="ViT: take images as [B, C*H*W] rows")
    p.add_argument("--no-blocks", action="store_true", help="ViT: no quweit.transformer_block wrappers")
    a = p.parse_args(argv)
    from .checkpoint import load_model
    model = load_model(a.checkpoint)
    to_mlir(model, None, a.output, argmax=a.argmax, flat_input=a.flat_input, blocks=not a.no_blocks)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
