"""Writes models that use linalg.transpose, linalg.broadcast and linalg.reduce
in their custom form, with a well-formed or malformed integer list, and the
generic-form models (invalid lists, missing attributes) that linalg-lists.test
turns into bytecode. MLIR 22's custom parsers of these three ops crash on any
malformed list (docs/reliability.md)."""
import os
import sys

out = sys.argv[1]

HEADER = ("func.func @main(%x: tensor<2x3xf32>, %y: tensor<3x2xf32>, "
          "%v: tensor<3xf32>, %r: tensor<2xf32>) -> tensor<3x2xf32> {\n")
FOOTER = "  return %y : tensor<3x2xf32>\n}\n"
TRANSPOSE = ("  %t = linalg.transpose ins(%x : tensor<2x3xf32>) "
             "outs(%y : tensor<3x2xf32>) permutation = {}\n")
BROADCAST = ("  %b = linalg.broadcast ins(%v : tensor<3xf32>) "
             "outs(%y : tensor<3x2xf32>) dimensions = {}\n")
REDUCE = ("  %s = linalg.reduce ins(%x : tensor<2x3xf32>) outs(%r : tensor<2xf32>) "
          "dimensions = {} (%a: f32, %b: f32) {{\n"
          "    %u = arith.addf %a, %b : f32\n    linalg.yield %u : f32\n  }}\n")
REDUCE_SHORT = ("  %s = linalg.reduce {{ arith.addf }} ins(%x : tensor<2x3xf32>) "
                "outs(%r : tensor<2xf32>) dimensions = {}\n")
REGION = "({^bb0(%a: f32, %b: f32): linalg.yield %a : f32})"

models = {
    "transpose-ok": TRANSPOSE.format("[1, 0]"),
    "broadcast-ok": BROADCAST.format("[1]"),
    "reduce-ok": REDUCE.format("[1]"),
    # Each of these crashed quweit-opt, quweit-run and quweit-compile (SEGV).
    "transpose-bad": TRANSPOSE.format("[1? 0]"),  # the fuzz-evaluate crash
    "transpose-huge": TRANSPOSE.format("[99999999999999999999, 0]"),
    "broadcast-bad": BROADCAST.format("quweit.lut_layer"),  # fuzz-pipelines
    "reduce-bad": REDUCE.format("[x]"),
    "reduce-short-bad": REDUCE_SHORT.format("[1.0]"),
    # Well-formed lists of wrong values: the verifiers' job.
    "transpose-invalid": TRANSPOSE.format("[5, 7]"),
    # Generic form: the checked attribute parser; for bytecode.
    "generic-transpose-invalid":
        '  %t = "linalg.transpose"(%x, %y) <{permutation = array<i64: 5, 7>}> '
        + REGION + " : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>\n",
    "generic-transpose-short":
        '  %t = "linalg.transpose"(%x, %y) <{permutation = array<i64: 0>}> '
        + REGION + " : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>\n",
    "generic-transpose-missing":
        '  %t = "linalg.transpose"(%x, %y) ' + REGION
        + " : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>\n",
    "generic-transpose-no-region":
        '  %t = "linalg.transpose"(%x, %y) <{permutation = array<i64: 1, 0>}> '
        ": (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>\n",
    "generic-broadcast-invalid":
        '  %b = "linalg.broadcast"(%v, %y) <{dimensions = array<i64: 9, 9>}> '
        + REGION + " : (tensor<3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>\n",
    "generic-reduce-invalid":
        '  %s = "linalg.reduce"(%x, %r) <{dimensions = array<i64: -1>}> '
        + REGION + " : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2xf32>\n",
}
for name, body in models.items():
    with open(os.path.join(out, name + ".mlir"), "w") as f:
        f.write(HEADER + body + FOOTER)
