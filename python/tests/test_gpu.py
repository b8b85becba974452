"""GPU fast path (Triton) against the reference torch path. Skipped without CUDA + Triton."""
import pytest
import torch

from quweit.nn import LUTLayer, LutFFN, efd_lookup

cuda_ok = torch.cuda.is_available()
try:
    from quweit.nn import _triton_lut  # noqa: F401
    triton_ok = True
except Exception:
    triton_ok = False

pytestmark = pytest.mark.skipif(not (cuda_ok and triton_ok), reason="needs CUDA and Triton")


@pytest.mark.parametrize("n,N,M,B", [(1, 50, 30, 17), (2, 100, 70, 33), (6, 2352, 2000, 256),
                                     (6, 1000, 300, 1000), (8, 300, 100, 65), (16, 200, 20, 40),
                                     (6, 4, 10, 20), (3, 7, 5, 1)])
def test_triton_matches_torch(n, N, M, B):
    torch.manual_seed(n)
    dev = torch.device("cuda")
    mapping = torch.randint(0, N, (M, n), device=dev)
    luts = (torch.rand(M, 1 << n, device=dev) * 2 - 1)
    x = (torch.rand(B, N, device=dev) > 0.5).float()
    g = torch.randn(B, M, device=dev)
    outs = {}
    for backend in ("torch", "triton"):
        xx = x.clone().requires_grad_()
        ll = luts.clone().requires_grad_()
        y = efd_lookup(xx, mapping, ll, backend=backend)
        y.backward(g)
        outs[backend] = (y.detach(), xx.grad, ll.grad)
    assert torch.equal(outs["torch"][0], outs["triton"][0])
    assert torch.allclose(outs["torch"][1], outs["triton"][1], rtol=1e-4, atol=1e-4)
    assert torch.allclose(outs["torch"][2], outs["triton"][2], rtol=1e-4, atol=1e-3)


def test_lut_ffn_on_gpu_trains():
    torch.manual_seed(0)
    ffn = LutFFN(32, 8, [512, 512]).cuda()
    x = torch.randn(64, 32, device="cuda", requires_grad=True)
    ffn(x).pow(2).mean().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_layer_bf16_input():
    torch.manual_seed(0)
    layer = LUTLayer(64, 32, 6).cuda()
    x = (torch.rand(8, 64, device="cuda") > 0.5)
    y32 = layer(x.float())
    y16 = layer(x.bfloat16())
    assert torch.equal(y32, y16.float())


def test_learnable_mapping_gpu_matches_cpu():
    torch.manual_seed(1)
    layer = LUTLayer(40, 12, 3, mapping="learnable")
    x = (torch.rand(9, 40) > 0.5).float()
    g = torch.randn(9, 12)
    layer(x).backward(g)
    ref = (layer.luts.grad.clone(), layer.mapping_scores.grad.clone())
    layer.zero_grad()
    layer.cuda()
    layer(x.cuda()).backward(g.cuda())
    assert torch.allclose(layer.luts.grad.cpu(), ref[0], atol=1e-4)
    assert torch.allclose(layer.mapping_scores.grad.cpu(), ref[1], atol=1e-3)
