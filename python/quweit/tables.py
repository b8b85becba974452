"""LUT FFN tables files: the input of ``quweit-opt --quweit-convert-mlp-to-lut=tables=FILE``.

A tables file is an MLIR module with one function per MLP to replace, named by the MLP's name
(``blocks.3.ffn``: the module path of the ``LutFFN`` in a QuWeiT model, which is also the name the
dense exporter puts on the MLP's linears, ``loc("blocks.3.ffn.fc1")``)::

    func.func @"blocks.0.ffn"(%x: tensor<?xDxf32>) -> tensor<?xKxf32> {
      %y = quweit.lut_ffn %x : tensor<?xDxf32> -> tensor<?xKxf32> { thermometer, lut_layer+, group_sum, scale_counts }
      return %y : tensor<?xKxf32>
    }

so a tables file is itself a valid model (each function runs with ``quweit-run --entry``).

``python -m quweit.tables CHECKPOINT.pt -o tables.mlir [--dense-twin dense.mlir]`` writes the tables of a
trained QuWeiT checkpoint; ``--dense-twin`` also exports the model's *dense carrier*: the same model with
every ``LutFFN`` replaced by a dense MLP (random weights, the ``mlp_ratio`` width), which the pass turns back
into the QuWeiT model (used by the end-to-end test). Fitted tables for a dense model: ``quweit.fit``.
"""
from __future__ import annotations

import copy
import os

import torch

from .export import ExportError, _Module, _Scope, _Value
from .nn import LutFFN

__all__ = ["tables_mlir", "lut_ffns", "dense_carrier", "write_atomic"]


def lut_ffns(model) -> dict:
    """The ``LutFFN`` modules of ``model`` by module path (``blocks.0.ffn``), in order."""
    model = model.module if hasattr(model, "module") else model
    return {name: m for name, m in model.named_modules() if isinstance(m, LutFFN)}


def _symbol(name: str) -> str:
    if not name or any(c in name for c in '"\\\n'):
        raise ExportError(f"cannot use {name!r} as a table name")
    return f'@"{name}"'


def tables_mlir(ffns: dict, source: str = "") -> str:
    """MLIR text of a tables file for ``{name: LutFFN}``."""
    if not ffns:
        raise ExportError("no LUT FFNs to write")
    mod = _Module()
    out = [f"// QuWeiT LUT FFN tables (quweit.tables){': ' + source if source else ''}",
           "// One function per MLP, named as the MLP; input to --quweit-convert-mlp-to-lut=tables=FILE.",
           "module {"]
    for name, ffn in ffns.items():
        s = _Scope(mod, "    ")
        x = _Value("%x", ("B", ffn.d_model))
        y = s.lut_ffn(x, ffn)
        out.append(f"  func.func {_symbol(name)}(%x: {x.type}) -> {y.type} {{")
        out += s.lines
        out.append(f"    return {y.name} : {y.type}")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n" + mod.resources()


def write_atomic(path, text: str) -> None:
    """Writes ``text`` to ``path`` through a temporary (no half-written file on failure)."""
    from .export import _write_atomic
    _write_atomic(path, text)


def dense_carrier(model, seed: int = 0):
    """A copy of a QuWeiT model with every LutFFN replaced by a dense MLP (fc1, GELU, fc2) of width
    ``mlp_ratio * dim`` with random weights; everything else (attention, norms, embeddings, head) is shared
    with ``model``. Converting its MLPs with the model's tables gives the QuWeiT model back."""
    from .models.common import MLP
    model = model.module if hasattr(model, "module") else model
    dense = copy.deepcopy(model)
    g = torch.Generator().manual_seed(seed)
    hidden_ratio = model.config.get("mlp_ratio", 4.0)
    for name in list(lut_ffns(dense)):
        parent_name, _, attr = name.rpartition(".")
        parent = dense.get_submodule(parent_name) if parent_name else dense
        d = getattr(parent, attr).d_model
        mlp = MLP(d, int(d * hidden_ratio))
        with torch.no_grad():
            for p in mlp.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
        setattr(parent, attr, mlp)
    dense.config = dict(model.config, ffn="dense")
    return dense.eval()


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m quweit.tables",
                                description="Write the LUT FFN tables of a trained QuWeiT checkpoint as the "
                                            "tables file of --quweit-convert-mlp-to-lut.")
    p.add_argument("checkpoint")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--dense-twin", default=None,
                   help="also export the model with every LutFFN replaced by a dense MLP (random weights)")
    p.add_argument("--flat-input", action="store_true", help="ViT dense twin: images as [B, C*H*W] rows")
    a = p.parse_args(argv)
    from .checkpoint import load_model
    from .export import to_mlir
    model = load_model(a.checkpoint)
    ffns = lut_ffns(model)
    if not ffns:
        raise SystemExit(f"{a.checkpoint}: the model has no LUT FFNs (a dense model? use python -m quweit.fit)")
    write_atomic(a.output, tables_mlir(ffns, os.path.basename(a.checkpoint)))
    print(f"wrote {a.output} ({len(ffns)} LUT FFNs: {', '.join(ffns)})")
    if a.dense_twin:
        to_mlir(dense_carrier(model), None, a.dense_twin, flat_input=a.flat_input)
        print(f"wrote {a.dense_twin}")


if __name__ == "__main__":
    main()
