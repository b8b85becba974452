"""Import DWN networks trained with the public ``torch_dwn`` package (github.com/alanbacellar/DWN).

``torch_dwn`` keeps only the LUT layers in the state dict; what its modules hold outside it must be passed
explicitly (docs/export.md):

* ``LUTLayer`` (state dict): ``<p>.luts`` f32 ``[M, 2^n]`` (deployed bit: ``luts > 0``, as its STE does) and
  either ``<p>.mapping`` int32 ``[M, n]`` (fixed 'random'/'arange' mapping; slot l is address bit l, LSB
  first, as its CUDA kernel builds ``addr |= (x > 0) << l``) or, for ``mapping='learnable'``,
  ``<p>.mapping.weights`` f32 ``[N, M*n]``: slot ``j*n + l`` reads input ``weights[:, j*n + l].argmax()``
  (``<p>._LUTLayer__dummy_mapping`` is the identity and is ignored).
* ``Thermometer`` / ``GaussianThermometer`` / ``DistributiveThermometer`` are not modules: their
  ``thresholds`` (``[F, T]``; ``[T]`` with ``feature_wise=False``) must be passed as ``thresholds``.
  ``binarize(x).flatten(1)`` is feature-major, as ``quweit.thermometer``.
* ``GroupSum(k, tau, randperm)`` keeps ``k``, ``tau`` and the optional permutation outside the state dict:
  pass ``groups``, ``tau`` and ``group_perm``.

:func:`load_torch_dwn` returns an ``nn.Sequential`` of :mod:`quweit.nn` modules that computes exactly the
same eval outputs, ready for :func:`quweit.export.to_mlir` and :func:`quweit.runtime.compile`.
"""
from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

from .nn import GroupSum, LUTLayer, Thermometer

__all__ = ["load_torch_dwn", "torch_dwn_layers"]


def _state_dict(source):
    if isinstance(source, (str, os.PathLike)):
        if not os.path.exists(source):
            raise FileNotFoundError(f"torch_dwn checkpoint {source} does not exist")
        source = torch.load(os.fspath(source), map_location="cpu")
    if isinstance(source, nn.Module):
        source = source.state_dict()
    if not isinstance(source, dict):
        raise ValueError(f"expected a state dict (or a path to one), got {type(source).__name__}")
    for key in ("state_dict", "model_state_dict", "model"):
        if key in source and isinstance(source[key], dict) and not any(
                k.endswith("luts") for k in source):
            source = source[key]
    return source


def torch_dwn_layers(state_dict) -> list:
    """``[(prefix, mapping int64 [M, n], luts f32 [M, 2^n], in_bits or None)]`` in state-dict order."""
    sd = _state_dict(state_dict)
    layers = []
    for key, value in sd.items():
        if not key.endswith("luts") or (key != "luts" and not key.endswith(".luts")):
            continue
        prefix = key[: -len("luts")]
        luts = torch.as_tensor(value).detach().float()
        if luts.dim() != 2 or luts.shape[1] & (luts.shape[1] - 1) or luts.shape[1] < 2:
            raise ValueError(f"{key}: expected LUT tables [M, 2^n], got shape {list(luts.shape)}")
        M, size = luts.shape
        n = size.bit_length() - 1
        if prefix + "mapping.weights" in sd:
            w = torch.as_tensor(sd[prefix + "mapping.weights"]).detach()
            if w.dim() != 2 or w.shape[1] != M * n:
                raise ValueError(f"{prefix}mapping.weights: expected [N, {M * n}], got {list(w.shape)}")
            mapping, in_bits = w.argmax(dim=0).view(M, n).to(torch.int64), int(w.shape[0])
        elif prefix + "mapping" in sd:
            mapping, in_bits = torch.as_tensor(sd[prefix + "mapping"]).detach().to(torch.int64), None
            if tuple(mapping.shape) != (M, n):
                raise ValueError(f"{prefix}mapping: expected [{M}, {n}], got {list(mapping.shape)}")
        else:
            raise ValueError(f"{key} has no {prefix}mapping or {prefix}mapping.weights beside it")
        layers.append((prefix, mapping, luts, in_bits))
    if not layers:
        raise ValueError("no torch_dwn LUT layers ('<prefix>.luts' keys) in the state dict")
    return layers


def load_torch_dwn(state_dict, *, groups: int, tau: float, thresholds=None, num_features=None,
                   num_inputs=None, group_perm=None) -> nn.Sequential:
    """Rebuild a torch_dwn network as ``nn.Sequential(Thermometer?, LUTLayer..., GroupSum)``.

    ``state_dict``: a state dict, a module, or a path to a ``torch.save``d state dict.
    ``groups``, ``tau``: the ``GroupSum(k, tau)`` of the network. ``thresholds``: the thermometer's
    thresholds ``[F, T]`` (or ``[T]`` for ``feature_wise=False``, with ``num_features=F``); without them the
    network takes bits (``[B, N]`` of 0/1 floats, any value > 0 is a 1) and ``num_inputs`` (N) is needed
    unless the first mapping is learnable. ``group_perm``: the GroupSum's ``randperm`` tensor, if used (it
    is folded into the order of the last layer's LUTs, which is exact).
    """
    layers = torch_dwn_layers(state_dict)
    modules = []
    if thresholds is not None:
        t = torch.as_tensor(thresholds, dtype=torch.float32).detach().cpu()
        if t.dim() == 1:
            if num_features is None:
                raise ValueError("thresholds of shape [T] (feature_wise=False) need num_features")
            t = t.view(1, -1).repeat(int(num_features), 1)
        if t.dim() != 2:
            raise ValueError(f"thresholds must be [F, T] or [T], got shape {list(t.shape)}")
        th = Thermometer(int(t.shape[1]), "uniform")
        th.set_thresholds(t)
        modules.append(th)
        width = int(t.shape[0] * t.shape[1])
    else:
        width = num_inputs
    for i, (prefix, mapping, luts, in_bits) in enumerate(layers):
        if in_bits is not None and width is not None and in_bits != width:
            raise ValueError(f"{prefix}mapping.weights reads {in_bits} inputs, but the layer before gives {width}")
        width = width if width is not None else in_bits
        if width is None:
            raise ValueError("the first layer's input width is unknown: pass thresholds or num_inputs")
        M, n = mapping.shape
        if mapping.numel() and (mapping.min() < 0 or mapping.max() >= width):
            raise ValueError(f"{prefix}mapping has values outside [0, {width})")
        if i == len(layers) - 1 and group_perm is not None:
            perm = torch.as_tensor(group_perm, dtype=torch.int64)
            if sorted(perm.tolist()) != list(range(M)):
                raise ValueError(f"group_perm must be a permutation of range({M})")
            mapping, luts = mapping[perm], luts[perm]
        layer = LUTLayer(width, M, n, mapping="arange")
        with torch.no_grad():
            layer.mapping.copy_(mapping)
            layer.luts.copy_(luts)
        modules.append(layer)
        width = M
    modules.append(GroupSum(int(groups), float(tau)))
    return nn.Sequential(*modules).eval()


def write_torch_dwn_state_dict(path, layers, learnable_first=False, generator=None):
    """Test helper: write random tables/mappings in torch_dwn's state-dict layout.

    ``layers``: ``[(in_bits, num_luts, n), ...]``. Returns the state dict it saved."""
    sd = OrderedDict()
    for i, (N, M, n) in enumerate(layers):
        if i == 0 and learnable_first:
            sd[f"{i}.mapping.weights"] = torch.rand(N, M * n, generator=generator)
            sd[f"{i}._LUTLayer__dummy_mapping"] = torch.arange(M * n).reshape(M, n).int()
        else:
            sd[f"{i}.mapping"] = torch.randint(0, N, (M, n), generator=generator, dtype=torch.int64).int()
        sd[f"{i}.luts"] = torch.rand(M, 2 ** n, generator=generator) * 2 - 1
    if path is not None:
        torch.save(sd, os.fspath(path))
    return sd


def reference_forward(state_dict, x, thresholds, groups, tau, group_perm=None) -> np.ndarray:
    """torch_dwn's eval forward, written independently in numpy (for tests): binarize, LUT layers, group sum."""
    x = np.asarray(x, np.float32)
    if thresholds is not None:
        t = np.asarray(thresholds, np.float32)
        x = (x[..., None] > t).astype(np.float32).reshape(x.shape[0], -1)
    sd = _state_dict(state_dict)
    i = 0
    while f"{i}.luts" in sd:
        luts = sd[f"{i}.luts"].numpy()
        if f"{i}.mapping.weights" in sd:
            x = x[:, sd[f"{i}.mapping.weights"].numpy().argmax(0)]
            mapping = np.arange(x.shape[1]).reshape(luts.shape[0], -1)
        else:
            mapping = sd[f"{i}.mapping"].numpy().astype(np.int64)
        addr = np.zeros((x.shape[0], luts.shape[0]), np.int64)
        for l in range(mapping.shape[1]):
            addr |= (x[:, mapping[:, l]] > 0).astype(np.int64) << l
        x = (luts[np.arange(luts.shape[0])[None, :], addr] > 0).astype(np.float32)
        i += 1
    if group_perm is not None:
        x = x[:, np.asarray(group_perm)]
    pad = (-x.shape[1]) % groups
    x = np.pad(x, ((0, 0), (0, pad)))
    return (x.reshape(x.shape[0], groups, -1).sum(-1) / np.float32(tau)).astype(np.float32)
