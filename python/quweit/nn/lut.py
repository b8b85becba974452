"""LUT layer, learnable mapping, group sum and the LUT feed-forward block (LutFFN)."""
from __future__ import annotations

import torch
from torch import nn

from .efd import EFD_BETA, MAX_FAN_IN, bits_major_default, efd_alpha, efd_lookup, efd_lookup_t
from .thermometer import Thermometer

MAPPINGS = ("random", "arange", "learnable")


def random_mapping(in_bits: int, num_luts: int, fan_in: int, generator=None) -> torch.Tensor:
    """Concatenated random permutations of the inputs: every input is used when M*n >= N."""
    total = num_luts * fan_in
    reps = -(-total // in_bits)
    perm = torch.cat([torch.randperm(in_bits, generator=generator) for _ in range(reps)])
    return perm[:total].view(num_luts, fan_in).to(torch.int64)


def arange_mapping(in_bits: int, num_luts: int, fan_in: int) -> torch.Tensor:
    return (torch.arange(num_luts * fan_in) % in_bits).view(num_luts, fan_in).to(torch.int64)


class _LearnableMappingFn(torch.autograd.Function):
    """Forward: slot k reads input ``idx[k] = argmax_i scores[i, k]``. Backward (as torch_dwn):
    grad_scores = (2x - 1)^T @ g, grad_x = g @ softmax(scores / tau, dim=0)^T. ``bits_major``: x is
    ``[N, B]`` and the result ``[M*n, B]`` (the same maths transposed)."""

    @staticmethod
    def forward(ctx, x, scores, idx, tau, bits_major):
        ctx.save_for_backward(x, scores)
        ctx.tau, ctx.bits_major = tau, bits_major
        return x.index_select(0, idx) if bits_major else x[:, idx]

    @staticmethod
    def backward(ctx, g):
        x, scores = ctx.saved_tensors
        gx = gs = None
        if ctx.bits_major:
            if ctx.needs_input_grad[1]:
                gs = (2 * x - 1).to(g.dtype) @ g.t()
            if ctx.needs_input_grad[0]:
                gx = (torch.softmax(scores / ctx.tau, dim=0).to(g.dtype) @ g).to(x.dtype)
        else:
            if ctx.needs_input_grad[1]:
                gs = (2 * x - 1).t().to(g.dtype) @ g
            if ctx.needs_input_grad[0]:
                gx = (g @ torch.softmax(scores / ctx.tau, dim=0).t().to(g.dtype)).to(x.dtype)
        if gs is not None:
            gs = gs.to(scores.dtype)
        return gx, gs, None, None, None


class LUTLayer(nn.Module):
    """``num_luts`` LUTs of ``fan_in`` inputs each over ``in_bits`` input bits.

    Buffers/params: ``mapping`` (int64 [M, n] buffer; for 'learnable' it is refreshed from the
    scores at every training forward and is the deployed mapping), ``luts`` (float [M, 2^n] in
    [-1, 1]; deployed bit = ``luts > 0``). Input ``[B, in_bits]`` of 0/1 floats (any value > 0 is
    a 1); output ``[B, num_luts]`` of 0/1 floats. Leading dims beyond one are flattened and restored.
    """

    def __init__(self, in_bits: int, num_luts: int, fan_in: int = 6, mapping: str = "random",
                 alpha: float | None = None, beta: float = EFD_BETA, backend: str = "auto",
                 mapping_tau: float = 1e-3, generator: torch.Generator | None = None):
        super().__init__()
        if not (1 <= fan_in <= MAX_FAN_IN):
            raise ValueError(f"fan_in must be in [1, {MAX_FAN_IN}], got {fan_in}")
        if in_bits < 1 or num_luts < 1:
            raise ValueError(f"in_bits and num_luts must be >= 1, got {in_bits}, {num_luts}")
        if mapping not in MAPPINGS:
            raise ValueError(f"unknown mapping {mapping!r}; choose one of {MAPPINGS}")
        self.in_bits, self.num_luts, self.fan_in = in_bits, num_luts, fan_in
        self.mapping_kind, self.backend = mapping, backend
        self.alpha = efd_alpha(fan_in) if alpha is None else alpha
        self.beta, self.mapping_tau = beta, mapping_tau
        if mapping == "arange":
            m = arange_mapping(in_bits, num_luts, fan_in)
        else:
            m = random_mapping(in_bits, num_luts, fan_in, generator)
        self.register_buffer("mapping", m)
        self.luts = nn.Parameter(torch.rand(num_luts, 1 << fan_in, generator=generator) * 2 - 1)
        if mapping == "learnable":
            self.mapping_scores = nn.Parameter(torch.randn(in_bits, num_luts * fan_in, generator=generator))
            with torch.no_grad():
                self.mapping.copy_(self.mapping_scores.argmax(0).view(num_luts, fan_in))
        else:
            self.mapping_scores = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.in_bits:
            raise ValueError(f"LUTLayer expects {self.in_bits} input bits in the last dim, got shape {list(x.shape)}")
        lead = x.shape[:-1]
        x = x.reshape(-1, self.in_bits)
        if bits_major_default(x, self.backend):  # the GPU kernels are fastest bits-major
            return self.forward_t(x.t()).t().reshape(*lead, self.num_luts)
        return self._lookup(x, bits_major=False).reshape(*lead, self.num_luts)

    def forward_t(self, xT: torch.Tensor) -> torch.Tensor:
        """Bits-major forward: ``xT [in_bits, B] -> [num_luts, B]`` (the transpose of ``forward``)."""
        if xT.dim() != 2 or xT.shape[0] != self.in_bits:
            raise ValueError(f"LUTLayer.forward_t expects [{self.in_bits}, B] bits, got shape {list(xT.shape)}")
        return self._lookup(xT, bits_major=True)

    def _lookup(self, x: torch.Tensor, bits_major: bool) -> torch.Tensor:
        lookup = efd_lookup_t if bits_major else efd_lookup
        if self.mapping_scores is not None and self.training:
            idx = self.mapping_scores.argmax(dim=0)
            with torch.no_grad():
                self.mapping.copy_(idx.view(self.num_luts, self.fan_in))
            sel = _LearnableMappingFn.apply(x, self.mapping_scores, idx, self.mapping_tau, bits_major)
            ident = getattr(self, "_ident", None)
            if ident is None or ident.device != x.device:
                ident = torch.arange(self.num_luts * self.fan_in, device=x.device).view(self.num_luts, self.fan_in)
                self._ident = ident
            return lookup(sel, ident, self.luts, self.alpha, self.beta, self.backend)
        return lookup(x, self.mapping, self.luts, self.alpha, self.beta, self.backend)

    @torch.no_grad()
    def clamp_(self) -> None:
        """Keep tables in [-1, 1] (call after each optimiser step)."""
        self.luts.clamp_(-1.0, 1.0)

    def deployed_tables(self) -> torch.Tensor:
        """Bit tables [M, 2^n] (bool) as deployed."""
        return self.luts.detach() > 0

    def extra_repr(self) -> str:
        return (f"in_bits={self.in_bits}, num_luts={self.num_luts}, fan_in={self.fan_in}, "
                f"mapping={self.mapping_kind!r}")


class GroupSum(nn.Module):
    """``[..., M] -> [..., k]``: zero-pad M to a multiple of k, sum contiguous groups, divide by tau,
    then (``affine=True``) ``* scale + bias`` per output."""

    def __init__(self, groups: int, tau: float = 1.0, affine: bool = False):
        super().__init__()
        if groups < 1:
            raise ValueError(f"groups must be >= 1, got {groups}")
        if not tau > 0:
            raise ValueError(f"tau must be positive, got {tau}")
        self.groups = groups
        self.register_buffer("tau", torch.tensor(float(tau)))
        if affine:
            self.scale = nn.Parameter(torch.ones(groups))
            self.bias = nn.Parameter(torch.zeros(groups))
        else:
            self.scale = self.bias = None

    def counts(self, x: torch.Tensor) -> torch.Tensor:
        M = x.shape[-1]
        pad = (-M) % self.groups
        if pad:
            x = torch.nn.functional.pad(x, (0, pad))
        return x.reshape(*x.shape[:-1], self.groups, -1).sum(-1)

    def counts_t(self, xT: torch.Tensor) -> torch.Tensor:
        """Group counts of bits-major ``xT [M, B]``, returned as ``[B, k]``."""
        M = xT.shape[0]
        pad = (-M) % self.groups
        if pad:
            xT = torch.nn.functional.pad(xT, (0, 0, 0, pad))
        return xT.reshape(self.groups, -1, xT.shape[-1]).sum(1).t()

    def forward(self, x: torch.Tensor, bits_major: bool = False) -> torch.Tensor:
        """``[..., M] -> [..., k]``; ``bits_major=True``: ``[M, B] -> [B, k]``."""
        y = (self.counts_t(x) if bits_major else self.counts(x)) / self.tau
        if self.scale is not None:
            y = y * self.scale + self.bias
        return y

    def extra_repr(self) -> str:
        return f"groups={self.groups}, tau={float(self.tau):g}, affine={self.scale is not None}"


class LutFFN(nn.Module):
    """Weightless feed-forward block ``D -> D``: thermometer (``bits_per_feature`` per feature,
    fixed standard-normal quantiles by default, since it sits after a LayerNorm; straight-through
    gradient to its input) -> LUT layers (sizes ``layers``) -> group sum into D groups, tau,
    per-output scale and bias. ``scale_init`` (default 1) is the initial per-output scale: a small
    value starts the block near zero in the residual stream (as a dense twin's small initial MLP output)."""

    def __init__(self, d_model: int, bits_per_feature: int = 8, layers=(2048, 2048), fan_in: int = 6,
                 tau: float | None = None, thermometer: str = "gaussian", mapping: str = "random",
                 backend: str = "auto", affine: bool = True, scale_init: float = 1.0):
        super().__init__()
        layers = list(layers)
        if not layers:
            raise ValueError("LutFFN needs at least one LUT layer")
        self.d_model, self.bits_per_feature = d_model, bits_per_feature
        self.thermometer = Thermometer(bits_per_feature, thermometer, num_features=d_model,
                                       straight_through=True)
        sizes = [d_model * bits_per_feature] + layers
        self.luts = nn.ModuleList(
            LUTLayer(sizes[i], sizes[i + 1], fan_in, mapping if i == 0 else "random", backend=backend)
            for i in range(len(layers)))
        if tau is None:  # counts per group are ~Binomial(M/D, 1/2): scale them to unit std
            tau = max(1.0, (layers[-1] / d_model) ** 0.5 / 2)
        self.group_sum = GroupSum(d_model, tau, affine=affine)
        if affine:
            with torch.no_grad():  # centre the initial output near 0, scaled by scale_init
                self.group_sum.scale.fill_(scale_init)
                self.group_sum.bias.fill_(-(layers[-1] / d_model) / 2 / tau * scale_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.thermometer(x)
        if not bits_major_default(h, self.luts[0].backend):
            for layer in self.luts:
                h = layer(h)
            return self.group_sum(h)
        # GPU: run the LUT chain bits-major ([bits, tokens]), transposing once in and once out.
        lead = h.shape[:-1]
        hT = h.reshape(-1, h.shape[-1]).t().contiguous()
        for layer in self.luts:
            hT = layer.forward_t(hT)
        return self.group_sum(hT, bits_major=True).reshape(*lead, self.d_model)

    @torch.no_grad()
    def clamp_(self) -> None:
        for layer in self.luts:
            layer.clamp_()
