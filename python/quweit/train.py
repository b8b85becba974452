"""Training CLI: ``python -m quweit.train --task fashion-vit --model quweit --epochs 10 --out runs/x``.

Tasks: ``fashion-vit`` (Fashion-MNIST ViT), ``cifar-vit`` (CIFAR-10 ViT, user-supplied files),
``char-gpt`` (char-level GPT on the King James Bible). ``--model quweit`` uses LUT FFNs, ``dense``
the dense twin. Writes to ``--out``: ``last.pt``/``last.json`` (checkpoint, every epoch/eval),
``best.pt``, ``summary.json``, ``history.json``, ``loss.png``, ``accuracy.png`` (ViT). ``--resume``
continues from ``last.pt``. Under ``torchrun`` it trains with DistributedDataParallel (NCCL on CUDA,
gloo on CPU); rank 0 writes the files. ``--cuda-graph`` replays each training step as a CUDA graph.
``--teacher``/``--init-from`` distil from / start from a trained checkpoint; ``--preset fashion-vit-kd``
trains the dense twin and then the QuWeiT-ViT distilled from it (docs/results.md, section 3).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import data as qdata
from .checkpoint import read_checkpoint, save_checkpoint, unwrap
from .models import GPT, ViT
from .nn import clamp_luts_

TASKS = ("fashion-vit", "cifar-vit", "char-gpt")

# Recipes measured in docs/results.md (section 3); options given on the command line override them.
# ``fashion-vit``: the ViT pair's common recipe (QuWeiT by default, ``--model dense`` for the twin).
# ``fashion-vit-kd``: the recipe that brings QuWeiT-ViT within 1 point of its dense twin: first the
# dense twin is trained with the same options into OUT/dense-twin, then the QuWeiT model starts from
# its attention, embeddings, norms and head and is trained against labels and the twin's logits.
_FASHION_VIT = dict(task="fashion-vit", batch_size=256, dim=128, depth=4, heads=4, patch_size=4,
                    augment=True, amp=True, epochs=30, lr=1e-3, lut_lr=2e-2, ffn_scale=0.1, bits=16)
PRESETS = {
    "fashion-vit": _FASHION_VIT,
    "fashion-vit-kd": dict(_FASHION_VIT, model="quweit", kd_alpha=0.5, kd_temp=2.0, distill_dense_twin=True),
}
DENSE_TWIN_DIR = "dense-twin"


def parse_args(argv=None):
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--preset", choices=sorted(PRESETS))
    preset = pre.parse_known_args(argv)[0].preset
    p = argparse.ArgumentParser(prog="python -m quweit.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="a measured recipe (docs/results.md); explicit options override its values. "
                        "fashion-vit-kd trains the dense twin into OUT/dense-twin first, then the "
                        "QuWeiT model distilled from it")
    p.add_argument("--task", choices=TASKS, default="fashion-vit")
    p.add_argument("--model", choices=("quweit", "dense"), default="quweit")
    p.add_argument("--out", default="runs/default", help="output directory")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--epochs", type=int, default=10, help="ViT: epochs")
    p.add_argument("--steps", type=int, default=2000, help="GPT: optimiser steps")
    p.add_argument("--eval-interval", type=int, default=250, help="GPT: steps between evaluations")
    p.add_argument("--eval-iters", type=int, default=20, help="GPT: batches per evaluation")
    p.add_argument("--batch-size", type=int, default=128, help="per process")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lut-lr", type=float, default=None, help="learning rate of LUT tables (default: --lr)")
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup", type=float, default=0.05, help="fraction of steps of linear warm-up")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--augment", action="store_true", help="ViT: random crop (pad 2) + horizontal flip")
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--patch-size", type=int, default=4)
    p.add_argument("--mlp-ratio", type=float, default=4.0)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--block-size", type=int, default=128, help="GPT context length")
    p.add_argument("--bits", type=int, default=8, help="thermometer bits per feature (LutFFN)")
    p.add_argument("--lut-layers", default="2048,2048", help="LUT layer sizes, comma separated")
    p.add_argument("--fan-in", type=int, default=6)
    p.add_argument("--tau", type=float, default=None)
    p.add_argument("--ffn-scale", type=float, default=1.0,
                   help="initial per-output scale of the LUT FFN's group sum (small = starts near 0)")
    p.add_argument("--thermometer", default="gaussian", choices=("gaussian", "uniform", "distributive"))
    p.add_argument("--limit-train", type=int, default=None, help="use only the first N training samples")
    p.add_argument("--limit-test", type=int, default=None, help="use only the first N test samples")
    p.add_argument("--amp", action="store_true", help="bf16 autocast on CUDA")
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--no-progress", action="store_true", help="disable tqdm bars")
    p.add_argument("--save-every", type=int, default=1, help="ViT: checkpoint every N epochs")
    p.add_argument("--cuda-graph", action="store_true",
                   help="CUDA: replay each training step as one CUDA graph (single process; the last "
                        "partial batch of an epoch is dropped)")
    g = p.add_argument_group("distillation (optional; see docs/results.md)")
    g.add_argument("--teacher", default=None, metavar="CKPT",
                   help="train against this trained checkpoint's logits too (knowledge distillation)")
    g.add_argument("--kd-alpha", type=float, default=0.5,
                   help="weight of the distillation term (1 - alpha on the label cross-entropy)")
    g.add_argument("--kd-temp", type=float, default=2.0, help="softmax temperature of the distillation term")
    g.add_argument("--init-from", default=None, metavar="CKPT",
                   help="start from the weights of this checkpoint (same arch) wherever the names match "
                        "(e.g. attention, embeddings, norms and head of the trained dense twin); a "
                        "matching name with another shape is an error")
    g.add_argument("--distill-dense-twin", action="store_true",
                   help="train the dense twin (these options, --model dense) into OUT/dense-twin first "
                        "(reused when finished), then use its final checkpoint as --teacher and --init-from")
    if preset:
        p.set_defaults(**PRESETS[preset])
    a = p.parse_args(argv)
    try:
        a.lut_layers = [int(s) for s in a.lut_layers.split(",") if s.strip()]
    except ValueError:
        p.error(f"--lut-layers must be comma-separated integers, got {a.lut_layers!r}")
    if not a.lut_layers or min(a.lut_layers) < 1:
        p.error("--lut-layers needs at least one positive size")
    if not 1 <= a.fan_in <= 16:
        p.error("--fan-in must be in 1..16")
    if a.batch_size < 1 or a.epochs < 0 or a.steps < 0:
        p.error("--batch-size must be >= 1, --epochs and --steps >= 0")
    if not 0.0 <= a.kd_alpha <= 1.0:
        p.error("--kd-alpha must be in [0, 1]")
    if not a.kd_temp > 0:
        p.error("--kd-temp must be positive")
    if a.cuda_graph and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        p.error("--cuda-graph is for single-process training; under torchrun leave it out")
    if a.distill_dense_twin and (a.model != "quweit" or a.teacher or a.init_from):
        p.error("--distill-dense-twin trains the QuWeiT model against its own dense twin: use it with "
                "--model quweit and without --teacher/--init-from")
    return a


def dense_twin_args(args):
    """The dense twin's options for --distill-dense-twin: the same recipe, ``--model dense``, no
    distillation, written to OUT/dense-twin."""
    d = argparse.Namespace(**vars(args))
    d.model, d.out, d.distill_dense_twin = "dense", os.path.join(args.out, DENSE_TWIN_DIR), False
    d.teacher = d.init_from = None
    return d


# ----------------------------------------------------------------------------- distributed
def setup_distributed(args):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if args.device == "auto":
        dev = f"cuda:{local}" if torch.cuda.is_available() else "cpu"
    else:
        dev = args.device
        if dev.startswith("cuda") and not torch.cuda.is_available():
            raise SystemExit("error: --device cuda requested but torch.cuda.is_available() is False")
        if dev == "cuda" and world > 1:
            dev = f"cuda:{local}"
    device = torch.device(dev)
    if device.type == "cuda":
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if world > 1:
        backend = "nccl" if device.type == "cuda" else "gloo"
        torch.distributed.init_process_group(backend=backend)
    return device, rank, world


def all_reduce_sum(t: torch.Tensor, world: int) -> torch.Tensor:
    if world > 1:
        torch.distributed.all_reduce(t)
    return t


# ----------------------------------------------------------------------------- data
def load_vision(args):
    if args.task == "fashion-vit":
        xtr, ytr = qdata.load_fashion_mnist("train", args.data_dir)
        xte, yte = qdata.load_fashion_mnist("test", args.data_dir)
        xtr, xte = xtr[:, None], xte[:, None]
        mean, std = [qdata.FASHION_MNIST_MEAN], [qdata.FASHION_MNIST_STD]
    else:
        xtr, ytr = qdata.load_cifar10("train", args.data_dir)
        xte, yte = qdata.load_cifar10("test", args.data_dir)
        mean, std = qdata.CIFAR10_MEAN, qdata.CIFAR10_STD
    if args.limit_train:
        xtr, ytr = xtr[: args.limit_train], ytr[: args.limit_train]
    if args.limit_test:
        xte, yte = xte[: args.limit_test], yte[: args.limit_test]
    return xtr, ytr, xte, yte, torch.tensor(mean), torch.tensor(std)


def normalise(x_u8, mean, std):
    x = x_u8.float().div_(255)
    return (x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random crop after zero padding of 2, and horizontal flip, per sample."""
    B, C, H, W = x.shape
    xp = F.pad(x, (2, 2, 2, 2))
    oy = torch.randint(0, 5, (B,), generator=gen).to(x.device)
    ox = torch.randint(0, 5, (B,), generator=gen).to(x.device)
    rows = (oy[:, None] + torch.arange(H, device=x.device)).view(B, 1, H, 1).expand(B, C, H, W + 4)
    xp = xp.gather(2, rows)
    cols = (ox[:, None] + torch.arange(W, device=x.device)).view(B, 1, 1, W).expand(B, C, H, W)
    xp = xp.gather(3, cols)
    flip = (torch.rand(B, generator=gen) < 0.5).to(x.device)
    return torch.where(flip.view(B, 1, 1, 1), xp.flip(3), xp)


# ----------------------------------------------------------------------------- model/optim
def model_config(args, in_chans=1, image_size=28, vocab=None):
    common = dict(dim=args.dim, depth=args.depth, heads=args.heads, mlp_ratio=args.mlp_ratio,
                  dropout=args.dropout, ffn="lut" if args.model == "quweit" else "dense",
                  bits_per_feature=args.bits, lut_layers=args.lut_layers, fan_in=args.fan_in,
                  tau=args.tau, thermometer=args.thermometer, ffn_scale=args.ffn_scale)
    if args.task == "char-gpt":
        return dict(common, arch="gpt", vocab_size=vocab, block_size=args.block_size)
    return dict(common, arch="vit", image_size=image_size, patch_size=args.patch_size,
                in_chans=in_chans, num_classes=10)


def make_optimizer(model, args, capturable=False):
    decay, no_decay, luts = [], [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.endswith(".luts") or name.endswith("mapping_scores"):
            luts.append(p)
        elif p.dim() < 2 or "pos_emb" in name or "cls_token" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": args.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    if luts:
        groups.append({"params": luts, "weight_decay": 0.0, "lr": args.lut_lr or args.lr})
    for g in groups:
        g["base_lr"] = g.get("lr", args.lr)
    if not capturable:
        return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95))
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), capturable=True)
    tensor_lrs_(opt)
    return opt


def tensor_lrs_(opt):
    """Make every group's learning rate a tensor on its parameters' device: a CUDA-graph-captured
    step reads it by address, so the schedule can change it between replays (a float would be baked in)."""
    for g in opt.param_groups:
        if not torch.is_tensor(g["lr"]) and g["params"]:
            g["lr"] = torch.tensor(float(g["lr"]), device=g["params"][0].device)


def set_lr(opt, step, total, warmup_frac):
    warm = max(1, int(total * warmup_frac))
    if step < warm:
        f = (step + 1) / warm
    else:
        f = 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total - warm))))
    for g in opt.param_groups:
        if torch.is_tensor(g["lr"]):
            g["lr"].fill_(g["base_lr"] * f)
        else:
            g["lr"] = g["base_lr"] * f


def distillation_loss(logits, targets, teacher_logits=None, alpha=0.5, temp=2.0, label_smoothing=0.0):
    """``(1 - alpha) * CE(logits, targets) + alpha * temp^2 * KL(softmax(teacher/temp) || softmax(logits/temp))``
    (Hinton et al.'s soft-target distillation; the temp^2 keeps the term's gradient scale independent of
    temp). Without a teacher: the plain cross-entropy. Logits ``[..., C]``, targets ``[...]``."""
    C = logits.shape[-1]
    logits, targets = logits.reshape(-1, C).float(), targets.reshape(-1)
    ce = F.cross_entropy(logits, targets, label_smoothing=label_smoothing)
    if teacher_logits is None:
        return ce
    if teacher_logits.shape[-1] != C or teacher_logits.numel() != logits.numel():
        raise ValueError(f"teacher logits {list(teacher_logits.shape)} do not match the student's "
                         f"(last dim {C}, {logits.numel()} values)")
    t = teacher_logits.reshape(-1, C).float()
    kl = F.kl_div(F.log_softmax(logits / temp, -1), F.log_softmax(t / temp, -1), reduction="batchmean",
                  log_target=True)
    return (1 - alpha) * ce + alpha * temp * temp * kl


def load_teacher(path, student_config, device):
    """The distillation teacher: a trained checkpoint of the same task (frozen, eval mode)."""
    from .checkpoint import load_model
    try:
        teacher = load_model(path)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: --teacher: {e}")
    tc = teacher.config
    keys = (("arch", "image_size", "in_chans", "num_classes") if student_config["arch"] == "vit"
            else ("arch", "vocab_size"))
    diff = [k for k in keys if tc.get(k) != student_config.get(k)]
    if diff:
        raise SystemExit(f"error: --teacher {path}: its {', '.join(diff)} differ from the model being "
                         f"trained ({', '.join(f'{k}={tc.get(k)!r}' for k in diff)}); use a checkpoint "
                         f"of the same task")
    if student_config["arch"] == "gpt" and tc["block_size"] < student_config["block_size"]:
        raise SystemExit(f"error: --teacher {path}: block_size {tc['block_size']} < the student's "
                         f"{student_config['block_size']}")
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher.to(device).eval()


def init_from_checkpoint(model, path):
    """Copy every tensor of checkpoint ``path`` whose name and shape match ``model``'s; returns the copied
    names. A dense twin's checkpoint gives a QuWeiT model its attention, embeddings, norms and head
    (the MLP weights have no counterpart and stay as initialised)."""
    from .checkpoint import read_checkpoint
    try:
        ck = read_checkpoint(path)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: --init-from: {e}")
    arch, want = ck["config"].get("arch"), model.config["arch"]
    if arch != want:
        raise SystemExit(f"error: --init-from {path}: a {arch!r} checkpoint; the model is a {want!r}")
    sd = ck["model"]
    own = model.state_dict()
    clash = [k for k, v in sd.items() if k in own and own[k].shape != v.shape]
    copied = [k for k, v in sd.items() if k in own and own[k].shape == v.shape]
    if clash or not copied:
        why = (f"{len(clash)} tensors have other shapes (e.g. {clash[0]}: {list(sd[clash[0]].shape)} vs "
               f"{list(own[clash[0]].shape)})" if clash else "no tensor matches the model by name")
        raise SystemExit(f"error: --init-from {path}: {why}; use a checkpoint of the same architecture "
                         f"(dim, depth, heads, patch size)")
    with torch.no_grad():
        for k in copied:
            own[k].copy_(sd[k])
    return copied


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ----------------------------------------------------------------------------- plots/summary
def write_plots(out, history, task):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    xs = [h["epoch"] if "epoch" in h else h["step"] for h in history]
    xlabel = "epoch" if history and "epoch" in history[0] else "step"
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, [h["train_loss"] for h in history], label="train")
    ax.plot(xs, [h["val_loss"] for h in history], label="validation/test")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cross-entropy")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "loss.png"), dpi=100)
    plt.close(fig)
    if task != "char-gpt":
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(xs, [100 * h["test_acc"] for h in history], label="test")
        ax.plot(xs, [100 * h["train_acc"] for h in history], label="train (running)")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("accuracy (%)")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "accuracy.png"), dpi=100)
        plt.close(fig)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------- loops
@torch.no_grad()
def evaluate_vision(model, x_u8, y, mean, std, device, bs, world, rank, amp):
    model.eval()
    loss_sum = torch.zeros((), device=device, dtype=torch.float64)
    correct = torch.zeros((), device=device, dtype=torch.float64)
    n = torch.zeros((), device=device, dtype=torch.float64)
    idx = torch.arange(len(y))[rank::world]
    for i in range(0, len(idx), bs):
        b = idx[i: i + bs]
        xb = normalise(x_u8[b].to(device), mean, std)
        yb = y[b].to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            logits = model(xb)
        loss_sum += F.cross_entropy(logits.float(), yb, reduction="sum")
        correct += (logits.argmax(1) == yb).sum()
        n += len(b)
    for t in (loss_sum, correct, n):
        all_reduce_sum(t, world)
    model.train()
    return (loss_sum / n).item(), (correct / n).item()


def run(args):
    device, rank, world = setup_distributed(args)
    graphs = args.cuda_graph
    if graphs and device.type != "cuda":
        raise SystemExit(f"error: --cuda-graph needs a CUDA device (training on {device}); leave it out")
    is_main = rank == 0
    seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)
    amp = args.amp and device.type == "cuda"

    corpus = None
    if args.task == "char-gpt":
        text = qdata.load_bible_text()
        if args.limit_train:
            text = text[: args.limit_train]
        corpus = qdata.CharCorpus(text)
        cfg = model_config(args, vocab=corpus.vocab_size)
    else:
        xtr, ytr, xte, yte, mean, std = load_vision(args)
        cfg = model_config(args, in_chans=xtr.shape[1], image_size=xtr.shape[-1])
        mean, std = mean.to(device), std.to(device)
        if device.type == "cuda":  # the whole data set fits on the GPU
            xtr, ytr, xte, yte = xtr.to(device), ytr.to(device), xte.to(device), yte.to(device)

    model = (GPT if cfg["arch"] == "gpt" else ViT)(**cfg).to(device)
    if args.init_from and not args.resume:
        copied = init_from_checkpoint(model, args.init_from)
        if is_main:
            print(f"--init-from {args.init_from}: copied {len(copied)} tensors", flush=True)
    teacher = load_teacher(args.teacher, model.config, device) if args.teacher else None
    opt = make_optimizer(model, args, capturable=graphs)
    state = {"epoch": 0, "step": 0, "history": [], "train_time_s": 0.0, "samples": 0}
    ckpt_path = os.path.join(args.out, "last.pt")
    if args.resume:
        if not os.path.exists(ckpt_path):
            raise SystemExit(f"error: --resume given but {ckpt_path} does not exist")
        ck = read_checkpoint(ckpt_path, map_location=device)
        if ck["config"] != model.config:
            raise SystemExit("error: --resume: the checkpoint's model config differs from the command "
                             "line's; use the same model options as the original run")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["train"]["optimizer"])
        if graphs:  # the checkpoint may come from an eager run: make its state capturable
            for g in opt.param_groups:
                g["capturable"] = True
            for st in opt.state.values():
                if torch.is_tensor(st.get("step")):
                    st["step"] = st["step"].to(device, torch.float32)
            tensor_lrs_(opt)
        state = ck["train"]["state"]
        torch.set_rng_state(ck["train"]["rng_cpu"])
    if world > 1:
        ddp_kwargs = {"device_ids": [device.index]} if device.type == "cuda" else {}
        model = torch.nn.parallel.DistributedDataParallel(model, **ddp_kwargs)
    raw = unwrap(model)
    mults = raw.multiplications()
    params = sum(p.numel() for p in raw.parameters())
    gen = torch.Generator().manual_seed(args.seed * 1000 + rank + 7919 * state["step"])

    def train_state():
        return {"optimizer": opt.state_dict(), "state": state, "rng_cpu": torch.get_rng_state(),
                "args": vars(args)}

    def finish_eval(entry):
        state["history"].append(entry)
        if not is_main:
            return
        save_checkpoint(ckpt_path, model, train_state())
        key = "test_acc" if "test_acc" in entry else None
        best = state.get("best")
        better = (best is None or (entry[key] > best[key] if key else entry["val_loss"] < best["val_loss"]))
        if better:
            state["best"] = entry
            save_checkpoint(os.path.join(args.out, "best.pt"), model)
        write_json(os.path.join(args.out, "history.json"), state["history"])
        if not args.no_plot:
            write_plots(args.out, state["history"], args.task)

    from tqdm import tqdm
    show = is_main and not args.no_progress

    def train_step(xb, yb):
        """Forward (with the teacher's logits when distilling), backward, AdamW, table clamp; the
        gradients are already zeroed. Autocast's weight cache is off under CUDA-graph capture."""
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp, cache_enabled=not graphs):
            logits = model(xb)
            if teacher is not None:
                with torch.no_grad():
                    t_logits = teacher(xb)
            else:
                t_logits = None
        loss = distillation_loss(logits, yb, t_logits, args.kd_alpha, args.kd_temp, args.label_smoothing)
        loss.backward()
        opt.step()
        clamp_luts_(raw)
        return loss.detach(), logits.detach()

    def make_step(x0, y0):
        if graphs:
            from .cudagraph import GraphedStep
            return GraphedStep(train_step, [x0, y0], raw, opt)

        def eager(xb, yb):
            opt.zero_grad(set_to_none=True)
            return train_step(xb, yb)
        return eager

    if args.task != "char-gpt":
        n_train = len(ytr)
        per_rank = n_train // world
        # a CUDA graph has a fixed batch shape: the last partial batch of each epoch is dropped
        steps_per_epoch = per_rank // args.batch_size if graphs else math.ceil(per_rank / args.batch_size)
        if steps_per_epoch < 1:
            raise SystemExit(f"error: --cuda-graph needs at least one full batch ({args.batch_size}) per "
                             f"epoch; {per_rank} training samples per process")
        seen = min(per_rank, steps_per_epoch * args.batch_size)  # samples per epoch per process
        total = steps_per_epoch * args.epochs
        step_fn = None
        for epoch in range(state["epoch"], args.epochs):
            perm = torch.randperm(n_train, generator=torch.Generator().manual_seed(args.seed + epoch))
            perm = perm[rank * per_rank:(rank + 1) * per_rank].to(xtr.device)
            model.train()
            tl = torch.zeros((), device=device, dtype=torch.float64)
            tc = torch.zeros((), device=device, dtype=torch.float64)
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.time()
            bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{args.epochs}", disable=not show,
                       leave=False)
            for i in bar:
                b = perm[i * args.batch_size:(i + 1) * args.batch_size]
                xb = normalise(xtr[b].to(device, non_blocking=True), mean, std)
                if args.augment:
                    xb = augment(xb, gen)
                yb = ytr[b].to(device, non_blocking=True)
                if step_fn is None:
                    step_fn = make_step(xb, yb)
                set_lr(opt, state["step"], total, args.warmup)
                loss, logits = step_fn(xb, yb)
                state["step"] += 1
                tl += loss.detach() * len(b)
                tc += (logits.argmax(1) == yb).sum()
                if show and i % 20 == 0:
                    bar.set_postfix(loss=f"{loss.item():.3f}")
            if device.type == "cuda":
                torch.cuda.synchronize()
            dt = time.time() - t0
            state["train_time_s"] += dt
            state["samples"] += seen * world
            all_reduce_sum(tl, world)
            all_reduce_sum(tc, world)
            vl, va = evaluate_vision(raw, xte, yte, mean, std, device, 512, world, rank, amp)
            state["epoch"] = epoch + 1
            entry = {"epoch": epoch + 1, "step": state["step"], "train_loss": tl.item() / (seen * world),
                     "train_acc": tc.item() / (seen * world), "val_loss": vl, "test_acc": va,
                     "epoch_time_s": dt, "samples_per_s": seen * world / dt}
            if is_main:
                print(json.dumps(entry), flush=True)
            finish_eval(entry)
    else:
        total = args.steps
        step_fn = None
        bar = tqdm(total=total, initial=state["step"], desc="steps", disable=not show)
        while state["step"] < total:
            chunk = min(args.eval_interval, total - state["step"])
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.time()
            tl = torch.zeros((), device=device, dtype=torch.float64)
            for _ in range(chunk):
                xb, yb = corpus.batch("train", args.batch_size, args.block_size, gen)
                xb, yb = xb.to(device), yb.to(device)
                if step_fn is None:
                    step_fn = make_step(xb, yb)
                set_lr(opt, state["step"], total, args.warmup)
                loss, _ = step_fn(xb, yb)
                state["step"] += 1
                tl += loss.detach()
                bar.update(1)
                if show:
                    bar.set_postfix(loss=f"{loss.item():.3f}")
            if device.type == "cuda":
                torch.cuda.synchronize()
            dt = time.time() - t0
            state["train_time_s"] += dt
            state["samples"] += chunk * args.batch_size * world
            all_reduce_sum(tl, world)
            raw.eval()
            vl = torch.zeros((), device=device, dtype=torch.float64)
            egen = torch.Generator().manual_seed(12345 + rank)
            with torch.no_grad():
                for _ in range(args.eval_iters):
                    xb, yb = corpus.batch("val", args.batch_size, args.block_size, egen)
                    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                        _, l = raw(xb.to(device), yb.to(device))
                    vl += l.float()
            all_reduce_sum(vl, world)
            raw.train()
            entry = {"step": state["step"], "train_loss": tl.item() / (chunk * world),
                     "val_loss": vl.item() / (args.eval_iters * world), "chunk_time_s": dt,
                     "tokens_per_s": chunk * args.batch_size * args.block_size * world / dt}
            if is_main:
                print(json.dumps(entry), flush=True)
            finish_eval(entry)
        bar.close()

    if is_main:
        last = state["history"][-1] if state["history"] else {}
        summary = {
            "task": args.task, "model": args.model, "config": raw.config, "parameters": params,
            "multiplications_per_sample": mults, "device": str(device),
            "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
            "world_size": world, "torch": torch.__version__, "seed": args.seed,
            "train_time_s": state["train_time_s"],
            "train_samples_per_s": state["samples"] / state["train_time_s"] if state["train_time_s"] else None,
            "final": last, "best": state.get("best"), "command": " ".join(sys.argv),
            "cuda_graph": graphs, "teacher": args.teacher, "init_from": args.init_from,
            "preset": args.preset,
        }
        write_json(os.path.join(args.out, "summary.json"), summary)
    if world > 1:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return state


def run_distilled(args):
    """--distill-dense-twin: train (or reuse) the dense twin, then the QuWeiT model distilled from it.
    The twin's final checkpoint (``last.pt``, not the best-on-test one) is the teacher."""
    twin = dense_twin_args(args)
    done = os.path.exists(os.path.join(twin.out, "summary.json"))
    if not done:
        twin.resume = args.resume and os.path.exists(os.path.join(twin.out, "last.pt"))
        if int(os.environ.get("RANK", "0")) == 0:
            print(f"dense twin -> {twin.out}", flush=True)
        run(twin)
    student = argparse.Namespace(**vars(args))
    student.teacher = student.init_from = os.path.join(twin.out, "last.pt")
    # --resume after a stop in the twin's phase: the QuWeiT run has no checkpoint yet and starts afresh
    student.resume = args.resume and os.path.exists(os.path.join(args.out, "last.pt"))
    return run(student)


def main(argv=None):
    args = parse_args(argv)
    try:
        run_distilled(args) if args.distill_dense_twin else run(args)
    except qdata.DataMissingError as e:
        raise SystemExit(f"error: {e}")


if __name__ == "__main__":
    main()
