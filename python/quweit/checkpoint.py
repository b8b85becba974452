"""Checkpoint format (documented in docs/python.md).

``<name>.pt`` is a ``torch.save`` dict::

    {"format": "quweit.checkpoint", "version": 1,
     "config": {...},          # model config (JSON-able), rebuilds the model with models.build_model
     "model": state_dict,      # plain (non-DDP) state dict: thresholds, mappings, luts, tau, weights
     "lut_ffns": [...],        # per LutFFN: the state-dict keys of its pieces (see lut_ffn_summary)
     "train": {...}}           # optional: optimizer/scheduler state, epoch, history, RNG (for --resume)

and ``<name>.json`` beside it holds ``format``, ``version``, ``config`` and ``lut_ffns`` as JSON, so that
tools can read the architecture without torch.
"""
from __future__ import annotations

import json
import os

import torch

from .models import build_model
from .nn import LUTLayer, LutFFN

FORMAT, VERSION = "quweit.checkpoint", 1


def unwrap(model):
    return model.module if hasattr(model, "module") else model


def lut_ffn_summary(model) -> list:
    """For each LutFFN: its state-dict prefix and the shapes an exporter needs."""
    out = []
    for name, m in unwrap(model).named_modules():
        if isinstance(m, LutFFN):
            p = name + "."
            out.append({
                "prefix": name,
                "d_model": m.d_model,
                "thermometer": {"key": p + "thermometer.thresholds", "num_bits": m.thermometer.num_bits,
                                "kind": m.thermometer.kind, "compare": "x > t (strict), feature-major"},
                "lut_layers": [{"mapping": f"{p}luts.{i}.mapping", "luts": f"{p}luts.{i}.luts",
                                "in_bits": l.in_bits, "num_luts": l.num_luts, "fan_in": l.fan_in,
                                "address": "LSB first: bit l = input mapping[j, l]",
                                "deployed_bit": "luts > 0"}
                               for i, l in enumerate(m.luts) if isinstance(l, LUTLayer)],
                "group_sum": {"groups": m.group_sum.groups, "tau": p + "group_sum.tau",
                              "scale": p + "group_sum.scale" if m.group_sum.scale is not None else None,
                              "bias": p + "group_sum.bias" if m.group_sum.bias is not None else None,
                              "formula": "(float(count) / tau) * scale + bias, zero padding, contiguous groups"},
            })
    return out


def _atomic_save(obj, path: str) -> None:
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def save_checkpoint(path: str, model, train_state: dict | None = None) -> None:
    m = unwrap(model)
    ckpt = {"format": FORMAT, "version": VERSION, "config": m.config, "model": m.state_dict(),
            "lut_ffns": lut_ffn_summary(m)}
    if train_state is not None:
        ckpt["train"] = train_state
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    _atomic_save(ckpt, path)
    meta = {k: ckpt[k] for k in ("format", "version", "config", "lut_ffns")}
    tmp = os.path.splitext(path)[0] + ".json.tmp"
    with open(tmp, "w") as f:
        json.dump(meta, f, indent=1)
    os.replace(tmp, os.path.splitext(path)[0] + ".json")


def read_checkpoint(path: str, map_location="cpu") -> dict:
    if not os.path.exists(path):
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    ckpt = torch.load(path, map_location=map_location)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{path} is not a QuWeiT checkpoint (no format={FORMAT!r} field)")
    if ckpt.get("version") != VERSION:
        raise ValueError(f"{path}: checkpoint version {ckpt.get('version')} is not supported (want {VERSION})")
    return ckpt


def load_model(path: str, map_location="cpu"):
    """Rebuild the model of a checkpoint and load its weights; returns the model in eval mode."""
    ckpt = read_checkpoint(path, map_location)
    model = build_model(ckpt["config"])
    model.load_state_dict(ckpt["model"])
    return model.eval()


def strip_for_deployment(state_dict: dict) -> dict:
    """Drop training-only tensors (the learnable-mapping scores: the ``mapping`` buffer already holds
    their argmax). Tables stay float (deployed bit = luts > 0)."""
    return {k: v for k, v in state_dict.items() if not k.endswith("mapping_scores")}
