#!/usr/bin/env python3
"""Writes the P1 benchmark model of docs/performance.md: one LUT layer
(N input bits, M LUTs, fan-in n, random mapping and tables) as two entry
points on packed words, so that the benchmark measures LUT evaluation and not
bit packing:
  @sliced: tensor<?xNxiW> -> tensor<?xMxiW>        (batch_sliced, W samples per word)
  @packed: tensor<?x(N/64)xi64> -> tensor<?x(M/64)xi64> (feature_packed, one sample per row)
--entry sliced or --entry packed writes only that entry point (P4 compiles
one bit-sliced layer of M LUTs, and compares the specialised mode with
bench/gen_p1_c.py on it: --entry sliced); --entry both (default) writes both,
sharing mapping and tables.
"""
import argparse

import numpy as np


def blob(name, array, dtype, align):
    data = np.ascontiguousarray(array).astype(dtype).tobytes()
    return f'      {name}: "0x{(align.to_bytes(4, "little") + data).hex().upper()}"'


def draw_layer(inputs, luts, fan_in, seed):
    """The layer's random mapping (luts x fan_in) and tables (luts x 2^fan_in);
    bench/gen_p1_c.py draws the same layer for the same arguments."""
    rng = np.random.default_rng(seed)
    mapping = rng.integers(0, inputs, size=(luts, fan_in)).astype(np.int32)
    tables = rng.integers(0, 2, size=(luts, 1 << fan_in)).astype(np.uint8)
    return mapping, tables


def add_layer_arguments(p):
    """The layer's shape and seed, shared with gen_p1_c.py (same layer)."""
    p.add_argument("--inputs", type=int, default=2048)
    p.add_argument("--luts", type=int, default=8192)
    p.add_argument("--fan-in", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)


def main():
    p = argparse.ArgumentParser()
    add_layer_arguments(p)
    p.add_argument("--word-bits", type=int, default=512,
                   help="bits per bit-sliced word (64..512; 512 = one AVX-512 register)")
    p.add_argument("--entry", choices=("both", "sliced", "packed"), default="both",
                   help="entry points to write (default: both)")
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    n, m, k = a.inputs, a.luts, a.fan_in
    mapping, tables = draw_layer(n, m, k, a.seed)
    attrs = (f"mapping(dense_resource<p1_mapping> : tensor<{m}x{k}xi32>) "
             f"tables(dense_resource<p1_tables> : tensor<{m}x{1 << k}xi1>)")
    nw, mw = -(-n // 64), -(-m // 64)
    w = a.word_bits
    sliced = f"""func.func @sliced(%w: tensor<?x{n}xi{w}>) -> tensor<?x{m}xi{w}> {{
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs({n}) {attrs} : tensor<?x{n}xi{w}> -> tensor<?x{m}xi{w}>
  return %y : tensor<?x{m}xi{w}>
}}
"""
    packed = f"""func.func @packed(%w: tensor<?x{nw}xi64>) -> tensor<?x{mw}xi64> {{
  %y = quweit.packed_lut_layer %w layout(<feature_packed>) num_inputs({n}) {attrs} : tensor<?x{nw}xi64> -> tensor<?x{mw}xi64>
  return %y : tensor<?x{mw}xi64>
}}
"""
    functions = (sliced if a.entry != "packed" else "") + (packed if a.entry != "sliced" else "")
    text = f"""// P1 benchmark model: bench/gen_p1_model.py --inputs {n} --luts {m} --fan-in {k} --seed {a.seed} --word-bits {w} --entry {a.entry}
{functions}{{-#
  dialect_resources: {{
    builtin: {{
{blob("p1_mapping", mapping, "<i4", 4)},
{blob("p1_tables", tables, np.uint8, 1)}
    }}
  }}
#-}}
"""
    open(a.output, "w").write(text)


if __name__ == "__main__":
    main()
