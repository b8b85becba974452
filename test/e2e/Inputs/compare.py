"""compare.py ref_scores ref_classes got_scores got_classes: exits non-zero
unless classes agree exactly and scores agree to 1e-6 relative (they are
functions of exact counts; in practice they are bit-identical)."""
import sys

import numpy as np

ref_scores, ref_classes, scores, classes = (np.load(p) for p in sys.argv[1:5])
assert ref_scores.shape == scores.shape, (ref_scores.shape, scores.shape)
assert np.array_equal(ref_classes, classes), "classes differ"
assert np.allclose(ref_scores, scores, rtol=1e-6, atol=0), "scores differ"
print("match", scores.shape, "identical" if np.array_equal(ref_scores, scores) else "within 1e-6")
