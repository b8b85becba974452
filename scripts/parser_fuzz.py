#!/usr/bin/env python3
"""Targeted fuzz of the custom-form parsers of the linalg and tensor ops a
model may use (docs/reliability.md): each case takes one op of a small
function, mutates 1-3 of its tokens (replace, insert, delete; tokens that
matter to these parsers: brackets, integers past int64, keywords, types,
attributes), runs TOOL on it and reports every run that ends by a signal or
runs past 20 s (an error exit is fine). Run it on upstream mlir-opt to see
which ops' parsers crash, and on quweit-opt to check that the input checks
keep those crashes out:

  scripts/parser_fuzz.py /usr/lib/llvm-22/bin/mlir-opt 400 /tmp/pf --seed 2
  scripts/parser_fuzz.py build/bin/quweit-opt 400 /tmp/pf --seed 2

Crashing cases are kept in WORKDIR/crash-N.mlir."""
import argparse, random, subprocess, sys, os
parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("tool"); parser.add_argument("cases", type=int); parser.add_argument("workdir")
parser.add_argument("--seed", type=int, default=1)
cli = parser.parse_args()
opt, n, out = cli.tool, cli.cases, cli.workdir
os.makedirs(out, exist_ok=True)
HDR = ("func.func @f(%x: tensor<2x3xf32>, %y: tensor<3x2xf32>, %v: tensor<3xf32>, %r: tensor<2xf32>, "
       "%z: tensor<2x3xf32>, %i: tensor<2xindex>, %m: memref<2x3xf32>, %s: f32) {\n")
OPS = [
 "%0 = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%y : tensor<3x2xf32>) permutation = [1, 0]",
 "%0 = linalg.broadcast ins(%v : tensor<3xf32>) outs(%y : tensor<3x2xf32>) dimensions = [1]",
 "%0 = linalg.reduce ins(%x : tensor<2x3xf32>) outs(%r : tensor<2xf32>) dimensions = [1] (%a: f32, %b: f32) { %u = arith.addf %a, %b : f32\n linalg.yield %u : f32 }",
 "%0 = linalg.reduce { arith.addf } ins(%x : tensor<2x3xf32>) outs(%r : tensor<2xf32>) dimensions = [1]",
 "%0 = linalg.map { arith.addf } ins(%x, %z : tensor<2x3xf32>, tensor<2x3xf32>) outs(%z : tensor<2x3xf32>)",
 "%0 = linalg.map ins(%x : tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) (%a: f32) { %u = math.exp %a : f32\n linalg.yield %u : f32 }",
 "%0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = [\"parallel\", \"parallel\"]} ins(%x : tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) {\n^bb0(%a: f32, %b: f32):\n linalg.yield %a : f32 } -> tensor<2x3xf32>",
 "%0 = linalg.matmul ins(%x, %y : tensor<2x3xf32>, tensor<3x2xf32>) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>",
 "%0 = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%x, %y : tensor<2x3xf32>, tensor<3x2xf32>) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>",
 "%0 = linalg.batch_matmul ins(%b3, %c3 : tensor<1x2x3xf32>, tensor<1x3x2xf32>) outs(%d3 : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>",
 "%0 = linalg.fill ins(%s : f32) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>",
 "%0 = linalg.copy ins(%x : tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>",
 "%0 = linalg.add ins(%x, %z : tensor<2x3xf32>, tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>",
 "%0 = linalg.elementwise kind=#linalg.elementwise_kind<exp> ins(%x : tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>",
 "%0 = linalg.softmax dimension(1) ins(%x : tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>",
 "%0 = linalg.contract indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%x, %y : tensor<2x3xf32>, tensor<3x2xf32>) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>",
 "%0 = tensor.extract_slice %x[0, 1] [2, 2] [1, 1] : tensor<2x3xf32> to tensor<2x2xf32>",
 "%0 = tensor.expand_shape %x [[0, 1], [2]] output_shape [1, 2, 3] : tensor<2x3xf32> into tensor<1x2x3xf32>",
 "%0 = tensor.collapse_shape %x [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>",
 "%0 = tensor.concat dim(1) %x, %z : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>",
 "%0 = tensor.pad %x low[0, 1] high[1, 0] { ^bb0(%p: index, %q: index):\n tensor.yield %s : f32 } : tensor<2x3xf32> to tensor<3x4xf32>",
 "%0 = tensor.insert_slice %x into %z[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x3xf32>",
 "%0 = linalg.pack %x inner_dims_pos = [0] inner_tiles = [2] into %p4 : tensor<2x3xf32> -> tensor<1x3x2xf32>",
 "%0 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>",
 "%0 = tensor.generate { ^bb0(%p: index, %q: index):\n tensor.yield %s : f32 } : tensor<2x3xf32>",
]
PRE = ("  %e = tensor.empty() : tensor<2x2xf32>\n  %b3 = tensor.empty() : tensor<1x2x3xf32>\n"
       "  %c3 = tensor.empty() : tensor<1x3x2xf32>\n  %d3 = tensor.empty() : tensor<1x2x2xf32>\n"
       "  %p4 = tensor.empty() : tensor<1x3x2xf32>\n")
TOK = ["[", "]", "?", "x", "1", "-1", ",", "(", ")", "{", "}", "<", ">", ":", "=", "%x", "%s", "f32", "i1",
       "tensor<2xf32>", "tensor<?x3xf32>", "dimensions", "permutation", "ins", "outs", "->", "affine_map<(d0) -> (d0)>",
       "\"s\"", "0x", "99999999999999999999", "array<i64: 1>", "[]", "[[0]]", "index", "#linalg.elementwise_kind<add>",
       "linalg.yield", "^bb0(%a: f32):", "0", "2", "3", "memref<2x3xf32>", "%m", "vector<4xf32>", "complex<f32>", ""]
import re
random.seed(cli.seed)
bad = 0
for k in range(n):
    op = random.choice(OPS)
    toks = re.findall(r'%\w+|[A-Za-z_][\w.$]*|\d+|"[^"]*"|->|\S', op)
    for _ in range(random.randint(1, 3)):
        j = random.randrange(2, len(toks) + 1)
        kind = random.random()
        if kind < 0.4 and j < len(toks): toks[j] = random.choice(TOK)
        elif kind < 0.7: toks.insert(j, random.choice(TOK))
        elif j < len(toks): del toks[j]
    text = HDR + PRE + "  " + " ".join(toks) + "\n  return\n}\n"
    path = os.path.join(out, "case.mlir")
    open(path, "w").write(text)
    try:
        p = subprocess.run([opt, path, "-o", "/dev/null"], capture_output=True, timeout=20)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    if rc not in (0, 1):
        bad += 1
        keep = os.path.join(out, f"crash-{k}.mlir"); open(keep, "w").write(text)
        print("CRASH", rc, keep, " ".join(toks)[:200], flush=True)
print(f"{n} cases, {bad} crashes or timeouts")
sys.exit(1 if bad else 0)
