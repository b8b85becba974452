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
    _assert_backends_agree(efd_lookup, x, mapping, luts, torch.randn(B, M, device=dev))


def _assert_backends_agree(lookup, x, mapping, luts, g):
    """Same forward bits and (within float tolerance) the same gradients with 'torch' and 'triton'."""
    outs = {}
    for backend in ("torch", "triton"):
        xx = x.clone().requires_grad_()
        ll = luts.clone().requires_grad_()
        y = lookup(xx, mapping, ll, backend=backend)
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


@pytest.mark.parametrize("n,N,M,B", [(1, 50, 30, 17), (2, 100, 70, 33), (6, 2352, 2000, 256),
                                     (6, 1024, 2048, 3000), (7, 300, 100, 65), (8, 300, 100, 40),
                                     (16, 200, 20, 40), (6, 4, 10, 20), (3, 7, 5, 1)])
def test_bits_major_triton_matches_torch(n, N, M, B):
    from quweit.nn.efd import efd_lookup_t
    torch.manual_seed(n)
    dev = torch.device("cuda")
    mapping = torch.randint(0, N, (M, n), device=dev)
    luts = (torch.rand(M, 1 << n, device=dev) * 2 - 1)
    xT = (torch.rand(N, B, device=dev) > 0.5).float()
    _assert_backends_agree(efd_lookup_t, xT, mapping, luts, torch.randn(M, B, device=dev))


def test_lut_ffn_bits_major_gpu_matches_cpu():
    torch.manual_seed(2)
    ffn = LutFFN(16, 4, [256, 128])
    x = torch.randn(3, 5, 16)
    g = torch.randn(3, 5, 16)
    xr = x.clone().requires_grad_()
    y = ffn(xr)
    y.backward(g)
    ref = (y.detach(), xr.grad, [layer.luts.grad.clone() for layer in ffn.luts])
    ffn.zero_grad()
    ffn.cuda()
    xc = x.cuda().requires_grad_()
    yc = ffn(xc)
    yc.backward(g.cuda())
    assert torch.allclose(yc.detach().cpu(), ref[0], atol=1e-5)
    assert torch.allclose(xc.grad.cpu(), ref[1], atol=1e-4)
    for layer, r in zip(ffn.luts, ref[2]):
        assert torch.allclose(layer.luts.grad.cpu(), r, atol=1e-3)


def _dwn_twins(seed, device="cuda"):
    """Data and two identical small DWNs (thermometer fitted) for eager-vs-graph comparisons."""
    import copy
    from quweit.dwn import DWN
    torch.manual_seed(seed)
    x = torch.rand(64, 784, device=device)
    y = torch.randint(0, 10, (64,), device=device)
    base = DWN(layers=(200, 100)).to(device)
    base.thermometer.fit(x)
    return x, y, [copy.deepcopy(base), copy.deepcopy(base)]


def _dwn_step(m, opt):
    """One training step of GraphedStep's contract: gradients already zeroed, no host sync."""
    import torch.nn.functional as F
    from quweit.nn import clamp_luts_

    def step(xb, yb):
        loss = F.cross_entropy(m(xb), yb)
        loss.backward()
        opt.step()
        clamp_luts_(m)
        return loss.detach()
    return step


def _assert_same_params(m0, m1):
    for (name, p0), p1 in zip(m0.named_parameters(), m1.parameters()):
        assert torch.allclose(p0, p1, atol=1e-3), name


def test_graphed_step_matches_eager():
    # Two CUDA-graph training steps of the DWN give the parameters of two eager steps.
    from quweit.cudagraph import GraphedStep
    x, y, models = _dwn_twins(0)
    opts = [torch.optim.Adam(models[0].parameters(), lr=1e-2),
            torch.optim.Adam(models[1].parameters(), lr=torch.tensor(1e-2, device="cuda"), capturable=True)]
    eager = _dwn_step(models[0], opts[0])
    graphed = GraphedStep(_dwn_step(models[1], opts[1]), [x, y], models[1], opts[1])
    for i in range(2):
        xb, yb = x.roll(i, 0), y.roll(i, 0)
        opts[0].zero_grad(set_to_none=True)
        le = eager(xb, yb)
        lg = graphed(xb, yb)
        assert torch.allclose(le, lg, atol=1e-5)
    _assert_same_params(*models)


@pytest.mark.parametrize("n", [1, 3, 6, 8])
def test_table_grad_kernels_agree(n, monkeypatch):
    # The tensor-core table gradient ("dot") equals the register-histogram one ("onehot").
    from quweit.nn import _triton_lut
    from quweit.nn.efd import efd_lookup_t
    torch.manual_seed(n)
    M, N, B = 50, 40, 700
    mapping = torch.randint(0, N, (M, n), device="cuda")
    xT = (torch.rand(N, B, device="cuda") > 0.5).float()
    g = torch.randn(M, B, device="cuda")
    grads = []
    for kind in ("dot", "onehot", "atomic"):
        monkeypatch.setattr(_triton_lut, "_TABLE_GRAD", kind)
        luts = torch.full((M, 1 << n), 0.5, device="cuda", requires_grad=True)
        efd_lookup_t(xT, mapping, luts).backward(g)
        grads.append(luts.grad)
    assert torch.allclose(grads[0], grads[1], rtol=1e-5, atol=1e-4)
    assert torch.allclose(grads[0], grads[2], rtol=1e-5, atol=1e-4)


def _need_fashion():
    import os
    from quweit.data import FASHION_MNIST_DIR
    if not os.path.exists(os.environ.get("QUWEIT_FASHION_MNIST", FASHION_MNIST_DIR)):
        pytest.skip("needs Fashion-MNIST (dataset-fashion-mnist or $QUWEIT_FASHION_MNIST)")


def _train_cli(tmp_path, name, extra):
    import json
    from quweit import train
    out = str(tmp_path / name)
    args = ["--task", "fashion-vit", "--limit-train", "1024", "--limit-test", "256", "--batch-size", "128",
            "--dim", "32", "--depth", "1", "--heads", "2", "--patch-size", "7", "--lut-layers", "256,128",
            "--bits", "4", "--no-progress", "--no-plot", "--seed", "3", "--out", out] + extra
    train.run(train.parse_args(args))
    return json.load(open(f"{out}/history.json"))


def test_train_cli_cuda_graph_matches_eager(tmp_path):
    # 1024 samples = 8 full batches: the graph path drops nothing, so it trains on the same batches
    # as the eager path and must reach the same losses (up to atomics' summation order).
    _need_fashion()
    for extra in ([], ["--model", "dense"]):
        he = _train_cli(tmp_path, "e" + str(len(extra)), ["--epochs", "2"] + extra)
        hg = _train_cli(tmp_path, "g" + str(len(extra)), ["--epochs", "2", "--cuda-graph"] + extra)
        for a, b in zip(he, hg):
            assert a["step"] == b["step"]
            assert abs(a["train_loss"] - b["train_loss"]) < 2e-3 * max(1.0, a["train_loss"]), (a, b)
            assert abs(a["val_loss"] - b["val_loss"]) < 5e-3 * max(1.0, a["val_loss"]), (a, b)


def test_graphed_step_keeps_existing_optimizer_state():
    # Capturing after some eager steps (as --resume does) restores the optimiser state that the
    # capture's warm-up changed: 2 eager steps + 1 replay = 3 eager steps.
    from quweit.cudagraph import GraphedStep
    x, y, models = _dwn_twins(1)
    opts = [torch.optim.Adam(m.parameters(), lr=torch.tensor(1e-2, device="cuda"), capturable=True)
            for m in models]
    steps = [_dwn_step(m, o) for m, o in zip(models, opts)]
    batches = [(x.roll(i, 0), y.roll(i, 0)) for i in range(3)]
    for k, n in ((0, 3), (1, 2)):
        for i in range(n):
            opts[k].zero_grad(set_to_none=True)
            steps[k](*batches[i])
    GraphedStep(steps[1], list(batches[2]), models[1], opts[1])(*batches[2])
    _assert_same_params(*models)
