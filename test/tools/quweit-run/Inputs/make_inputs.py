"""Writes the .npy inputs of the quweit-run tests."""
import sys

import numpy as np

out = sys.argv[1]
np.save(f"{out}/x.npy", np.array([[0.5, 2.0], [-1.0, 0.5]], dtype=np.float32))
np.save(f"{out}/x64.npy", np.array([[0.5, 2.0], [-1.0, 0.5]], dtype=np.float64))
np.save(f"{out}/wrong_width.npy", np.zeros((2, 3), dtype=np.float32))
np.save(f"{out}/ints.npy", np.zeros((2, 2), dtype=np.int32))
np.save(f"{out}/nan.npy", np.array([[np.nan, np.nan]], dtype=np.float32))
with open(f"{out}/x.npy", "rb") as f:
    data = f.read()
with open(f"{out}/truncated.npy", "wb") as f:
    f.write(data[:-3])
