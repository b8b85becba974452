"""quweit.tables and quweit.fit: tables files for --quweit-convert-mlp-to-lut, from a trained QuWeiT model or
fitted to a dense model's MLPs. The tables file runs bit-exactly like the PyTorch LutFFN; converting a dense
export with it gives the QuWeiT model; the fit beats predicting the mean and round-trips as a checkpoint."""
import subprocess

import numpy as np
import pytest
import torch

from quweit.checkpoint import load_model, save_checkpoint
from quweit.export import ExportError, to_mlir
from quweit.fit import _baseline, fit_lut_ffn, fit_model
from quweit.models import DenseViT, QuWeiTViT
from quweit.tables import dense_carrier, lut_ffns, tables_mlir, write_atomic

from test_export import assert_hybrid_close, run_reference, tool

torch.set_num_threads(1)

SMALL = dict(image_size=8, patch_size=4, dim=8, depth=2, heads=2)


def small_quweit(seed=0):
    torch.manual_seed(seed)
    return QuWeiTViT(**SMALL, bits_per_feature=3, lut_layers=[40, 24], fan_in=3).eval()


def test_tables_file_runs_like_the_lut_ffn(tmp_path):
    model = small_quweit()
    ffns = lut_ffns(model)
    assert list(ffns) == ["blocks.0.ffn", "blocks.1.ffn"]
    path = tmp_path / "tables.mlir"
    write_atomic(path, tables_mlir(ffns))
    x = torch.randn(7, 8)
    np.save(tmp_path / "x.npy", x.numpy())
    for name, ffn in ffns.items():
        r = subprocess.run([tool("quweit-run"), str(path), "--entry", name, "--input", str(tmp_path / "x.npy"),
                            "--output", str(tmp_path / "y.npy")], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        with torch.no_grad():
            # The LUT part is exact: count / tau * scale + bias in f32, as PyTorch computes it.
            np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), ffn(x).numpy())


def test_convert_dense_carrier_gives_the_quweit_model(tmp_path):
    model = small_quweit(1)
    write_atomic(tmp_path / "tables.mlir", tables_mlir(lut_ffns(model)))
    to_mlir(dense_carrier(model), None, tmp_path / "dense.mlir")
    r = subprocess.run([tool("quweit-opt"), str(tmp_path / "dense.mlir"),
                        f"--quweit-convert-mlp-to-lut=tables={tmp_path / 'tables.mlir'}",
                        "-o", str(tmp_path / "hybrid.mlir")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "hybrid.mlir").read_text()
    assert text.count("quweit.lut_ffn") == 2 and "math.erf" not in text
    x = torch.randn(4, 1, 8, 8)
    out = run_reference(tmp_path / "hybrid.mlir", [x.numpy()], tmp_path)
    assert isinstance(out, list), out.stderr
    with torch.no_grad():
        assert_hybrid_close(out[0], model(x).numpy(), out[0].argmax(1))


def test_dense_export_names_the_mlps():
    text = to_mlir(DenseViT(**SMALL).eval())
    for i in range(2):
        assert f'loc("blocks.{i}.ffn.fc1")' in text and f'loc("blocks.{i}.ffn.fc2")' in text


def test_tables_refuse_bad_input():
    with pytest.raises(ExportError):
        tables_mlir({})
    with pytest.raises(ExportError):
        tables_mlir({'bad"name': small_quweit().blocks[0].ffn})


def test_fit_lut_ffn_beats_the_mean_and_sets_quantile_thresholds():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3000, 6, generator=g)
    w = torch.randn(6, 6, generator=g)
    y = torch.relu(x @ w) - 0.5
    ffn = fit_lut_ffn(x, y, bits=4, layers=[96, 96], fan_in=4, epochs=8, batch=256, lr=2e-2, seed=0)
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(ffn(x), y).item()
    assert mse < 0.5 * _baseline(y)  # measured: 0.39
    t = ffn.thermometer.thresholds
    assert t.shape == (6, 4) and (t[:, 1:] >= t[:, :-1]).all()
    # Equal-population quantiles: about a fifth of each feature lies below the first threshold.
    below = (x < t[:, 0]).float().mean(0)
    assert ((below - 0.2).abs() < 0.01).all()


def test_fit_lut_ffn_refuses_d_to_k():
    with pytest.raises(ValueError):
        fit_lut_ffn(torch.randn(10, 4), torch.randn(10, 3))


def test_fit_model_and_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    dense = DenseViT(**SMALL).eval()
    images = torch.randn(24, 1, 8, 8)
    hybrid, ffns = fit_model(dense, images, bits=2, layers=[32, 16], fan_in=3, epochs=1, batch=64, log=None)
    assert list(ffns) == ["blocks.0.ffn", "blocks.1.ffn"]
    assert hybrid.config["ffn"] == "lut" and dense.config["ffn"] == "dense"  # the dense model is unchanged
    save_checkpoint(str(tmp_path / "hybrid.pt"), hybrid)
    again = load_model(str(tmp_path / "hybrid.pt"))
    x = torch.randn(3, 1, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(again(x), hybrid(x), rtol=0, atol=0)


def test_fit_cli_refuses_a_quweit_checkpoint(tmp_path):
    from quweit.fit import main
    save_checkpoint(str(tmp_path / "q.pt"), small_quweit())
    with pytest.raises(SystemExit, match="expected a dense ViT"):
        main([str(tmp_path / "q.pt"), "-o", str(tmp_path / "t.mlir")])
    assert not (tmp_path / "t.mlir").exists()
