#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/) from the lit tests.

  fuzz_corpus.py OUT_DIR [--quweit-opt build/bin/quweit-opt]

Every .mlir file under test/ (Inputs included) is split at '// -----' like
--split-input-file does, comment lines dropped; each part becomes a seed of
every target (fuzz-evaluate then runs it on zero inputs). Parts that verify are also written as bytecode
(with quweit-opt --emit-bytecode) so that the bytecode reader is fuzzed from
valid files. Small random models of scripts/gen_random_model.py, followed by
the '#inputs#' marker and random bytes, seed fuzz-evaluate. Output:
OUT_DIR/{fuzz-parse,fuzz-pipelines,fuzz-evaluate}/<name>.
"""
import argparse
import hashlib
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gen_random_model  # noqa: E402

MARKER = b"\n#inputs#\n"
MAX_SEED_BYTES = 16384  # scripts/fuzz.sh runs with -max_len=16384


def lit_parts():
    for directory, _, files in sorted(os.walk(os.path.join(ROOT, "test"))):
        for name in sorted(files):
            if not name.endswith(".mlir"):
                continue
            with open(os.path.join(directory, name), "rb") as f:
                text = f.read()
            for part in text.split(b"// -----"):
                lines = [line for line in part.splitlines() if not line.lstrip().startswith(b"//")]
                body = b"\n".join(lines).strip() + b"\n"
                if len(body) > 1 and len(body) <= MAX_SEED_BYTES:
                    yield body


def random_models(count):
    for seed in range(count):
        rng = np.random.default_rng(seed)
        args = SimpleNamespace(
            features=int(rng.integers(1, 4)), bits=int(rng.integers(1, 4)), layers=str(int(rng.integers(1, 9))),
            fan_in=int(rng.integers(1, 7)), groups=1, tau=2.0, batch=2, seed=seed, degenerate=0.3,
            bits_input=seed % 3 == 1, counts_output=seed % 3 != 0, scores_output=False, fixed_point=0, resources=seed % 2 == 1)
        text, _ = gen_random_model.generate(args)
        yield text.encode() + MARKER + rng.integers(0, 256, size=64, dtype=np.uint8).tobytes()


def write(directory, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--quweit-opt", default=os.path.join(ROOT, "build", "bin", "quweit-opt"))
    opts = parser.parse_args()
    counts = {"text": 0, "bytecode": 0, "models": 0}
    for part in lit_parts():
        for target in ("fuzz-parse", "fuzz-pipelines", "fuzz-evaluate"):
            write(os.path.join(opts.out, target), part)
        counts["text"] += 1
        if os.path.exists(opts.quweit_opt):
            p = subprocess.run([opts.quweit_opt, "-", "--emit-bytecode", "-o", "-"], input=part,
                               capture_output=True)
            if p.returncode == 0 and len(p.stdout) <= MAX_SEED_BYTES:
                write(os.path.join(opts.out, "fuzz-parse"), p.stdout)
                counts["bytecode"] += 1
    for model in random_models(24):
        write(os.path.join(opts.out, "fuzz-evaluate"), model)
        write(os.path.join(opts.out, "fuzz-pipelines"), model.split(MARKER)[0])
        counts["models"] += 1
    print(f"fuzz_corpus: {counts['text']} text parts, {counts['bytecode']} bytecode files, "
          f"{counts['models']} random models -> {opts.out}")


if __name__ == "__main__":
    main()
