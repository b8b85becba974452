"""LUT lookup with the Extended Finite Difference (EFD) backward, CPU reference path.

Semantics (shared/docs/semantics.md, "LUT layer" and "Training"):

* forward: ``addr[b, j] = sum_l bit(x[b, mapping[j, l]]) << l`` (least significant first) and
  ``out[b, j] = float(luts[j, addr[b, j]] > 0)``; an input value is the bit 1 when it is > 0.
* backward, for the output gradient ``g = grad_out[b, j]``:
  ``grad_luts[j, addr] += g`` (straight-through the ``> 0`` step) and, for each slot l,
  ``grad_x[b, mapping[j, l]] += g * G[j, addr, l]`` with
  ``G[j, a, l] = sum_a2 luts[j, a2] * alpha * beta^d(a, a2, l) * s(a2, l)``.

``G`` depends on the tables only, so it is computed once per step for all addresses (cost
``M * 2^n * n^2 / 2`` instead of ``M * 4^n * n``) with the tensor-product structure of the kernel:
``beta^d`` is a product over the bits other than l of ``[[1, beta], [beta, 1]]`` and the sign term
only looks at bit l of ``a2``, so ``G[.., l]`` = alpha * blur_{bits != l}(L[bit l = 1] - L[bit l = 0]),
which does not depend on bit l of ``a``.
"""
from __future__ import annotations

import torch

MAX_FAN_IN = 16


def efd_alpha(n: int) -> float:
    return 0.5 * 0.75 ** (n - 1)


EFD_BETA = 0.25 / 0.75


_KERNELS: dict = {}
MATRIX_MAX_FAN_IN = 8


def efd_kernel_matrix(n: int, alpha: float, beta: float, device, dtype=torch.float64,
                      slots: bool = False) -> torch.Tensor:
    """``K[a2, a*n + l] = alpha * beta^d(a, a2, l) * s(a2, l)``, so that ``G = luts @ K`` (cached).
    ``slots=True`` orders the columns ``l*2^n + a`` instead (``G`` laid out ``[M, n, 2^n]``)."""
    key = (n, alpha, beta, str(device), dtype, slots)
    K = _KERNELS.get(key)
    if K is None:
        size = 1 << n
        eye = torch.eye(size, dtype=torch.float64)
        K = _efd_table_grad_loop(eye, alpha, beta)  # [2^n (a2), 2^n (a), n (l)]
        if slots:
            K = K.permute(0, 2, 1)
        K = K.reshape(size, size * n).to(device, dtype).contiguous()
        _KERNELS[key] = K
    return K


def efd_table_grad(luts: torch.Tensor, alpha: float | None = None, beta: float = EFD_BETA) -> torch.Tensor:
    """Return ``G`` of shape ``[M, 2^n, n]`` (see the module doc) for tables ``luts: [M, 2^n]``.
    For n <= 8 one float64 matrix product with a cached kernel; above, the separable form."""
    M, size = luts.shape
    n = size.bit_length() - 1
    if alpha is None:
        alpha = efd_alpha(n)
    if size == 1 << n and 1 <= n <= MATRIX_MAX_FAN_IN:
        K = efd_kernel_matrix(n, alpha, beta, luts.device)
        return (luts.to(torch.float64) @ K).to(luts.dtype).view(M, size, n)
    return _efd_table_grad_loop(luts, alpha, beta)


def efd_table_grad_slots(luts: torch.Tensor, alpha: float | None = None,
                         beta: float = EFD_BETA) -> torch.Tensor:
    """``G`` laid out per input slot, ``[M, n, 2^n]`` contiguous (``efd_table_grad(...).transpose(1, 2)``):
    the GPU kernels read one contiguous row of ``2^n`` values per slot."""
    M, size = luts.shape
    n = size.bit_length() - 1
    if alpha is None:
        alpha = efd_alpha(n)
    if size == 1 << n and 1 <= n <= MATRIX_MAX_FAN_IN:
        K = efd_kernel_matrix(n, alpha, beta, luts.device, slots=True)
        return (luts.to(torch.float64) @ K).to(luts.dtype).view(M, n, size)
    return _efd_table_grad_loop(luts, alpha, beta).transpose(1, 2).contiguous()


def _efd_table_grad_loop(luts: torch.Tensor, alpha: float | None = None, beta: float = EFD_BETA) -> torch.Tensor:
    M, size = luts.shape
    n = size.bit_length() - 1
    if size != 1 << n or n < 1:
        raise ValueError(f"luts must have 2^n columns with n >= 1, got {size}")
    if alpha is None:
        alpha = efd_alpha(n)
    # C-order reshape: address bit l is tensor dim (n - l) (dim 0 is the LUT index).
    t = luts.reshape((M,) + (2,) * n)
    outs = []
    for l in range(n):
        dim = n - l
        d = t.select(dim, 1) - t.select(dim, 0)  # [M, 2^(n-1)] as n-1 bit dims
        for other in range(1, n):
            d = d + beta * d.flip(other)
        d = d.unsqueeze(dim).expand((M,) + (2,) * n)
        outs.append(d.reshape(M, size))
    return torch.stack(outs, dim=-1) * alpha


def lut_addresses(x: torch.Tensor, mapping: torch.Tensor) -> torch.Tensor:
    """Addresses ``[B, M]`` (int64) of the LUTs for inputs ``x: [B, N]``."""
    bits = x > 0
    n = mapping.shape[1]
    addr = torch.zeros(x.shape[0], mapping.shape[0], dtype=torch.int64, device=x.device)
    for l in range(n):
        addr |= bits[:, mapping[:, l]].to(torch.int64) << l
    return addr


class EFDLookupCPU(torch.autograd.Function):
    """Vectorised PyTorch implementation; runs on any device (used on CPU and as GPU fallback)."""

    @staticmethod
    def forward(ctx, x, mapping, luts, alpha, beta):
        M, size = luts.shape
        addr = lut_addresses(x, mapping)
        flat = addr + torch.arange(M, device=x.device, dtype=torch.int64).mul_(size)
        out = (luts.reshape(-1)[flat] > 0).to(luts.dtype)
        ctx.save_for_backward(flat, mapping, luts)
        ctx.alpha, ctx.beta, ctx.n_in = alpha, beta, x.shape[1]
        ctx.x_dtype = x.dtype
        return out

    @staticmethod
    def backward(ctx, grad_out):
        flat, mapping, luts = ctx.saved_tensors
        grad_out = grad_out.contiguous()
        B = grad_out.shape[0]
        M, size = luts.shape
        n = mapping.shape[1]
        grad_x = grad_luts = None
        if ctx.needs_input_grad[2]:
            grad_luts = torch.zeros(M * size, dtype=luts.dtype, device=luts.device)
            grad_luts.index_add_(0, flat.reshape(-1), grad_out.reshape(-1).to(luts.dtype))
            grad_luts = grad_luts.view(M, size)
        if ctx.needs_input_grad[0]:
            G = efd_table_grad(luts.detach(), ctx.alpha, ctx.beta).reshape(M * size, n)
            contrib = G[flat] * grad_out.unsqueeze(-1).to(G.dtype)  # [B, M, n]
            grad_x = torch.zeros(B, ctx.n_in, dtype=G.dtype, device=luts.device)
            grad_x.index_add_(1, mapping.reshape(-1), contrib.reshape(B, M * n))
            grad_x = grad_x.to(ctx.x_dtype)
        return grad_x, None, grad_luts, None, None


def efd_lookup(x: torch.Tensor, mapping: torch.Tensor, luts: torch.Tensor,
               alpha: float | None = None, beta: float = EFD_BETA, backend: str = "auto") -> torch.Tensor:
    """LUT layer forward with EFD backward. ``backend``: 'auto' | 'torch' | 'triton'."""
    n = mapping.shape[1]
    if alpha is None:
        alpha = efd_alpha(n)
    if backend == "auto":
        backend = "triton" if (x.is_cuda and _triton_ok()) else "torch"
    if backend == "triton":
        from . import _triton_lut
        return _triton_lut.EFDLookupTriton.apply(x, mapping, luts, alpha, beta)
    if backend != "torch":
        raise ValueError(f"unknown backend {backend!r}: use 'auto', 'torch' or 'triton'")
    return EFDLookupCPU.apply(x, mapping, luts, alpha, beta)


def efd_lookup_t(xT: torch.Tensor, mapping: torch.Tensor, luts: torch.Tensor,
                 alpha: float | None = None, beta: float = EFD_BETA, backend: str = "auto") -> torch.Tensor:
    """Bits-major LUT layer: ``xT [N, B] -> yT [M, B]``, the transpose of :func:`efd_lookup` on
    ``xT.t()``. On CUDA with Triton the kernels read the batch contiguously (see ``_triton_lut``)."""
    n = mapping.shape[1]
    if alpha is None:
        alpha = efd_alpha(n)
    if backend == "auto":
        backend = "triton" if (xT.is_cuda and _triton_ok()) else "torch"
    if backend == "triton":
        from . import _triton_lut
        return _triton_lut.EFDLookupTritonT.apply(xT, mapping, luts, alpha, beta)
    if backend != "torch":
        raise ValueError(f"unknown backend {backend!r}: use 'auto', 'torch' or 'triton'")
    return EFDLookupCPU.apply(xT.t(), mapping, luts, alpha, beta).t()


def bits_major_default(x: torch.Tensor, backend: str = "auto") -> bool:
    """Whether a LUT chain on ``x`` should run bits-major: on CUDA with the Triton kernels."""
    return backend in ("auto", "triton") and x.is_cuda and _triton_ok()


_TRITON = None


def _triton_ok() -> bool:
    global _TRITON
    if _TRITON is None:
        try:
            from . import _triton_lut  # noqa: F401
            _TRITON = _triton_lut.available()
        except Exception:  # ImportError, or Triton too old/broken
            _TRITON = False
    return _TRITON
