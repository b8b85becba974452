"""quweit.runtime: export -> quweit-compile -> shared object -> ctypes, against PyTorch; and the argument
checks that run before native code."""
import os

import numpy as np
import pytest
import torch

from quweit import runtime
from quweit.export import to_mlir

from test_export import assert_hybrid_close, make_dwn, small_vit, tool

torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FASHION_VIT = os.path.join(ROOT, "examples", "fashion_vit", "model.pt")


@pytest.fixture(autouse=True)
def _tools():
    tool("quweit-compile")
    try:
        runtime._find_cc()
    except FileNotFoundError as e:
        pytest.skip(str(e))


# (layout, threads, fan_in, layers, learnable)
CASES = [
    ("batch-sliced", 1, 1, (24,), False),
    ("batch-sliced", 2, 6, (64, 32), True),
    ("batch-sliced", 1, 16, (8, 6), False),
    ("feature-packed", 1, 3, (40, 20), False),
    ("feature-packed", 2, 8, (16, 12), False),
    ("feature-packed", 1, 12, (10,), True),
    ("auto", 2, 2, (33, 17), False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-t{c[1]}-n{c[2]}")
def test_compiled_dwn_matches_torch(case, tmp_path):
    layout, threads, n, layers, learnable = case
    model = make_dwn(features=6, bits=3, layers=layers, fan_in=n, groups=4, tau=1 / 0.3, seed=10 + n,
                     learnable=learnable, affine=(n == 3))
    cm = runtime.compile(model, example_input=torch.zeros(1, 6), layout=layout, threads=threads,
                         workdir=tmp_path, export_options={"argmax": True})
    for batch in (1, 70, 130):
        x = torch.randn(batch, 6)
        scores, classes = cm(x)
        with torch.no_grad():
            ref = model(x).numpy()
        assert scores.dtype == np.float32 and classes.dtype == np.int64
        np.testing.assert_array_equal(scores, ref)
        np.testing.assert_array_equal(classes, ref.argmax(1))
    assert cm(np.zeros((0, 6), np.float32))[0].shape == (0, 4)


def test_compile_from_mlir_path_and_single_result(tmp_path):
    model = make_dwn(layers=(20,), fan_in=5)
    to_mlir(model, torch.zeros(1, 5), tmp_path / "m.mlir")
    cm = runtime.compile(str(tmp_path / "m.mlir"), layout="feature-packed", opt_level=1, cpu="x86-64-v2")
    x = np.random.default_rng(0).normal(size=(3, 5)).astype(np.float32)
    out = cm(x)
    assert isinstance(out, np.ndarray)
    with torch.no_grad():
        np.testing.assert_array_equal(out, model(torch.from_numpy(x)).numpy())
    assert "main" in repr(cm)


@pytest.mark.parametrize("ffn,matmul", [("lut", "vectorize"), ("dense", "vectorize"),
                                        ("lut", "loops"), ("dense", "blas")])
def test_compiled_small_vits_match_torch(ffn, matmul, tmp_path):
    if matmul == "blas" and not os.path.exists("/usr/lib/x86_64-linux-gnu/libopenblas.so"):
        pytest.skip("--matmul=blas needs libopenblas-dev")
    model = small_vit(ffn, seed=2)
    cm = runtime.compile(model, example_input=torch.zeros(1, 1, 8, 8), workdir=tmp_path,
                         export_options={"argmax": True}, matmul=matmul)
    x = torch.randn(9, 1, 8, 8)
    logits, classes = cm(x)
    with torch.no_grad():
        ref = model(x).numpy()
    assert_hybrid_close(logits, ref, classes)


def test_compiled_gpt_matches_torch(tmp_path):
    from test_export import small_gpt
    model = small_gpt("lut", seed=3)
    cm = runtime.compile(model, example_input=torch.zeros(1, 12, dtype=torch.int64), workdir=tmp_path)
    idx = torch.randint(0, 20, (5, 12))
    with torch.no_grad():
        ref = model(idx).numpy()
    assert_hybrid_close(cm(idx.float()), ref)


def test_fashion_vit_compiled_matches_torch(tmp_path):
    from quweit.checkpoint import load_model
    from quweit import data
    model = load_model(FASHION_VIT)
    try:
        images, labels = data.load_fashion_mnist("test")
        x = images[:6, None].float().div(255)
        x = (x - data.FASHION_MNIST_MEAN) / data.FASHION_MNIST_STD
    except data.DataMissingError:
        x = torch.randn(6, 1, 28, 28)
    cm = runtime.compile(model, workdir=tmp_path, export_options={"argmax": True})
    logits, classes = cm(x.contiguous())
    with torch.no_grad():
        ref = model(x).numpy()
    assert_hybrid_close(logits, ref, classes)
    # Flat [B, 784] rows (for C programs) give the same results.
    cm_flat = runtime.compile(model, workdir=tmp_path / "flat", export_options={"flat_input": True})
    np.testing.assert_array_equal(cm_flat(x.reshape(6, -1).contiguous()), logits)


@pytest.fixture(scope="module")
def compiled_dwn(tmp_path_factory):
    model = make_dwn(features=4, bits=2, layers=(12,), fan_in=3, groups=3)
    return model, runtime.compile(model, example_input=torch.zeros(1, 4),
                                  workdir=tmp_path_factory.mktemp("dwn"))


def test_runtime_refuses_bad_arguments(compiled_dwn):
    _, cm = compiled_dwn
    good = np.zeros((5, 4), np.float32)
    with pytest.raises(TypeError, match="dtype float64, expected float32"):
        cm(good.astype(np.float64))
    with pytest.raises(TypeError, match="dtype int32"):
        cm(good.astype(np.int32))
    with pytest.raises(ValueError, match="rank 1"):
        cm(np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="size 5 in dimension 1, expected 4"):
        cm(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="not C-contiguous"):
        cm(np.zeros((4, 5), np.float32).T)
    with pytest.raises(ValueError, match="contains NaN"):
        bad = good.copy()
        bad[3, 1] = np.nan
        cm(bad)
    with pytest.raises(TypeError, match="takes 1 argument"):
        cm(good, good)
    with pytest.raises(TypeError, match="numpy array or torch tensor"):
        cm([[0.0] * 4])
    with pytest.raises(TypeError, match="dtype"):
        cm(torch.zeros(5, 4, dtype=torch.float64))


def test_runtime_batch_consistency_and_status(tmp_path):
    src = tmp_path / "two.mlir"
    src.write_text("""
func.func @main(%a: tensor<?x4xf32>, %b: tensor<?x3xf32>) -> (tensor<?x8xi1>, tensor<?x3xi1>) {
  %x = quweit.thermometer %a thresholds(dense<[[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]]> : tensor<4x2xf32>) : tensor<?x4xf32> -> tensor<?x8xi1>
  %y = quweit.thermometer %b thresholds(dense<[[0.0], [0.0], [0.0]]> : tensor<3x1xf32>) : tensor<?x3xf32> -> tensor<?x3xi1>
  return %x, %y : tensor<?x8xi1>, tensor<?x3xi1>
}
func.func @fixed(%a: tensor<3x2xf32>) -> tensor<3x2xi1> {
  %x = quweit.thermometer %a thresholds(dense<[[0.5], [0.5]]> : tensor<2x1xf32>) : tensor<3x2xf32> -> tensor<3x2xi1>
  return %x : tensor<3x2xi1>
}
""")
    cm = runtime.compile(str(src), workdir=tmp_path)
    a = np.array([[-1, 0.5, 2, 0]], np.float32)
    bits_a, bits_b = cm(a, np.array([[1, -1, 0]], np.float32))
    assert bits_a.dtype == np.bool_
    np.testing.assert_array_equal(bits_a, [[0, 0, 1, 0, 1, 1, 0, 0]])
    np.testing.assert_array_equal(bits_b, [[1, 0, 0]])
    with pytest.raises(ValueError, match="has batch 2 in dimension 0, but argument 0 has batch 1"):
        cm(a, np.zeros((2, 3), np.float32))
    fixed = cm.functions["fixed"]
    np.testing.assert_array_equal(fixed(np.full((3, 2), 0.7, np.float32)), np.ones((3, 2), bool))
    with pytest.raises(ValueError, match="size 4 in dimension 0, expected 3"):
        fixed(np.zeros((4, 2), np.float32))
    # The native status codes: a negative batch returns 1 without touching memory.
    assert cm.main._fn(-1, 0, 0, 0, 0) == 1


def test_runtime_nan_allowed_and_torch_inputs(tmp_path):
    model = make_dwn(features=4, bits=2, layers=(12,), fan_in=3, groups=3)
    model[0].allow_nan = True
    cm = runtime.compile(model, example_input=torch.zeros(1, 4), workdir=tmp_path, allow_nan=True)
    x = torch.randn(7, 4, requires_grad=True)
    with torch.no_grad():
        xn = x.detach().clone()
        xn[2, 0] = float("nan")
        np.testing.assert_array_equal(cm(xn), model(xn).numpy())
        np.testing.assert_array_equal(cm(x), model(x).numpy())


def test_compile_option_errors():
    with pytest.raises(ValueError, match="layout"):
        runtime.compile("x.mlir", layout="packed")
    with pytest.raises(ValueError, match="threads"):
        runtime.compile("x.mlir", threads=0)
    with pytest.raises(ValueError, match="lut_codegen"):
        runtime.compile("x.mlir", lut_codegen="logic")
    with pytest.raises(ValueError, match="matmul must be vectorize, blas or loops"):
        runtime.compile("x.mlir", matmul="gemm")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        runtime.compile("/nonexistent/model.mlir")
