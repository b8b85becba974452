#!/usr/bin/env python3
"""Writes an independent 'gold' Verilog model of a small quweit network
straight from its tables - each LUT as a case statement on its mapped input
bits, each group count as a plain sum - for formal equivalence checks of the
compiler's output. It shares nothing with the compiler: it reads the model's
MLIR text (inline dense attributes, as scripts/gen_random_model.py writes them
without --resources) and the port widths from the interface JSON.

  gold_verilog.py model.mlir main.json -o gold.v
"""
import argparse
import json
import re

import numpy as np


def parse_dense(text):
    body = text.replace("true", "1").replace("false", "0")
    return np.array(eval(body))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("interface")
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    text = open(a.model).read()
    iface = json.load(open(a.interface))["modules"][0]
    layers = []
    for m in re.finditer(r"quweit.lut_layer %\w+ mapping\(dense<(.*?)> : tensor<[^>]*>\) "
                         r"tables\(dense<(.*?)> : tensor<[^>]*>\)", text, re.S):
        layers.append((parse_dense(m.group(1)), parse_dense(m.group(2))))
    groups = int(re.search(r"quweit.group_sum %\w+ : tensor<\?x(\d+)xi1> -> tensor<\?x(\d+)x", text).group(2))
    width_in = iface["inputs"][0]["width"]
    out = [f"module gold(input [{width_in - 1}:0] bits, "
           + ", ".join(f"output [{o['width'] - 1}:0] {o['name']}" for o in iface["outputs"]) + ");"]
    prev = "bits"
    for k, (mapping, tables) in enumerate(layers):
        mapping = mapping.reshape(tables.shape[0], -1)
        m, n = mapping.shape
        out.append(f"  reg [{m - 1}:0] v{k};")
        out.append("  integer a" + str(k) + ";")
        out.append("  always @* begin")
        for j in range(m):
            addr = " + ".join(f"({prev}[{int(mapping[j, l])}] << {l})" for l in range(n))
            out.append(f"    a{k} = {addr};")
            out.append(f"    case (a{k})")
            for address in range(1 << n):
                out.append(f"      {address}: v{k}[{j}] = 1'b{int(tables[j, address])};")
            out.append(f"      default: v{k}[{j}] = 1'b0;")
            out.append("    endcase")
        out.append("  end")
        prev = f"v{k}"
    bits = layers[-1][1].shape[0]
    size = -(-bits // groups)
    for g, port in enumerate(iface["outputs"]):
        members = [f"{prev}[{i}]" for i in range(g * size, min((g + 1) * size, bits))]
        terms = " + ".join(f"{port['width']}'d0 + {m}" for m in members) if members else f"{port['width']}'d0"
        out.append(f"  assign {port['name']} = {terms};")
    out.append("endmodule")
    open(a.output, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
