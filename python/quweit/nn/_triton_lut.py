"""Triton kernels for the LUT layer on CUDA (optional fast path).

Two layouts. Row-major (``efd_lookup(..., backend='triton')``, activations ``[B, N]``): the first
kernels below. Bits-major (``efd_lookup_t``, activations ``[N, B]``, one row per bit with the batch
contiguous): the second half, used by ``LUTLayer`` on CUDA and by LUT chains (``LutFFN``, the DWN),
which stay bits-major from the thermometer to the group sum; every gather then reads a contiguous run
of the batch. Per layer: forward = one kernel (gather the mapped bits, build the address LSB first,
read the table, write the bit and the uint8 address); backward = ``G`` (batch-independent, one f64
matrix product), the table gradient (atomics by default, see ``_TABLE_GRAD``) and the input gradient
by gathering through an inverse mapping (no atomics). Forward bits equal the CPU path exactly;
gradients agree within float tolerance (atomics reorder sums).
"""
from __future__ import annotations

import os

import torch
import triton
import triton.language as tl

from .efd import efd_table_grad, efd_table_grad_slots


def available() -> bool:
    return torch.cuda.is_available()


@triton.jit
def _lut_fwd_kernel(x_ptr, map_ptr, lut_ptr, out_ptr, addr_ptr, B, N, M,
                    N_FAN: tl.constexpr, BLOCK_B: tl.constexpr, BLOCK_J: tl.constexpr):
    pid_b = tl.program_id(0)
    pid_j = tl.program_id(1)
    offs_b = pid_b * BLOCK_B + tl.arange(0, BLOCK_B)
    offs_j = pid_j * BLOCK_J + tl.arange(0, BLOCK_J)
    mb = offs_b < B
    mj = offs_j < M
    mask = mb[:, None] & mj[None, :]
    row = offs_b.to(tl.int64)[:, None] * N
    addr = tl.zeros((BLOCK_B, BLOCK_J), dtype=tl.int32)
    for l in tl.static_range(N_FAN):
        m = tl.load(map_ptr + offs_j * N_FAN + l, mask=mj, other=0)
        v = tl.load(x_ptr + row + m[None, :], mask=mask, other=0.0)
        addr = addr | ((v > 0).to(tl.int32) << l)
    lut_idx = offs_j.to(tl.int64)[None, :] * (1 << N_FAN) + addr
    t = tl.load(lut_ptr + lut_idx, mask=mask, other=0.0)
    o = offs_b.to(tl.int64)[:, None] * M + offs_j[None, :]
    tl.store(out_ptr + o, (t > 0).to(tl.float32), mask=mask)
    tl.store(addr_ptr + o, addr, mask=mask)


@triton.jit
def _lut_bwd_kernel(g_ptr, addr_ptr, map_ptr, G_ptr, gx_ptr, gl_ptr, B, N, M,
                    N_FAN: tl.constexpr, BLOCK_B: tl.constexpr, BLOCK_J: tl.constexpr,
                    NEED_X: tl.constexpr, NEED_L: tl.constexpr):
    pid_b = tl.program_id(0)
    pid_j = tl.program_id(1)
    offs_b = pid_b * BLOCK_B + tl.arange(0, BLOCK_B)
    offs_j = pid_j * BLOCK_J + tl.arange(0, BLOCK_J)
    mb = offs_b < B
    mj = offs_j < M
    mask = mb[:, None] & mj[None, :]
    o = offs_b.to(tl.int64)[:, None] * M + offs_j[None, :]
    g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
    addr = tl.load(addr_ptr + o, mask=mask, other=0)
    lut_idx = offs_j.to(tl.int64)[None, :] * (1 << N_FAN) + addr
    if NEED_L:
        tl.atomic_add(gl_ptr + lut_idx, g, mask=mask & (g != 0.0))
    if NEED_X:
        row = offs_b.to(tl.int64)[:, None] * N
        for l in tl.static_range(N_FAN):
            m = tl.load(map_ptr + offs_j * N_FAN + l, mask=mj, other=0)
            gv = tl.load(G_ptr + lut_idx * N_FAN + l, mask=mask, other=0.0)
            c = g * gv
            tl.atomic_add(gx_ptr + row + m[None, :], c, mask=mask & (c != 0.0))


@triton.jit
def _lut_grad_tables_kernel(g_ptr, addr_ptr, gl_ptr, B, M, ROWS_PER_PROG,
                            N_FAN: tl.constexpr, BLOCK_B: tl.constexpr, BLOCK_J: tl.constexpr):
    """grad_luts without per-element atomics (n <= 8): each program owns BLOCK_J tables and a
    range of rows, accumulates a one-hot histogram in registers, then adds it once."""
    SIZE: tl.constexpr = 1 << N_FAN
    pid_j = tl.program_id(0)
    pid_s = tl.program_id(1)
    offs_j = pid_j * BLOCK_J + tl.arange(0, BLOCK_J)
    mj = offs_j < M
    cols = tl.arange(0, SIZE)
    acc = tl.zeros((BLOCK_J, SIZE), dtype=tl.float32)
    start = pid_s * ROWS_PER_PROG
    for b0 in range(start, start + ROWS_PER_PROG, BLOCK_B):
        offs_b = b0 + tl.arange(0, BLOCK_B)
        mask = (offs_b < B)[:, None] & mj[None, :]
        o = offs_b.to(tl.int64)[:, None] * M + offs_j[None, :]
        g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
        a = tl.load(addr_ptr + o, mask=mask, other=0)
        hit = (a[:, :, None] == cols[None, None, :]).to(tl.float32)
        acc += tl.sum(g[:, :, None] * hit, axis=0)
    ptrs = gl_ptr + offs_j.to(tl.int64)[:, None] * SIZE + cols[None, :]
    tl.atomic_add(ptrs, acc, mask=mj[:, None] & (acc != 0.0))


@triton.jit
def _lut_grad_inputs_kernel(g_ptr, addr_ptr, inv_ptr, G_ptr, gx_ptr, B, N, M, K,
                            N_FAN: tl.constexpr, BLOCK_B: tl.constexpr, BLOCK_I: tl.constexpr):
    """grad_x by gathering (no atomics, deterministic): inv[i, k] lists the (j*n + l) slots that
    read input i (-1 = padding)."""
    SIZE: tl.constexpr = 1 << N_FAN
    pid_b = tl.program_id(0)
    pid_i = tl.program_id(1)
    offs_b = pid_b * BLOCK_B + tl.arange(0, BLOCK_B)
    offs_i = pid_i * BLOCK_I + tl.arange(0, BLOCK_I)
    mb = offs_b < B
    mi = offs_i < N
    rowM = offs_b.to(tl.int64)[:, None] * M
    acc = tl.zeros((BLOCK_B, BLOCK_I), dtype=tl.float32)
    for k in range(0, K):
        e = tl.load(inv_ptr + offs_i.to(tl.int64) * K + k, mask=mi, other=-1)
        valid = e >= 0
        j = tl.where(valid, e // N_FAN, 0)
        l = tl.where(valid, e % N_FAN, 0)
        mask = mb[:, None] & valid[None, :]
        o = rowM + j[None, :]
        g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
        a = tl.load(addr_ptr + o, mask=mask, other=0)
        gv = tl.load(G_ptr + (j.to(tl.int64)[None, :] * SIZE + a) * N_FAN + l[None, :], mask=mask, other=0.0)
        acc += g * gv
    out = offs_b.to(tl.int64)[:, None] * N + offs_i[None, :]
    tl.store(gx_ptr + out, acc, mask=mb[:, None] & mi[None, :])


_INV_CACHE: dict = {}


def inverse_mapping(mapping: torch.Tensor, N: int):
    """``inv [N, K]`` int32: the flat slots (j*n + l) reading each input, padded with -1. Cached per
    mapping tensor object and version (the cache holds the tensor, so its storage is not reused)."""
    key = (id(mapping), N)
    hit = _INV_CACHE.get(key)
    if hit is not None and hit[0] is mapping and hit[1] == mapping._version:
        return hit[2], hit[3]
    flat = mapping.reshape(-1).long()
    order = torch.argsort(flat, stable=True)
    counts = torch.bincount(flat, minlength=N)
    K = max(1, int(counts.max().item()))
    starts = torch.cumsum(counts, 0) - counts
    sorted_in = flat[order]
    pos = torch.arange(flat.numel(), device=flat.device) - starts[sorted_in]
    inv = torch.full((N, K), -1, dtype=torch.int32, device=flat.device)
    inv[sorted_in, pos] = order.to(torch.int32)
    if len(_INV_CACHE) > 64:
        _INV_CACHE.clear()
    _INV_CACHE[key] = (mapping, mapping._version, inv, K)
    return inv, K


def _blocks(n: int):
    return 32, 64 if n <= 8 else 32


class EFDLookupTriton(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, mapping, luts, alpha, beta):
        x = x.contiguous()
        luts_c = luts.detach().float().contiguous()
        map32 = mapping.to(torch.int32).contiguous()
        B, N = x.shape
        M, size = luts.shape
        n = mapping.shape[1]
        out = torch.empty(B, M, device=x.device, dtype=torch.float32)
        addr = torch.empty(B, M, device=x.device, dtype=torch.int32)
        bb, bj = _blocks(n)
        grid = (triton.cdiv(B, bb), triton.cdiv(M, bj))
        if B > 0 and M > 0:
            _lut_fwd_kernel[grid](x, map32, luts_c, out, addr, B, N, M,
                                  N_FAN=n, BLOCK_B=bb, BLOCK_J=bj)
        ctx.save_for_backward(addr, map32, luts)
        ctx.mapping = mapping
        ctx.alpha, ctx.beta, ctx.n_in, ctx.x_dtype = alpha, beta, N, x.dtype
        return out.to(luts.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        addr, map32, luts = ctx.saved_tensors
        B, M = addr.shape
        size = luts.shape[1]
        n = map32.shape[1]
        need_x, need_l = ctx.needs_input_grad[0], ctx.needs_input_grad[2]
        g = grad_out.contiguous().float()
        gx = torch.zeros(B, ctx.n_in, device=g.device, dtype=torch.float32) if need_x else g
        gl = torch.zeros(M, size, device=g.device, dtype=torch.float32) if need_l else g
        G = (efd_table_grad(luts.detach().float(), ctx.alpha, ctx.beta).contiguous()
             if need_x else g)
        bb, bj = _blocks(n)
        grid = (triton.cdiv(B, bb), triton.cdiv(M, bj))
        if B > 0 and M > 0 and need_l:
            if n <= 6:
                BJ = 16
                split = max(1, min(triton.cdiv(B, 64), (4 * 132 * BJ) // max(M, 1) + 1))
                rows = triton.cdiv(triton.cdiv(B, split), 16) * 16
                split = triton.cdiv(B, rows)
                _lut_grad_tables_kernel[(triton.cdiv(M, BJ), split)](
                    g, addr, gl, B, M, rows, N_FAN=n, BLOCK_B=16, BLOCK_J=BJ)
            else:
                _lut_bwd_kernel[grid](g, addr, map32, g, g, gl, B, ctx.n_in, M,
                                      N_FAN=n, BLOCK_B=bb, BLOCK_J=bj, NEED_X=False, NEED_L=True)
        if B > 0 and M > 0 and need_x:
            inv, K = inverse_mapping(ctx.mapping, ctx.n_in)
            BI = 64
            _lut_grad_inputs_kernel[(triton.cdiv(B, 32), triton.cdiv(ctx.n_in, BI))](
                g, addr, inv, G, gx, B, ctx.n_in, M, K, N_FAN=n, BLOCK_B=32, BLOCK_I=BI)
        grad_x = gx.to(ctx.x_dtype) if need_x else None
        grad_l = gl.to(luts.dtype) if need_l else None
        return grad_x, None, grad_l, None, None


# ----------------------------------------------------------------------------- bits-major layout
# The kernels below work on activations stored bits-major, ``xT [N, B]`` (one row per input bit, the
# batch contiguous). Then every gather of a mapped input (forward) or of an output gradient (backward)
# reads a contiguous run of the batch: coalesced loads, where the row-major kernels above gather single
# elements scattered over a row. A LUT layer chain stays bits-major from the thermometer to the group sum.

@triton.jit
def _lut_fwd_t_kernel(x_ptr, map_ptr, lut_ptr, out_ptr, addr_ptr, B, M,
                      N_FAN: tl.constexpr, BLOCK_J: tl.constexpr, BLOCK_B: tl.constexpr):
    SIZE: tl.constexpr = 1 << N_FAN
    pid_j = tl.program_id(0)  # fastest: programs sharing a batch block run together (L2 reuse of x)
    pid_b = tl.program_id(1)
    offs_j = pid_j * BLOCK_J + tl.arange(0, BLOCK_J)
    offs_b = pid_b * BLOCK_B + tl.arange(0, BLOCK_B)
    mj = offs_j < M
    mask = mj[:, None] & (offs_b < B)[None, :]
    addr = tl.zeros((BLOCK_J, BLOCK_B), dtype=tl.int32)
    for l in tl.static_range(N_FAN):
        m = tl.load(map_ptr + offs_j * N_FAN + l, mask=mj, other=0)
        v = tl.load(x_ptr + m.to(tl.int64)[:, None] * B + offs_b[None, :], mask=mask, other=0)
        addr = addr | ((v > 0).to(tl.int32) << l)
    j64 = offs_j.to(tl.int64)[:, None]
    t = tl.load(lut_ptr + j64 * SIZE + addr, mask=mask, other=0.0)
    o = j64 * B + offs_b[None, :]
    tl.store(out_ptr + o, (t > 0).to(out_ptr.dtype.element_ty), mask=mask)
    tl.store(addr_ptr + o, addr.to(addr_ptr.dtype.element_ty), mask=mask)


@triton.jit
def _lut_grad_tables_t_kernel(g_ptr, addr_ptr, gl_ptr, B, M, ROWS_PER_PROG,
                              N_FAN: tl.constexpr, BLOCK_J: tl.constexpr, BLOCK_B: tl.constexpr):
    """grad_luts[j, a] = sum_b g[j, b] [addr[j, b] == a] (n <= 8): a one-hot histogram per block of
    tables in registers over a range of the batch, added once (atomics only between batch ranges)."""
    SIZE: tl.constexpr = 1 << N_FAN
    pid_j = tl.program_id(0)
    pid_s = tl.program_id(1)
    offs_j = pid_j * BLOCK_J + tl.arange(0, BLOCK_J)
    mj = offs_j < M
    j64 = offs_j.to(tl.int64)[:, None]
    cols = tl.arange(0, SIZE)
    acc = tl.zeros((BLOCK_J, SIZE), dtype=tl.float32)
    start = pid_s * ROWS_PER_PROG
    for b0 in range(start, start + ROWS_PER_PROG, BLOCK_B):
        offs_b = b0 + tl.arange(0, BLOCK_B)
        mask = mj[:, None] & (offs_b < B)[None, :]
        o = j64 * B + offs_b[None, :]
        g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
        a = tl.load(addr_ptr + o, mask=mask, other=0).to(tl.int32)
        hit = a[:, :, None] == cols[None, None, :]
        acc += tl.sum(tl.where(hit, g[:, :, None], 0.0), axis=1)
    tl.atomic_add(gl_ptr + j64 * SIZE + cols[None, :], acc, mask=mj[:, None] & (acc != 0.0))


@triton.jit
def _lut_grad_tables_dot_t_kernel(g_ptr, addr_ptr, gl_ptr, B, M, ROWS_PER_PROG,
                                  N_FAN: tl.constexpr, LO: tl.constexpr, BLOCK_J: tl.constexpr,
                                  BLOCK_B: tl.constexpr):
    """grad_luts (n <= 8) on tensor cores: with the address split as ``a = hi * 2^LO + lo``,
    ``gl[j, hi, lo] = sum_b (g[j, b] [hi_b == hi]) [lo_b == lo]``, a product of two one-hot
    matrices per table. BLOCK_J tables share one ``[BJ*2^HI, BB] x [BB, BJ*2^LO]`` dot (so that both
    sides are >= 16); only its block diagonal is kept. tf32x3 keeps float32 accuracy."""
    HI: tl.constexpr = N_FAN - LO
    NH: tl.constexpr = 1 << HI
    NL: tl.constexpr = 1 << LO
    SIZE: tl.constexpr = 1 << N_FAN
    pid_j = tl.program_id(0)
    pid_s = tl.program_id(1)
    offs_j = pid_j * BLOCK_J + tl.arange(0, BLOCK_J)
    mj = offs_j < M
    j64 = offs_j.to(tl.int64)[:, None]
    hs = tl.arange(0, NH)
    ls = tl.arange(0, NL)
    acc = tl.zeros((BLOCK_J * NH, BLOCK_J * NL), dtype=tl.float32)
    start = pid_s * ROWS_PER_PROG
    for b0 in range(start, start + ROWS_PER_PROG, BLOCK_B):
        offs_b = b0 + tl.arange(0, BLOCK_B)
        mask = mj[:, None] & (offs_b < B)[None, :]
        o = j64 * B + offs_b[None, :]
        g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
        a = tl.load(addr_ptr + o, mask=mask, other=0).to(tl.int32)
        hi = a >> LO
        lo = a & (NL - 1)
        A = tl.where(hi[:, None, :] == hs[None, :, None], g[:, None, :], 0.0)  # [BJ, NH, BB]
        C = tl.where(lo[:, None, :] == ls[None, :, None], 1.0, 0.0)           # [BJ, NL, BB]
        A2 = tl.reshape(A, (BLOCK_J * NH, BLOCK_B))
        C2 = tl.reshape(C, (BLOCK_J * NL, BLOCK_B))
        acc = tl.dot(A2, tl.trans(C2), acc, input_precision="tf32x3")
    rows = tl.arange(0, BLOCK_J * NH)
    cols = tl.arange(0, BLOCK_J * NL)
    jr = rows // NH
    jc = cols // NL
    jj = pid_j * BLOCK_J + jr
    ptrs = gl_ptr + jj.to(tl.int64)[:, None] * SIZE + (rows % NH)[:, None] * NL + (cols % NL)[None, :]
    keep = (jr[:, None] == jc[None, :]) & (jj < M)[:, None]
    tl.atomic_add(ptrs, acc, mask=keep & (acc != 0.0))


@triton.jit
def _lut_grad_tables_atomic_t_kernel(g_ptr, addr_ptr, gl_ptr, B, M, N_FAN: tl.constexpr,
                                     BLOCK_J: tl.constexpr, BLOCK_B: tl.constexpr):
    """grad_luts: one atomic add per non-zero (j, b) (the fastest of the three table-gradient kernels
    on an H200, and the only one for n > 8)."""
    SIZE: tl.constexpr = 1 << N_FAN
    offs_j = tl.program_id(0) * BLOCK_J + tl.arange(0, BLOCK_J)
    offs_b = tl.program_id(1) * BLOCK_B + tl.arange(0, BLOCK_B)
    mask = (offs_j < M)[:, None] & (offs_b < B)[None, :]
    j64 = offs_j.to(tl.int64)[:, None]
    o = j64 * B + offs_b[None, :]
    g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
    a = tl.load(addr_ptr + o, mask=mask, other=0).to(tl.int64)
    tl.atomic_add(gl_ptr + j64 * SIZE + a, g, mask=mask & (g != 0.0))


@triton.jit
def _lut_grad_inputs_t_kernel(g_ptr, addr_ptr, inv_ptr, G_ptr, gx_ptr, B, N, K,
                              N_FAN: tl.constexpr, BLOCK_I: tl.constexpr, BLOCK_B: tl.constexpr):
    """gxT[i, b] = sum over the slots e = j*n + l reading input i of g[j, b] * G[e, addr[j, b]],
    with ``G`` laid out [M*n, 2^n] (one contiguous row per slot). Gathers, no atomics."""
    SIZE: tl.constexpr = 1 << N_FAN
    pid_i = tl.program_id(0)
    pid_b = tl.program_id(1)
    offs_i = pid_i * BLOCK_I + tl.arange(0, BLOCK_I)
    offs_b = pid_b * BLOCK_B + tl.arange(0, BLOCK_B)
    mi = offs_i < N
    mb = offs_b < B
    acc = tl.zeros((BLOCK_I, BLOCK_B), dtype=tl.float32)
    for k in range(0, K):
        e = tl.load(inv_ptr + offs_i.to(tl.int64) * K + k, mask=mi, other=-1)
        valid = e >= 0
        e = tl.where(valid, e, 0)
        j = e // N_FAN
        mask = valid[:, None] & mb[None, :]
        o = j.to(tl.int64)[:, None] * B + offs_b[None, :]
        g = tl.load(g_ptr + o, mask=mask, other=0.0).to(tl.float32)
        a = tl.load(addr_ptr + o, mask=mask, other=0).to(tl.int64)
        gv = tl.load(G_ptr + e.to(tl.int64)[:, None] * SIZE + a, mask=mask, other=0.0)
        acc += g * gv
    out = offs_i.to(tl.int64)[:, None] * B + offs_b[None, :]
    tl.store(gx_ptr + out, acc.to(gx_ptr.dtype.element_ty), mask=mi[:, None] & mb[None, :])


# Table gradient: "atomic" (one atomic add per lookup; default, and the only kernel for n > 8),
# or for n <= 8 "onehot" (register histogram) or "dot" (tensor-core one-hot products). Measured on
# an H200 (QuWeiT-ViT step, docs/results.md): atomic 16.1 ms, onehot 18.2 ms, dot 22.3 ms.
_TABLE_GRAD = os.environ.get("QUWEIT_LUT_TABLE_GRAD", "atomic")


def _batch_block(B: int) -> int:
    return max(32, min(128, triton.next_power_of_2(max(B, 1))))


class EFDLookupTritonT(torch.autograd.Function):
    """Bits-major LUT layer: ``xT [N, B] -> yT [M, B]`` (same values as the row-major path, transposed)."""

    @staticmethod
    def forward(ctx, xT, mapping, luts, alpha, beta):
        xT = xT.contiguous()
        N, B = xT.shape
        M, size = luts.shape
        n = mapping.shape[1]
        luts_c = luts.detach().float().contiguous()
        map32 = mapping.to(torch.int32).contiguous()
        out_dtype = luts.dtype if luts.dtype.is_floating_point else torch.float32
        out = torch.empty(M, B, device=xT.device, dtype=out_dtype)
        addr = torch.empty(M, B, device=xT.device, dtype=torch.uint8 if n <= 8 else torch.int32)
        if B > 0 and M > 0:
            bb = _batch_block(B)
            _lut_fwd_t_kernel[(triton.cdiv(M, 16), triton.cdiv(B, bb))](
                xT, map32, luts_c, out, addr, B, M, N_FAN=n, BLOCK_J=16, BLOCK_B=bb)
        ctx.save_for_backward(addr, luts)
        ctx.mapping = mapping
        ctx.alpha, ctx.beta, ctx.n_in, ctx.x_dtype = alpha, beta, N, xT.dtype
        return out

    @staticmethod
    def backward(ctx, grad_out):
        addr, luts = ctx.saved_tensors
        M, B = addr.shape
        size = luts.shape[1]
        n = size.bit_length() - 1
        need_x, need_l = ctx.needs_input_grad[0], ctx.needs_input_grad[2]
        g = grad_out.contiguous()
        if g.dtype not in (torch.float32, torch.bfloat16, torch.float16):
            g = g.float()
        grad_x = grad_l = None
        if need_l:
            gl = torch.zeros(M, size, device=g.device, dtype=torch.float32)
            if B > 0 and M > 0:
                if n <= 8 and _TABLE_GRAD == "dot":
                    lo = n // 2
                    bj = max(1, 16 >> lo)
                    split = max(1, min(triton.cdiv(B, 256), (8 * 132 * bj) // M + 1))
                    rows = triton.cdiv(triton.cdiv(B, split), 64) * 64
                    split = triton.cdiv(B, rows)
                    _lut_grad_tables_dot_t_kernel[(triton.cdiv(M, bj), split)](
                        g, addr, gl, B, M, rows, N_FAN=n, LO=lo, BLOCK_J=bj, BLOCK_B=64)
                elif n <= 8 and _TABLE_GRAD == "onehot":
                    bj, bb = {6: (8, 32), 7: (4, 32), 8: (2, 32)}.get(n, (16, 32) if n <= 4 else (8, 32))
                    split = max(1, min(triton.cdiv(B, 4 * bb), (8 * 132 * bj) // M + 1))
                    rows = triton.cdiv(triton.cdiv(B, split), bb) * bb
                    split = triton.cdiv(B, rows)
                    _lut_grad_tables_t_kernel[(triton.cdiv(M, bj), split)](
                        g, addr, gl, B, M, rows, N_FAN=n, BLOCK_J=bj, BLOCK_B=bb)
                else:
                    _lut_grad_tables_atomic_t_kernel[(triton.cdiv(M, 16), triton.cdiv(B, 64))](
                        g, addr, gl, B, M, N_FAN=n, BLOCK_J=16, BLOCK_B=64)
            grad_l = gl.to(luts.dtype)
        if need_x:
            gx = torch.empty(ctx.n_in, B, device=g.device,
                             dtype=ctx.x_dtype if ctx.x_dtype.is_floating_point else torch.float32)
            if B > 0:
                G = efd_table_grad_slots(luts.detach().float(), ctx.alpha, ctx.beta)
                inv, K = inverse_mapping(ctx.mapping, ctx.n_in)
                bb = _batch_block(B)
                _lut_grad_inputs_t_kernel[(triton.cdiv(ctx.n_in, 16), triton.cdiv(B, bb))](
                    g, addr, inv, G, gx, B, ctx.n_in, K, N_FAN=n, BLOCK_I=16, BLOCK_B=bb)
            grad_x = gx
        return grad_x, None, grad_l, None, None
