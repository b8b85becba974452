#!/usr/bin/env python3
"""Writes the P1 layer (bench/gen_p1_model.py, same arguments = same mapping
and tables) as hand-specialised C with AVX-512 intrinsics: the issue's
"equivalent C" for the compile-time comparison of specialised mode (P4,
docs/performance.md). Each table becomes the code quweit-emit-lut-kernels
generates: one _mm512_ternarylogic_epi64 per 3-input cofactor (immediate =
the cofactor's truth table), a mux tree (immediate 0xCA) over the higher
inputs, constant and equal cofactors folded; 16 LUTs per loop over the word
rows. The entry point has the signature of the compiled model's:

  int32_t p1_c_sliced(int64_t rows, const int64_t *in, int64_t *out);

(rows of 2048 and 8192 512-bit words). Time it with
  clang-22 -O2 -mavx512f -c p1.c
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_p1_model import add_layer_arguments, draw_layer  # noqa: E402

LUTS_PER_LOOP = 16


def lut_code(table, inputs, lines):
    """Appends the statements of one table; returns its expression."""
    memo = {}

    def build(t):
        if all(b == 0 for b in t):
            return "zero"
        if all(b == 1 for b in t):
            return "ones"
        key = tuple(t)
        if key in memo:
            return memo[key]
        if len(t) <= 8:
            imm = sum(int(t[a % len(t)]) << a for a in range(8))
            c = inputs[0]
            b = inputs[1] if len(t) >= 4 else c
            a = inputs[2] if len(t) >= 8 else c
            expr = f"_mm512_ternarylogic_epi64({a}, {b}, {c}, 0x{imm:02x})"
        else:
            half = len(t) // 2
            lo, hi = t[:half], t[half:]
            if list(lo) == list(hi):
                memo[key] = build(lo)
                return memo[key]
            x = inputs[half.bit_length() - 1]
            expr = f"_mm512_ternarylogic_epi64({x}, {build(hi)}, {build(lo)}, 0xca)"
        name = f"t{len(lines)}"
        lines.append(f"      __m512i {name} = {expr};")
        memo[key] = name
        return name

    return build(list(table))


def main():
    p = argparse.ArgumentParser()
    add_layer_arguments(p)
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    mapping, tables = draw_layer(a.inputs, a.luts, a.fan_in, a.seed)
    out = [f"// P1 layer as specialised C: bench/gen_p1_c.py --inputs {a.inputs} --luts {a.luts} "
           f"--fan-in {a.fan_in} --seed {a.seed}",
           "#include <immintrin.h>",
           "#include <stdint.h>",
           "",
           "int32_t p1_c_sliced(int64_t rows, const int64_t *in_words, int64_t *out_words) {",
           "  const __m512i *in = (const __m512i *)in_words;",
           "  __m512i *out = (__m512i *)out_words;",
           "  const __m512i zero = _mm512_setzero_si512(), ones = _mm512_set1_epi64(-1);",
           "  (void)zero; (void)ones;"]
    for first in range(0, a.luts, LUTS_PER_LOOP):
        out.append(f"  for (int64_t r = 0; r < rows; ++r) {{")
        out.append(f"    const __m512i *x = in + r * {a.inputs};")
        out.append(f"    __m512i *y = out + r * {a.luts};")
        for j in range(first, min(a.luts, first + LUTS_PER_LOOP)):
            inputs = [f"_mm512_loadu_si512(x + {c})" for c in mapping[j]]
            lines = []
            names = []
            for slot, load in enumerate(inputs):
                names.append(f"x{slot}")
                lines.append(f"      __m512i x{slot} = {load};")
            result = lut_code(tables[j], names, lines)
            out.append("    {")
            out.extend(lines)
            out.append(f"      _mm512_storeu_si512(y + {j}, {result});")
            out.append("    }")
        out.append("  }")
    out.append("  return 0;")
    out.append("}")
    with open(a.output, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
