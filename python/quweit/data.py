"""Data sets: Fashion-MNIST (idx files, Debian package dataset-fashion-mnist), CIFAR-10 (binary
version, user-supplied) and a character corpus of the King James Bible (Debian package bible-kjv)."""
from __future__ import annotations

import gzip
import os
import shutil
import struct
import subprocess

import numpy as np
import torch

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)


class DataMissingError(FileNotFoundError):
    """A data file is missing; the message says which package or download provides it."""


def _open_maybe_gz(path: str):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_idx(path: str) -> np.ndarray:
    """Read an idx file (uint8 data, as MNIST's), gzipped or not."""
    with _open_maybe_gz(path) as f:
        head = f.read(4)
        if len(head) != 4 or head[0] != 0 or head[1] != 0:
            raise ValueError(f"{path}: not an idx file (bad magic {head!r})")
        if head[2] != 0x08:
            raise ValueError(f"{path}: only unsigned-byte idx files are supported (type 0x{head[2]:02x})")
        ndim = head[3]
        dims = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        data = f.read()
    expected = int(np.prod(dims)) if dims else 1
    if len(data) != expected:
        raise ValueError(f"{path}: truncated idx file: {len(data)} bytes of data, expected {expected}")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def _find(directory: str, stem: str) -> str | None:
    for name in (stem, stem + ".gz"):
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return p
    return None


def load_fashion_mnist(split: str = "train", root: str | None = None):
    """Return ``(images uint8 [N, 28, 28], labels int64 [N])`` as torch tensors."""
    root = root or os.environ.get("QUWEIT_FASHION_MNIST", FASHION_MNIST_DIR)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    paths = [_find(root, f"{prefix}-images-idx3-ubyte"), _find(root, f"{prefix}-labels-idx1-ubyte")]
    if None in paths:
        raise DataMissingError(
            f"Fashion-MNIST {split} files ({prefix}-images-idx3-ubyte[.gz], {prefix}-labels-idx1-ubyte[.gz]) "
            f"not found in {root}: install the Debian package 'dataset-fashion-mnist' "
            f"(sudo apt-get install dataset-fashion-mnist) or point --data-dir / QUWEIT_FASHION_MNIST at them")
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"Fashion-MNIST files in {root} have inconsistent shapes "
                         f"{images.shape} and {labels.shape}")
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


CIFAR_RECORD = 1 + 3 * 32 * 32


def read_cifar10_bin(path: str):
    """Read one CIFAR-10 binary batch: records of 1 label byte + 3072 bytes (R, G, B planes, 32x32)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) == 0 or len(raw) % CIFAR_RECORD:
        raise ValueError(f"{path}: size {len(raw)} is not a multiple of the CIFAR-10 record size {CIFAR_RECORD}")
    a = np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    labels = a[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"{path}: label {labels.max()} out of range 0..9: not a CIFAR-10 file")
    return torch.from_numpy(a[:, 1:].reshape(-1, 3, 32, 32).copy()), torch.from_numpy(labels)


def load_cifar10(split: str = "train", root: str | None = None):
    """Return ``(images uint8 [N, 3, 32, 32], labels int64 [N])`` from the binary version of CIFAR-10
    (data_batch_1..5.bin, test_batch.bin), e.g. the extracted cifar-10-binary.tar.gz."""
    root = root or os.environ.get("QUWEIT_CIFAR10", "data/cifar-10-batches-bin")
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    found = [os.path.join(root, n) for n in names if os.path.exists(os.path.join(root, n))]
    if not found:
        raise DataMissingError(
            f"CIFAR-10 binary files ({', '.join(names)}) not found in {root}. CIFAR-10 is not packaged "
            f"in Debian: download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, "
            f"extract it and pass --data-dir (or set QUWEIT_CIFAR10)")
    parts = [read_cifar10_bin(p) for p in found]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def load_bible_text(cache: str | None = None) -> str:
    """The King James Bible as plain text, from the ``bible`` program of the Debian package bible-kjv.
    ``cache`` (default ``$QUWEIT_BIBLE_TEXT``): a plain-text copy read instead when it exists, and
    written when it does not (for machines without the package, copy that file there)."""
    cache = cache or os.environ.get("QUWEIT_BIBLE_TEXT") or None
    if cache and os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            return f.read()
    exe = shutil.which("bible")
    if exe is None:
        raise DataMissingError("the 'bible' program was not found: install the Debian packages "
                               "'bible-kjv' and 'bible-kjv-text' (sudo apt-get install bible-kjv)")
    res = subprocess.run([exe, "Gen1:1-Rev22:21"], capture_output=True, text=True, check=False)
    if res.returncode != 0 or len(res.stdout) < 1000:
        raise DataMissingError(f"'bible Gen1:1-Rev22:21' failed (exit {res.returncode}): "
                               f"reinstall the Debian packages 'bible-kjv' and 'bible-kjv-text'")
    if cache:
        os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
        with open(cache, "w", encoding="utf-8") as f:
            f.write(res.stdout)
    return res.stdout


class CharCorpus:
    """Character-level corpus: a sorted vocabulary and the text as int64 ids, split train/val."""

    def __init__(self, text: str, val_fraction: float = 0.1):
        if len(text) < 2:
            raise ValueError("corpus text is too short")
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}
        ids = torch.tensor([self.stoi[c] for c in text], dtype=torch.int64) if len(text) < 10000 else \
            torch.from_numpy(np.vectorize(self.stoi.__getitem__, otypes=[np.int64])(np.array(list(text))))
        n_val = int(len(ids) * val_fraction)
        self.train, self.val = ids[: len(ids) - n_val], ids[len(ids) - n_val:]

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, s: str) -> torch.Tensor:
        try:
            return torch.tensor([self.stoi[c] for c in s], dtype=torch.int64)
        except KeyError as e:
            raise ValueError(f"character {e.args[0]!r} is not in the corpus vocabulary") from None

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def batch(self, split: str, batch_size: int, block_size: int, generator=None):
        data = self.train if split == "train" else self.val
        if len(data) <= block_size + 1:
            raise ValueError(f"{split} split ({len(data)} chars) is shorter than block_size + 1")
        ix = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
        x = torch.stack([data[i: i + block_size] for i in ix.tolist()])
        y = torch.stack([data[i + 1: i + 1 + block_size] for i in ix.tolist()])
        return x, y
