"""make_hostile.py DIR: writes the generated inputs of limits.test (files too
large or too repetitive to check in)."""
import os
import sys

out = sys.argv[1]


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


def nested_regions(depth):
    # Every block ends in a terminator, so that the valid depths verify.
    return ("func.func @f() {\n" + "  scf.execute_region {\n" * depth + "  scf.yield\n" +
            "  }\n  scf.yield\n" * (depth - 1) + "  }\n  return\n}\n")


# 100000 nested regions: upstream mlir-opt overflows its stack on this.
write("deep-regions.mlir", nested_regions(100000))
# 300 nested modules (a dialect every tool knows): past the limit, for the
# bytecode test.
write("deep-300.mlir", "module {\n" * 300 + "}\n" * 300)
# 200 nested regions: deep but allowed.
write("deep-200.mlir", nested_regions(200))
# 100000 nested array attributes.
write("deep-attribute.mlir", "func.func @f() attributes {a = " + "[" * 100000 + "]" * 100000 +
      "} {\n  return\n}\n")
# Brackets in comments and strings nest nothing.
write("brackets-in-comments.mlir", "// " + "{" * 1000 + "\nfunc.func @f() attributes {s = \"" +
      "(" * 1000 + "\"} {\n  return\n}\n")
