import math

import pytest
import torch

from quweit.nn import (EFD_BETA, GroupSum, LUTLayer, LutFFN, Thermometer, clamp_luts_, efd_alpha,
                       efd_lookup, efd_table_grad)


def naive_forward(x, mapping, luts):
    B, M, n = x.shape[0], mapping.shape[0], mapping.shape[1]
    out = torch.zeros(B, M)
    addrs = torch.zeros(B, M, dtype=torch.long)
    for b in range(B):
        for j in range(M):
            a = 0
            for l in range(n):
                if x[b, mapping[j, l]] > 0:
                    a |= 1 << l
            addrs[b, j] = a
            out[b, j] = 1.0 if luts[j, a] > 0 else 0.0
    return out, addrs


def naive_G(luts, alpha, beta):
    M, size = luts.shape
    n = size.bit_length() - 1
    G = torch.zeros(M, size, n, dtype=torch.float64)
    for j in range(M):
        for a in range(size):
            for l in range(n):
                acc = 0.0
                for a2 in range(size):
                    d = bin((a ^ a2) & ~(1 << l)).count("1")
                    s = 1.0 if (a2 >> l) & 1 else -1.0
                    acc += float(luts[j, a2]) * alpha * beta ** d * s
                G[j, a, l] = acc
    return G


def naive_backward(x, mapping, luts, g):
    _, addrs = naive_forward(x, mapping, luts)
    n = mapping.shape[1]
    G = naive_G(luts, efd_alpha(n), EFD_BETA)
    gx = torch.zeros(x.shape, dtype=torch.float64)
    gl = torch.zeros(luts.shape, dtype=torch.float64)
    for b in range(x.shape[0]):
        for j in range(mapping.shape[0]):
            a = int(addrs[b, j])
            gl[j, a] += g[b, j]
            for l in range(n):
                gx[b, mapping[j, l]] += g[b, j] * G[j, a, l]
    return gx, gl


@pytest.mark.parametrize("n", [1, 2, 6, 16])
def test_lut_forward_matches_naive(n):
    torch.manual_seed(n)
    N, M, B = 20, 5, 7
    layer = LUTLayer(N, M, fan_in=n, mapping="random")
    x = (torch.rand(B, N) > 0.5).float()
    ref, _ = naive_forward(x, layer.mapping, layer.luts.detach())
    assert torch.equal(layer(x), ref)


def test_address_is_lsb_first():
    layer = LUTLayer(3, 1, fan_in=3, mapping="arange")
    with torch.no_grad():
        layer.luts.fill_(-1)
        layer.luts[0, 0b001] = 1  # only input 0 set -> address 1
    assert layer(torch.tensor([[1.0, 0, 0], [0, 0, 1.0]])).tolist() == [[1.0], [0.0]]


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_efd_table_grad_matches_naive(n):
    torch.manual_seed(0)
    luts = torch.rand(3, 1 << n, dtype=torch.float64) * 2 - 1
    G = efd_table_grad(luts, efd_alpha(n), EFD_BETA)
    assert torch.allclose(G, naive_G(luts, efd_alpha(n), EFD_BETA), atol=1e-12)


def test_efd_alpha_value():
    assert efd_alpha(6) == pytest.approx(0.5 * 0.75 ** 5)
    assert EFD_BETA == pytest.approx(1 / 3)


@pytest.mark.parametrize("n", [1, 2, 6])
def test_efd_backward_matches_naive(n):
    torch.manual_seed(10 + n)
    N, M, B = 9, 4, 5
    layer = LUTLayer(N, M, fan_in=n, mapping="random")
    x = (torch.rand(B, N) > 0.5).float().requires_grad_()
    g = torch.randn(B, M)
    layer(x).backward(g)
    gx, gl = naive_backward(x.detach(), layer.mapping, layer.luts.detach(), g)
    assert torch.allclose(x.grad.double(), gx, atol=1e-5)
    assert torch.allclose(layer.luts.grad.double(), gl, atol=1e-6)


def test_efd_fan_in_16_backward_runs():
    torch.manual_seed(3)
    layer = LUTLayer(40, 3, fan_in=16)
    x = (torch.rand(4, 40) > 0.5).float().requires_grad_()
    layer(x).sum().backward()
    assert x.grad.shape == (4, 40) and torch.isfinite(x.grad).all()
    assert layer.luts.grad.sum().item() == pytest.approx(12.0)  # each of 4*3 lookups adds g = 1


@pytest.mark.parametrize("n", [1, 3])
def test_efd_is_a_finite_difference_when_beta_is_zero(n):
    # With beta = 0 only a2 = a with bit l flipped or kept contributes: the input gradient is
    # alpha * (L[a | bit l] - L[a & ~bit l]), the finite difference of the real table along bit l.
    torch.manual_seed(5)
    M, N, B = 3, 6, 4
    mapping = torch.stack([torch.randperm(N)[:n] for _ in range(M)])
    luts = (torch.rand(M, 1 << n) * 2 - 1).requires_grad_()
    x = (torch.rand(B, N) > 0.5).float().requires_grad_()
    efd_lookup(x, mapping, luts, alpha=1.0, beta=0.0, backend="torch").sum().backward()

    def real_out(xx):  # f(x) = sum_j L[j, addr_j(x)], real-valued
        return sum(float(luts[j, sum(int(xx[mapping[j, l]] > 0) << l for l in range(n))])
                   for j in range(M))
    for b in range(B):
        for i in range(N):
            hi, lo = x[b].detach().clone(), x[b].detach().clone()
            hi[i], lo[i] = 1, 0
            assert x.grad[b, i].item() == pytest.approx(real_out(hi) - real_out(lo), abs=1e-6)


def test_learnable_mapping_trains_and_syncs_buffer():
    torch.manual_seed(0)
    layer = LUTLayer(12, 4, fan_in=2, mapping="learnable")
    x = (torch.rand(8, 12) > 0.5).float()
    y = layer(x)
    y.sum().backward()
    assert layer.mapping_scores.grad is not None
    assert torch.equal(layer.mapping, layer.mapping_scores.argmax(0).view(4, 2))
    layer.eval()
    assert torch.equal(layer(x), y)


def test_thermometer_uniform_hand_computed():
    th = Thermometer(3, "uniform").fit(torch.tensor([[0.0, -2.0], [4.0, 2.0]]))
    assert th.thresholds.tolist() == [[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]]
    bits = th(torch.tensor([[1.0, 0.5]]))  # strictly greater: 1.0 > 1.0 is false
    assert bits.tolist() == [[0, 0, 0, 1, 1, 0]]


def test_thermometer_gaussian_hand_computed():
    x = torch.tensor([[1.0], [3.0]])  # mean 2, population std 1
    th = Thermometer(3, "gaussian").fit(x)
    z = 0.6744897501960817  # Phi^-1(0.75)
    assert th.thresholds[0].tolist() == pytest.approx([2 - z, 2.0, 2 + z], abs=1e-6)


def test_thermometer_distributive_hand_computed():
    x = torch.tensor([5.0, 1.0, 3.0, 2.0, 4.0, 0.0, 0.0, 0.0]).view(-1, 1)
    th = Thermometer(3, "distributive").fit(x)
    # sorted: 0 0 0 1 2 3 4 5; indices floor(8*k/4) = 2, 4, 6
    assert th.thresholds.tolist() == [[0.0, 2.0, 4.0]]


def test_thermometer_rejects_nan_unless_allowed():
    th = Thermometer(2, "uniform").fit(torch.tensor([[0.0], [3.0]]))
    with pytest.raises(ValueError, match="NaN"):
        th(torch.tensor([[float("nan")]]))
    th.allow_nan = True
    assert th(torch.tensor([[float("nan")]])).tolist() == [[0.0, 0.0]]
    with pytest.raises(ValueError, match="NaN"):
        Thermometer(2).fit(torch.tensor([[float("nan")]]))


def test_thermometer_bad_inputs():
    with pytest.raises(ValueError, match="kind"):
        Thermometer(2, "cubic")
    with pytest.raises(RuntimeError, match="fit"):
        Thermometer(2)(torch.zeros(1, 1))
    th = Thermometer(2, num_features=3, kind="gaussian")
    with pytest.raises(ValueError, match="features"):
        th(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="non-decreasing"):
        th.set_thresholds(torch.tensor([[1.0, 0.0]]))


def test_thermometer_straight_through_gradient():
    th = Thermometer(4, "uniform", straight_through=True).fit(torch.tensor([[0.0], [5.0]]))
    x = torch.tensor([[2.2], [9.0]], requires_grad=True)  # thresholds 1 2 3 4, gap 1, h 0.5
    th(x).sum().backward()
    assert x.grad.tolist() == [[1.0], [0.0]]


def test_lut_layer_bad_inputs():
    with pytest.raises(ValueError, match="fan_in"):
        LUTLayer(10, 2, fan_in=17)
    with pytest.raises(ValueError, match="mapping"):
        LUTLayer(10, 2, mapping="diagonal")
    with pytest.raises(ValueError, match="input bits"):
        LUTLayer(10, 2)(torch.zeros(3, 11))


def test_group_sum_pads_with_zeros():
    gs = GroupSum(3, tau=2.0)
    x = torch.tensor([[1.0, 1, 1, 0, 1, 1, 1]])  # M=7 -> pad to 9, groups of 3
    assert gs(x).tolist() == [[1.5, 1.0, 0.5]]
    with pytest.raises(ValueError):
        GroupSum(2, tau=0)


def test_lut_ffn_shapes_and_gradient():
    torch.manual_seed(0)
    ffn = LutFFN(8, bits_per_feature=4, layers=[64, 32], fan_in=6)
    x = torch.randn(2, 5, 8, requires_grad=True)
    y = ffn(x)
    assert y.shape == (2, 5, 8)
    y.pow(2).sum().backward()
    assert x.grad.abs().sum() > 0
    for layer in ffn.luts:
        assert layer.luts.grad.abs().sum() > 0
    with torch.no_grad():
        ffn.luts[0].luts.mul_(5)
    clamp_luts_(ffn)
    assert ffn.luts[0].luts.abs().max() <= 1


def test_lut_layer_trains_xor():
    # A tiny DWN learns 2-input XOR through EFD.
    torch.manual_seed(0)
    x = torch.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]]).repeat(8, 1)
    y = (x[:, 0] != x[:, 1]).long()
    net = torch.nn.Sequential(LUTLayer(2, 40, fan_in=2, mapping="arange"), GroupSum(2, tau=2.0))
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        clamp_luts_(net)
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert (net(x).argmax(1) == y).float().mean().item() == 1.0


@pytest.mark.parametrize("mapping,n", [("random", 3), ("learnable", 2), ("random", 16)])
def test_bits_major_forward_t_is_the_transpose(mapping, n):
    # forward_t([N, B]) must equal forward([B, N]).t(), and give the transposed gradients.
    torch.manual_seed(7)
    layer = LUTLayer(30, 9, fan_in=n, mapping=mapping)
    x = (torch.rand(5, 30) > 0.5).float()
    g = torch.randn(5, 9)
    xr = x.clone().requires_grad_()
    layer(xr).backward(g)
    ref = (xr.grad.clone(), layer.luts.grad.clone(),
           None if layer.mapping_scores is None else layer.mapping_scores.grad.clone())
    layer.zero_grad()
    xt = x.t().contiguous().requires_grad_()
    y = layer.forward_t(xt)
    assert y.shape == (9, 5)
    y.backward(g.t())
    assert torch.equal(y.detach(), layer(x).detach().t())
    assert torch.allclose(xt.grad.t(), ref[0], atol=1e-6)
    assert torch.allclose(layer.luts.grad, ref[1], atol=1e-6)
    if ref[2] is not None:
        assert torch.allclose(layer.mapping_scores.grad, ref[2], atol=1e-5)
    with pytest.raises(ValueError, match=r"\[30, B\]"):
        layer.forward_t(x)


def test_group_sum_bits_major_matches():
    torch.manual_seed(0)
    gs = GroupSum(3, tau=2.0, affine=True)
    with torch.no_grad():
        gs.scale.uniform_()
        gs.bias.uniform_()
    x = (torch.rand(4, 7) > 0.5).float()  # M = 7 is padded to 9
    assert torch.allclose(gs(x.t().contiguous(), bits_major=True), gs(x))


def test_efd_table_grad_slots_is_the_transpose():
    from quweit.nn.efd import efd_table_grad_slots
    torch.manual_seed(1)
    for n in (2, 6, 9):
        luts = torch.rand(5, 1 << n) * 2 - 1
        assert torch.allclose(efd_table_grad_slots(luts), efd_table_grad(luts).transpose(1, 2), atol=1e-6)


def test_lut_ffn_scale_init():
    torch.manual_seed(0)
    ffn = LutFFN(8, bits_per_feature=4, layers=[64, 32], scale_init=0.1)
    assert torch.allclose(ffn.group_sum.scale, torch.full((8,), 0.1))
    ref = LutFFN(8, bits_per_feature=4, layers=[64, 32])
    assert torch.allclose(ffn.group_sum.bias, ref.group_sum.bias * 0.1)


def test_dwn_schedules_and_graph_needs_cuda():
    from quweit.cudagraph import GraphedStep, set_lr
    from quweit.dwn import DWN, lr_at
    assert lr_at("cosine", 1.0, 0, 100, 10) == pytest.approx(1.0)
    assert lr_at("cosine", 1.0, 50, 100, 10) == pytest.approx(0.5)
    assert lr_at("step", 1.0, 139, 1000, 10) == pytest.approx(1.0)  # x0.1 every 14 epochs
    assert lr_at("step", 1.0, 140, 1000, 10) == pytest.approx(0.1)
    model = DWN(in_features=16, bits=2, layers=(20, 10), classes=2)
    model.thermometer.fit(torch.rand(50, 16))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    set_lr(opt, 5e-3)
    assert opt.param_groups[0]["lr"] == 5e-3
    with pytest.raises(ValueError, match="CUDA"):
        GraphedStep(lambda x: x, [torch.zeros(2)], model, opt)
