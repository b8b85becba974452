"""Thermometer encoding: ``u[b, f*T + k] = x[b, f] > t[f, k]`` (strictly greater, feature-major)."""
from __future__ import annotations

import math

import torch
from torch import nn

KINDS = ("uniform", "gaussian", "distributive")


def _normal_icdf(p: torch.Tensor) -> torch.Tensor:
    return math.sqrt(2.0) * torch.erfinv(2.0 * p - 1.0)


def fit_thresholds(x: torch.Tensor, num_bits: int, kind: str) -> torch.Tensor:
    """Thresholds ``[F, T]`` fitted per feature on data ``x: [..., F]`` (float64 maths, f32 result).

    * uniform: ``min + (max - min) * k / (T + 1)``, k = 1..T;
    * gaussian: ``mean + std * Phi^-1(k / (T + 1))`` (std is the population std);
    * distributive: equal-population quantiles: sorted column values at index ``floor(S * k / (T + 1))``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown thermometer kind {kind!r}; choose one of {KINDS}")
    if x.dim() < 1 or x.numel() == 0:
        raise ValueError("Thermometer.fit needs a non-empty tensor of shape [..., F]")
    x = x.detach().reshape(-1, x.shape[-1]).to(torch.float64)
    if not torch.isfinite(x).all():
        raise ValueError("Thermometer.fit: data contains NaN or infinity; clean it first")
    k = torch.arange(1, num_bits + 1, dtype=torch.float64, device=x.device)
    if kind == "uniform":
        lo, hi = x.min(0).values, x.max(0).values
        t = lo[:, None] + (hi - lo)[:, None] * k[None, :] / (num_bits + 1)
    elif kind == "gaussian":
        mean, std = x.mean(0), x.std(0, unbiased=False)
        t = mean[:, None] + std[:, None] * _normal_icdf(k / (num_bits + 1))[None, :]
    else:
        s = x.shape[0]
        idx = torch.tensor([int(s * i / (num_bits + 1)) for i in range(1, num_bits + 1)],
                           device=x.device)
        t = x.sort(0).values[idx].T
    return t.to(torch.float32).contiguous()


def _capturing() -> bool:
    """True while a CUDA graph is being captured: the NaN check (a host sync) is skipped then."""
    f = getattr(torch.cuda, "is_current_stream_capturing", None)
    return bool(f is not None and torch.cuda.is_available() and f())


class _ThermometerSTE(torch.autograd.Function):
    """Bits forward; backward passes each bit's gradient to x where x is within ``h[f]`` of the
    bit's threshold, weighted ``1 / (2 h[f])``: the derivative of the step smoothed by a box of
    width ``2h``. With ``h`` = half the mean gap between thresholds, the summed weight is about
    ``1 / gap``, the slope of the bit count as a function of x."""

    @staticmethod
    def forward(ctx, x, thresholds, half_width):
        diff = x.unsqueeze(-1) - thresholds  # [..., F, T]
        ctx.save_for_backward(diff, half_width)
        return (diff > 0).to(x.dtype).flatten(-2)

    @staticmethod
    def backward(ctx, grad_out):
        diff, h = ctx.saved_tensors
        g = grad_out.reshape(diff.shape)
        w = (diff.abs() < h[:, None]).to(g.dtype) / (2 * h[:, None])
        return (g * w).sum(-1), None, None


class Thermometer(nn.Module):
    """Thermometer encoder ``[..., F] -> [..., F*T]`` bits (as floats 0/1).

    ``thresholds`` ([F, T] buffer) is set by :meth:`fit`, by :meth:`set_thresholds`, or at
    construction (``num_features`` with ``kind='gaussian'`` gives standard-normal quantiles, the
    fixed thresholds used after a LayerNorm). ``straight_through=True`` lets gradients reach x
    (see :class:`_ThermometerSTE`). NaN inputs raise ValueError unless ``allow_nan=True`` (a NaN
    then encodes as all-zero bits, as IEEE ``>`` gives).
    """

    def __init__(self, num_bits: int, kind: str = "uniform", num_features: int | None = None,
                 allow_nan: bool = False, straight_through: bool = False):
        super().__init__()
        if not isinstance(num_bits, int) or num_bits < 1:
            raise ValueError(f"num_bits must be a positive int, got {num_bits!r}")
        if kind not in KINDS:
            raise ValueError(f"unknown thermometer kind {kind!r}; choose one of {KINDS}")
        self.num_bits, self.kind = num_bits, kind
        self.allow_nan, self.straight_through = allow_nan, straight_through
        t = torch.empty(0, num_bits)
        if num_features is not None:
            k = torch.arange(1, num_bits + 1, dtype=torch.float64) / (num_bits + 1)
            if kind == "gaussian":
                base = _normal_icdf(k)
            elif kind == "uniform":  # on [-1, 1] until fitted
                base = -1 + 2 * k
            else:
                base = _normal_icdf(k)
            t = base.to(torch.float32).repeat(num_features, 1)
        self.register_buffer("thresholds", t.contiguous())

    @property
    def num_features(self) -> int:
        return self.thresholds.shape[0]

    @property
    def out_bits(self) -> int:
        return self.num_features * self.num_bits

    def is_fitted(self) -> bool:
        return self.thresholds.shape[0] > 0

    @torch.no_grad()
    def fit(self, x: torch.Tensor) -> "Thermometer":
        t = fit_thresholds(x, self.num_bits, self.kind).to(self.thresholds.device)
        self.thresholds = t
        return self

    @torch.no_grad()
    def set_thresholds(self, t: torch.Tensor) -> "Thermometer":
        t = torch.as_tensor(t, dtype=torch.float32)
        if t.dim() != 2 or t.shape[1] != self.num_bits:
            raise ValueError(f"thresholds must be [F, {self.num_bits}], got {list(t.shape)}")
        if not torch.isfinite(t).all():
            raise ValueError("thresholds must be finite")
        if t.shape[1] > 1 and (t[:, 1:] < t[:, :-1]).any():
            raise ValueError("thresholds must be non-decreasing along T")
        self.thresholds = t.to(self.thresholds.device).contiguous()
        return self

    def _half_width(self) -> torch.Tensor:
        t = self.thresholds
        if t.shape[1] > 1:
            gap = (t[:, -1] - t[:, 0]) / (t.shape[1] - 1)
        else:
            gap = torch.ones_like(t[:, 0])
        return (gap / 2).clamp_min(1e-3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.is_fitted():
            raise RuntimeError("Thermometer has no thresholds: call fit(data) or set_thresholds() first")
        if x.shape[-1] != self.num_features:
            raise ValueError(f"Thermometer expects {self.num_features} features in the last dim, "
                             f"got shape {list(x.shape)}")
        if not self.allow_nan and not _capturing() and torch.isnan(x).any():
            raise ValueError("Thermometer input contains NaN; pass allow_nan=True to encode NaN as 0 bits")
        t = self.thresholds.to(x.dtype)
        if self.straight_through and torch.is_grad_enabled() and x.requires_grad:
            return _ThermometerSTE.apply(x, t, self._half_width().to(x.dtype))
        return (x.unsqueeze(-1) > t).to(x.dtype).flatten(-2)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        key = prefix + "thresholds"
        if key in state_dict and state_dict[key].shape != self.thresholds.shape:
            self.thresholds = torch.empty_like(state_dict[key], device=self.thresholds.device)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def extra_repr(self) -> str:
        return f"num_bits={self.num_bits}, kind={self.kind!r}, features={self.num_features}"
