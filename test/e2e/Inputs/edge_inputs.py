"""Rewrites a gen_random_model.py input so that about a fifth of its values sit
on the thermometer's edges (NaN, +-Inf, -0.0, values equal to a threshold), as
scripts/difftest.py does:  edge_inputs.py SEED FEATURES BITS in.npy out.npy"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
from difftest import hostile_inputs  # noqa: E402


def main():
    seed, features, bits = (int(a) for a in sys.argv[1:4])
    args = type("Args", (), {"seed": seed, "features": features, "bits": bits})
    x = np.load(sys.argv[4])
    np.save(sys.argv[5], hostile_inputs(x, args, np.random.default_rng(seed)))


if __name__ == "__main__":
    main()
