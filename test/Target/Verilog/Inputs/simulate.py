#!/usr/bin/env python3
"""Simulates an emitted module on every input row and compares its counts
with the reference evaluator's.

  simulate.py --verilog m.sv --interface m.json --inputs x.npy --expected counts.npy
              [--frac-bits F] [--simulator verilator|iverilog] --workdir DIR

Inputs are the reference model's inputs: i1 thermometer bits (ports mode) or
f32 features that are exact fixed-point values (comparators mode, converted
back to their integer codes). Writes a self-checking SystemVerilog testbench
that applies one row per clock (or per time step when combinational), waits
the module's latency, and reports mismatches; exits non-zero on any."""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--verilog", required=True)
    p.add_argument("--interface", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--frac-bits", type=int, default=0)
    p.add_argument("--simulator", default="verilator")
    p.add_argument("--workdir", required=True)
    p.add_argument("--extra", action="append", default=[], help="more Verilog sources (primitive models)")
    a = p.parse_args()
    iface = json.load(open(a.interface))["modules"][0]
    x = np.load(a.inputs)
    expected = np.load(a.expected)
    rows = x.shape[0]
    inputs = [p for p in iface["inputs"] if p["name"] not in ("in_valid", "out_ready")]
    outputs = iface["outputs"]
    latency = iface["latency_cycles"]
    clocked = iface["clocked"]
    os.makedirs(a.workdir, exist_ok=True)

    # One hex line per row and port.
    def write_vectors(name, columns):
        with open(os.path.join(a.workdir, name), "w") as f:
            for row in range(rows):
                f.write(" ".join(columns(row)) + "\n")

    def port_values(row):
        if len(inputs) == 1 and inputs[0]["name"] == "bits":
            bits = x[row].astype(np.uint8)
            value = 0
            for i, b in enumerate(bits):
                value |= int(b) << i
            return [value]
        codes = np.round(x[row].astype(np.float64) * (1 << a.frac_bits)).astype(np.int64)
        assert np.all(codes / float(1 << a.frac_bits) == x[row]), "inputs are not fixed-point values"
        return [int(c) & ((1 << inputs[i]["width"]) - 1) for i, c in enumerate(codes)]

    if iface.get("handshake") == "valid/ready":
        return handshake(a, iface, x, expected, port_values)

    lines = []
    lines.append("module tb;")
    if clocked:
        lines.append("  logic clk = 0, rst = 1;")
    for port in inputs:
        lines.append(f"  logic [{port['width'] - 1}:0] {port['name']};")
    for port in outputs:
        lines.append(f"  logic [{port['width'] - 1}:0] {port['name']};")
    conns = (["clk", "rst"] if clocked else []) + [p["name"] for p in inputs + outputs]
    lines.append(f"  {iface['module']} dut(" + ", ".join(f".{c}({c})" for c in conns) + ");")
    for port in inputs:
        lines.append(f"  logic [{port['width'] - 1}:0] in_{port['name']} [0:{rows - 1}];")
    for port in outputs:
        lines.append(f"  logic [{port['width'] - 1}:0] exp_{port['name']} [0:{rows - 1}];")
    lines.append("  integer errors = 0, row, k;")
    lines.append("  initial begin")
    for port in inputs:
        lines.append(f'    $readmemh("{a.workdir}/in_{port["name"]}.hex", in_{port["name"]});')
    for port in outputs:
        lines.append(f'    $readmemh("{a.workdir}/exp_{port["name"]}.hex", exp_{port["name"]});')
    if clocked:
        lines.append("    #1 clk = 1; #1 clk = 0; rst = 0;")
    lines.append(f"    for (row = 0; row < {rows + latency}; row = row + 1) begin")
    lines.append(f"      if (row < {rows}) begin")
    for port in inputs:
        lines.append(f"        {port['name']} = in_{port['name']}[row];")
    lines.append("      end")
    if clocked:
        lines.append("      #1 clk = 1; #1 clk = 0;")
    else:
        lines.append("      #1;")
    # The row applied `latency` cycles ago is at the outputs now.
    lines.append(f"      k = row - {max(latency - 1, 0) if clocked else 0};")
    lines.append(f"      if (k >= 0 && k < {rows}) begin")
    for port in outputs:
        n = port["name"]
        lines.append(f"        if ({n} !== exp_{n}[k]) begin errors = errors + 1; "
                     f"if (errors < 10) $display(\"row %0d {n}: got %0d expected %0d\", k, {n}, exp_{n}[k]); end")
    lines.append("      end")
    lines.append("    end")
    lines.append(f'    if (errors == 0) $display("SIMULATION PASSED: {rows} rows");')
    lines.append('    else $display("SIMULATION FAILED: %0d mismatches", errors);')
    lines.append("    $finish;")
    lines.append("  end")
    lines.append("endmodule")
    with open(os.path.join(a.workdir, "tb.sv"), "w") as f:
        f.write("\n".join(lines) + "\n")

    values = [port_values(r) for r in range(rows)]
    for i, port in enumerate(inputs):
        with open(os.path.join(a.workdir, f"in_{port['name']}.hex"), "w") as f:
            for r in range(rows):
                f.write(format(values[r][i], "x") + "\n")
    for g, port in enumerate(outputs):
        with open(os.path.join(a.workdir, f"exp_{port['name']}.hex"), "w") as f:
            for r in range(rows):
                f.write(format(int(expected[r, g]), "x") + "\n")

    tb = os.path.join(a.workdir, "tb.sv")
    if a.simulator == "verilator":
        # The C++ build dominates (the runs are tiny): compile without
        # optimisation, and through ccache when there is one.
        build = ["verilator", "--binary", "--timing", "-Wno-fatal", "--top-module", "tb",
                 "-MAKEFLAGS", "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0",
                 "-Mdir", os.path.join(a.workdir, "obj"), "-o", "sim", tb, a.verilog] + a.extra
        if shutil.which("ccache"):
            os.environ.setdefault("OBJCACHE", "ccache")
        run = [os.path.join(a.workdir, "obj", "sim")]
    else:
        exe = os.path.join(a.workdir, "sim.vvp")
        build = ["iverilog", "-g2012", "-o", exe, tb, a.verilog] + a.extra
        run = ["vvp", "-n", exe]
    subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    print(out.strip())
    return 0 if "SIMULATION PASSED" in out else 1


def handshake(a, iface, x, expected, port_values):
    """Streams every row through the valid/ready interface with random input
    gaps and random output back-pressure, and checks that the outputs come
    out in order: the counts and the argmax (lowest index on ties)."""
    rows = x.shape[0]
    data_in = [p for p in iface["inputs"] if p["name"] not in ("in_valid", "out_ready")]
    counts = [p for p in iface["outputs"] if p["name"].startswith("count")]
    classes = np.argmax(expected, axis=1)  # numpy: first (lowest) index among maxima
    values = [port_values(r) for r in range(rows)]
    L = ["module tb;", "  logic clk = 0, rst = 1, in_valid = 0, out_ready = 0, in_ready, out_valid;"]
    for port in data_in + iface["outputs"]:
        if port["name"] in ("in_ready", "out_valid"):
            continue
        L.append(f"  logic [{port['width'] - 1}:0] {port['name']};")
    conns = ["clk", "rst"] + [p["name"] for p in iface["inputs"] + iface["outputs"]]
    L.append(f"  {iface['module']} dut(" + ", ".join(f".{c}({c})" for c in conns) + ");")
    for i, port in enumerate(data_in):
        L.append(f"  logic [{port['width'] - 1}:0] v_{port['name']} [0:{rows - 1}];")
    for port in counts:
        L.append(f"  logic [{port['width'] - 1}:0] e_{port['name']} [0:{rows - 1}];")
    L.append(f"  integer e_class [0:{rows - 1}];")
    L.append("  integer sent = 0, got = 0, errors = 0, cycle = 0, seed = 7;")
    L.append("  initial begin")
    for r in range(rows):
        for i, port in enumerate(data_in):
            L.append(f"    v_{port['name']}[{r}] = {port['width']}'h{values[r][i]:x};")
        for g, port in enumerate(counts):
            L.append(f"    e_{port['name']}[{r}] = {int(expected[r, g])};")
        L.append(f"    e_class[{r}] = {int(classes[r])};")
    L.append("    #1 clk = 1; #1 clk = 0; rst = 0;")
    L.append(f"    while (got < {rows} && cycle < {rows * 8 + 100}) begin")
    L.append("      // Random gaps on the input, random back-pressure on the output.")
    L.append(f"      in_valid = (sent < {rows}) && ($urandom(seed) % 4 != 0); seed = seed + 1;")
    L.append("      out_ready = ($urandom(seed) % 3 != 0); seed = seed + 1;")
    L.append(f"      if (sent < {rows}) begin")
    for port in data_in:
        L.append(f"        {port['name']} = v_{port['name']}[sent];")
    L.append("      end")
    L.append("      #1;")
    L.append("      if (out_valid && out_ready) begin")
    for port in counts:
        n = port["name"]
        L.append(f"        if ({n} !== e_{n}[got]) begin errors = errors + 1; "
                 f"$display(\"sample %0d {n}: got %0d expected %0d\", got, {n}, e_{n}[got]); end")
    L.append("        if (class_index !== e_class[got]) begin errors = errors + 1; "
             "$display(\"sample %0d class: got %0d expected %0d\", got, class_index, e_class[got]); end")
    L.append("        got = got + 1;")
    L.append("      end")
    L.append("      if (in_valid && in_ready) sent = sent + 1;")
    L.append("      clk = 1; #1 clk = 0; cycle = cycle + 1;")
    L.append("    end")
    L.append(f"    if (errors == 0 && got == {rows}) $display(\"SIMULATION PASSED: {rows} rows\");")
    L.append("    else $display(\"SIMULATION FAILED: %0d mismatches, %0d outputs\", errors, got);")
    L.append("    $finish;")
    L.append("  end")
    L.append("endmodule")
    tb = os.path.join(a.workdir, "tb.sv")
    with open(tb, "w") as f:
        f.write("\n".join(L) + "\n")
    exe = os.path.join(a.workdir, "sim.vvp")
    subprocess.run(["iverilog", "-g2012", "-o", exe, tb, a.verilog] + a.extra, check=True)
    out = subprocess.run(["vvp", "-n", exe], check=True, capture_output=True, text=True).stdout
    print(out.strip())
    return 0 if "SIMULATION PASSED" in out else 1


if __name__ == "__main__":
    sys.exit(main())
