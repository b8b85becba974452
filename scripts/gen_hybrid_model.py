#!/usr/bin/env python3
"""Writes a small hybrid QuWeiT block as MLIR - attention and LayerNorms in
linalg/tensor/arith/math, the FFN as a quweit.lut_ffn, inside a
quweit.transformer_block - plus random tokens and the block's output computed
independently with numpy (float32), for end-to-end tests of the CPU backend:

  y = h + LutFFN(LN2(h)),  h = x + Attention(LN1(x))   (one head, no biases)

  gen_hybrid_model.py --tokens 8 --width 16 --seed 0 -o block.mlir \\
      --input-npy x.npy --expected-npy y.npy
"""
import argparse
import sys

import numpy as np


def dense(array, element):
    flat = array.reshape(-1)
    if element == "f32":
        body = ", ".join(repr(float(v)) for v in flat.astype(np.float32))
    elif element == "i1":
        body = ", ".join("true" if v else "false" for v in flat)
    else:
        body = ", ".join(str(int(v)) for v in flat)
    shape = "x".join(str(d) for d in array.shape)
    # A flat literal reshaped by the type keeps the text simple.
    return f"dense<[{body}]> : tensor<{shape}x{element}>".replace(
        f"dense<[{body}]>", "dense<" + nest(array, body) + ">")


def nest(array, _body):
    return np.array2string(array, separator=", ", threshold=sys.maxsize, max_line_width=sys.maxsize,
                           floatmode="unique").replace("True", "true").replace("False", "false")


def layer_norm(x, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True, dtype=np.float32)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True, dtype=np.float32)
    return ((x - mean) / np.sqrt(var + np.float32(eps))).astype(np.float32)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tokens", type=int, default=8)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--bits", type=int, default=4)
    p.add_argument("--luts", type=int, default=96)
    p.add_argument("--fan-in", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--input-npy", required=True)
    p.add_argument("--expected-npy", required=True)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    T, D, B = a.tokens, a.width, a.bits
    w = {name: (rng.normal(size=(D, D)) / np.sqrt(D)).astype(np.float32) for name in "qkvo"}
    thresholds = np.sort(rng.normal(size=(D, B)).astype(np.float32), axis=1)
    n_in = D * B
    mapping = rng.integers(0, n_in, size=(a.luts, a.fan_in)).astype(np.int32)
    tables = rng.integers(0, 2, size=(a.luts, 1 << a.fan_in)).astype(bool)
    tau = 2.0
    x = rng.normal(size=(T, D)).astype(np.float32)

    # numpy reference, float32 throughout.
    n1 = layer_norm(x)
    q, k, v = n1 @ w["q"], n1 @ w["k"], n1 @ w["v"]
    s = (q @ k.T) * np.float32(1.0 / np.sqrt(D))
    s = np.exp(s - s.max(axis=1, keepdims=True))
    attn = (s / s.sum(axis=1, keepdims=True)) @ v @ w["o"]
    h = (x + attn).astype(np.float32)
    n2 = layer_norm(h)
    bits = (n2[:, :, None] > thresholds[None, :, :]).reshape(T, n_in)
    address = np.zeros((T, a.luts), dtype=np.int64)
    for slot in range(a.fan_in):
        address |= bits[:, mapping[:, slot]].astype(np.int64) << slot
    lut_out = tables[np.arange(a.luts)[None, :], address]
    group = -(-a.luts // D)
    padded = np.zeros((T, group * D), dtype=np.int64)
    padded[:, :a.luts] = lut_out
    counts = padded.reshape(T, D, group).sum(axis=2)
    y = (h + (counts.astype(np.float32) / np.float32(tau))).astype(np.float32)

    t = f"tensor<{T}x{D}xf32>"
    col = f"tensor<{T}x1xf32>"
    sq = f"tensor<{T}x{T}xf32>"
    ln = lambda name, src: f"""
    %{name}_sum = linalg.generic {{indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}} ins({src} : {t}) outs(%zcol : {col}) {{
    ^bb0(%a: f32, %acc: f32):
      %r = arith.addf %acc, %a : f32
      linalg.yield %r : f32
    }} -> {col}
    %{name}_c = linalg.generic {{indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}} ins({src}, %{name}_sum : {t}, {col}) outs(%ez : {t}) {{
    ^bb0(%a: f32, %s: f32, %o: f32):
      %m = arith.divf %s, %fD : f32
      %r = arith.subf %a, %m : f32
      linalg.yield %r : f32
    }} -> {t}
    %{name}_var = linalg.generic {{indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}} ins(%{name}_c : {t}) outs(%zcol : {col}) {{
    ^bb0(%a: f32, %acc: f32):
      %sq = arith.mulf %a, %a : f32
      %r = arith.addf %acc, %sq : f32
      linalg.yield %r : f32
    }} -> {col}
    %{name} = linalg.generic {{indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}} ins(%{name}_c, %{name}_var : {t}, {col}) outs(%ez : {t}) {{
    ^bb0(%a: f32, %s: f32, %o: f32):
      %m = arith.divf %s, %fD : f32
      %e = arith.addf %m, %eps : f32
      %d = math.sqrt %e : f32
      %r = arith.divf %a, %d : f32
      linalg.yield %r : f32
    }} -> {t}"""
    mm = lambda name, lhs, rhs, shape_l, shape_r, out: f"""
    %{name}_init = linalg.fill ins(%f0 : f32) outs(%e_{out[0]} : {out[1]}) -> {out[1]}
    %{name} = linalg.matmul ins({lhs}, {rhs} : {shape_l}, {shape_r}) outs(%{name}_init : {out[1]}) -> {out[1]}"""
    text = f"""// Hybrid QuWeiT block generated by scripts/gen_hybrid_model.py --seed {a.seed}.
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i, 0)>
#tr = affine_map<(i, j) -> (j, i)>
func.func @main(%x: {t}) -> {t} {{
  %y = quweit.transformer_block "block0" (%x) : ({t}) -> {t} {{
  ^bb0(%in: {t}):
    %f0 = arith.constant 0.0 : f32
    %fD = arith.constant {float(D)!r} : f32
    %eps = arith.constant 9.99999974E-6 : f32
    %scale = arith.constant {float(np.float32(1.0 / np.sqrt(D)))!r} : f32
    %ninf = arith.constant 0xFF800000 : f32
    %ez = tensor.empty() : {t}
    %e_t = tensor.empty() : {t}
    %e_s = tensor.empty() : {sq}
    %ecol = tensor.empty() : {col}
    %zcol = linalg.fill ins(%f0 : f32) outs(%ecol : {col}) -> {col}
    %wq = arith.constant {dense(w['q'], 'f32')}
    %wk = arith.constant {dense(w['k'], 'f32')}
    %wv = arith.constant {dense(w['v'], 'f32')}
    %wo = arith.constant {dense(w['o'], 'f32')}
    {ln('n1', '%in')}
    {mm('q', '%n1', '%wq', t, f'tensor<{D}x{D}xf32>', ('t', t))}
    {mm('k', '%n1', '%wk', t, f'tensor<{D}x{D}xf32>', ('t', t))}
    {mm('v', '%n1', '%wv', t, f'tensor<{D}x{D}xf32>', ('t', t))}
    %kt = linalg.transpose ins(%k : {t}) outs(%ekt : tensor<{D}x{T}xf32>) permutation = [1, 0]
    {mm('sc', '%q', '%kt', t, f'tensor<{D}x{T}xf32>', ('s', sq))}
    %ss = linalg.generic {{indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}} ins(%sc : {sq}) outs(%e_s : {sq}) {{
    ^bb0(%a: f32, %o: f32):
      %r = arith.mulf %a, %scale : f32
      linalg.yield %r : f32
    }} -> {sq}
    %minit = linalg.fill ins(%ninf : f32) outs(%ecol : {col}) -> {col}
    %smax = linalg.generic {{indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}} ins(%ss : {sq}) outs(%minit : {col}) {{
    ^bb0(%a: f32, %acc: f32):
      %r = arith.maximumf %acc, %a : f32
      linalg.yield %r : f32
    }} -> {col}
    %ex = linalg.generic {{indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}} ins(%ss, %smax : {sq}, {col}) outs(%e_s : {sq}) {{
    ^bb0(%a: f32, %m: f32, %o: f32):
      %d = arith.subf %a, %m : f32
      %r = math.exp %d : f32
      linalg.yield %r : f32
    }} -> {sq}
    %esum = linalg.generic {{indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}} ins(%ex : {sq}) outs(%zcol : {col}) {{
    ^bb0(%a: f32, %acc: f32):
      %r = arith.addf %acc, %a : f32
      linalg.yield %r : f32
    }} -> {col}
    %p = linalg.generic {{indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}} ins(%ex, %esum : {sq}, {col}) outs(%e_s : {sq}) {{
    ^bb0(%a: f32, %s: f32, %o: f32):
      %r = arith.divf %a, %s : f32
      linalg.yield %r : f32
    }} -> {sq}
    {mm('pv', '%p', '%v', sq, t, ('t', t))}
    {mm('attn', '%pv', '%wo', t, f'tensor<{D}x{D}xf32>', ('t', t))}
    %h = arith.addf %in, %attn : {t}
    {ln('n2', '%h')}
    %ffn = quweit.lut_ffn %n2 : {t} -> {t} {{
    ^bb0(%a: {t}):
      %bits = quweit.thermometer %a thresholds({dense(thresholds, 'f32')}) : {t} -> tensor<{T}x{n_in}xi1>
      %l = quweit.lut_layer %bits mapping({dense(mapping, 'i32')}) tables({dense(tables, 'i1')}) : tensor<{T}x{n_in}xi1> -> tensor<{T}x{a.luts}xi1>
      %c = quweit.group_sum %l : tensor<{T}x{a.luts}xi1> -> tensor<{T}x{D}xi32>
      %r = quweit.scale_counts %c tau({tau!r}) : tensor<{T}x{D}xi32> -> {t}
      quweit.yield %r : {t}
    }}
    %out = arith.addf %h, %ffn : {t}
    quweit.yield %out : {t}
  }}
  return %y : {t}
}}
"""
    text = text.replace("%kt = linalg.transpose", f"%ekt = tensor.empty() : tensor<{D}x{T}xf32>\n    %kt = linalg.transpose")
    with open(a.output, "w") as f:
        f.write(text)
    np.save(a.input_npy, x)
    np.save(a.expected_npy, y)


if __name__ == "__main__":
    main()
