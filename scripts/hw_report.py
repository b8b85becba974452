#!/usr/bin/env python3
"""Hardware report for a quweit model: converts it to lutarray, emits
SystemVerilog, synthesizes it with Yosys, and prints LUTs, registers, carry
cells and logic depth next to the ideal and to the pre-synthesis estimate,
as text and (with --json) JSON.

  scripts/hw_report.py model.mlir [--flow xilinx|ice40] [--pipeline-every K]
                       [--conversion "thermometer=ports"] [--json report.json]

Ideal (xilinx only): one LUT6 per LUT cell of the network (tables of fan-in <= 6)
plus what synth_xilinx needs for the group sums synthesized alone (same
group-sum mode).

Estimate, from the lutarray IR without synthesis (estimate() below), for the
flow's LUT size K (6: xilinx, 4: ice40): one LUT per LUT cell of at most K
inputs (ice40: see LUT4_COST for wider cells), ceil((W - 1) / (K - 1)) per
W-bit comparator (a chain of LUTs each taking K - 1 more bits); an adder
whose combinational cone reads at most K bits is absorbed into one LUT per
output bit of the largest such adder (each output bit is a function of <= K
inputs), any other adder costs one LUT per output bit (its carry chain). Registers: the IR's register bits.
Depth: LUT levels along the longest path between registers, counting a LUT
cell, a comparator and every adder that is not absorbed as one level.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tool(name):
    build = os.environ.get("QUWEIT_BUILD_DIR", os.path.join(ROOT, "build"))
    return os.path.join(build, "bin", name)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def synthesize(verilog, top, flow, workdir):
    script = (f"read_verilog -sv {verilog}; synth_{flow} -top {top}; "
              f"tee -o {workdir}/stat.txt stat; tee -o {workdir}/ltp.txt ltp -noff")
    start = time.time()
    run(["yosys", "-q", "-p", script])
    seconds = time.time() - start
    stat = open(f"{workdir}/stat.txt").read()
    cells = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\S+)\s+(\d+)\s*$", stat, re.M)}
    ltp = open(f"{workdir}/ltp.txt").read()
    depth = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", ltp)
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"(LUT[1-6]|SB_LUT4)", k))
    regs = sum(v for k, v in cells.items() if re.match(r"(FD|SB_DFF)", k))
    carry = sum(v for k, v in cells.items() if k.startswith(("CARRY", "SB_CARRY")))
    muxf = sum(v for k, v in cells.items() if k.startswith("MUXF"))
    return {"luts": luts, "registers": regs, "carry_cells": carry, "muxf": muxf,
            "depth_cells": int(depth.group(1)) if depth else None,
            "yosys_seconds": round(seconds, 1), "cells": cells}


OP = re.compile(r"^\s*%(\S+) = lutarray\.(\w+) ([^{:]*)(?:\{[^}]*\})?\s*(?::\s*(.*))?$")


# LUT4s per LUT cell of k inputs on ice40 (no wide-function multiplexers):
# k <= 4 fit one; 5 inputs are two LUT4 cofactors and a LUT3 multiplexer; 6
# inputs cost 5 on average (measured: 350 SB_LUT4 for the 70 random LUT6 of
# the docs/hardware.md example, after ABC's sharing).
LUT4_COST = {5: 3, 6: 5}


def estimate(text, lut_size=6):
    """LUTs, register bits and logic depth estimated from lutarray IR text, for
    LUTs of `lut_size` inputs (6: xilinx, 4: ice40)."""
    ops = {}  # value -> (kind, operands, width)
    for line in text.splitlines():
        m = OP.match(line)
        if not m:
            continue
        name, kind, operands, types = m.groups()
        # The printed type of extract and gt is their input's; their result is one bit.
        bit = kind in ("lut", "gt", "ugt", "extract", "not", "or") or not types
        width = 1 if bit else int(re.findall(r"i(\d+)", types)[-1])
        if kind == "gt":  # comparator against a constant: its input's width instead
            width = int(re.findall(r"i(\d+)", types)[-1])
        ops[name] = (kind, re.findall(r"%([\w#]+)", operands), width)

    def width_of(v):
        return ops[v][2] if v in ops and ops[v][0] != "gt" else 1

    inbits = {}

    def cone_bits(v):  # input bits of the adder cone rooted at v (through adds only)
        if v not in ops or ops[v][0] != "add":
            return width_of(v)
        if v not in inbits:
            inbits[v] = sum(cone_bits(o) for o in ops[v][1])
        return inbits[v]

    absorbed = set()  # adds feeding a <= 6-bit adder cone: part of its LUTs
    for v, (kind, operands, _) in ops.items():
        if kind == "add" and cone_bits(v) <= lut_size:
            absorbed.update(o for o in operands if o in ops and ops[o][0] == "add")
    luts = registers = 0
    for v, (kind, operands, width) in ops.items():
        if kind == "lut":
            luts += 1 if len(operands) <= lut_size else LUT4_COST.get(len(operands), 1)
        elif kind == "gt":  # a chain of LUTs, each taking K - 1 more input bits
            luts += max(1, -(-(width - 1) // (lut_size - 1)))
        elif kind == "add" and v not in absorbed:
            luts += width
        elif kind == "reg":
            registers += width

    level = {}

    def depth(v):
        if v not in ops or ops[v][0] in ("reg", "constant"):
            return 0
        if v not in level:
            level[v] = 0  # graph regions may loop through registers only
            kind, operands, _ = ops[v]
            step = 1 if kind in ("lut", "gt", "ugt", "mux") or (kind == "add" and v not in absorbed) else 0
            level[v] = max((depth(o) for o in operands), default=0) + step
        return level[v]

    sys.setrecursionlimit(max(10000, 4 * len(ops)))
    return {"luts": luts, "registers": registers,
            "depth_luts": max((depth(v) for v in ops), default=0)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--flow", default="xilinx", choices=["xilinx", "ice40"])
    p.add_argument("--pipeline-every", type=int, default=0)
    p.add_argument("--conversion", default="thermometer=ports",
                   help="more --convert-quweit-to-lutarray options, e.g. group-sum=compressors")
    p.add_argument("--lut-style", default="generic", choices=["generic", "xilinx"],
                   help="quweit-translate --verilog-lut-style")
    p.add_argument("--json")
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="quweit-hw-")
    hw = os.path.join(work, "hw.mlir")
    run([tool("quweit-opt"), a.model, "--quweit-flatten",
         f"--convert-quweit-to-lutarray={a.conversion} pipeline-every={a.pipeline_every}", "-o", hw])
    text = open(hw).read()
    top = re.search(r"lutarray.module @(\w+)", text).group(1)
    verilog = os.path.join(work, "main.sv")
    run([tool("quweit-translate"), "--emit-verilog", f"--verilog-lut-style={a.lut_style}", hw, "-o", verilog])
    lut_cells = len(re.findall(r"= lutarray.lut ", text))
    # Counter LUTs of compressor trees belong to the group sums.
    counter_cells = len(re.findall(r"= lutarray.lut [^{]*\{lutarray.name = \"group\d+_count", text))
    adder_bits = sum(int(w) for w in re.findall(r"= lutarray.add .*-> i(\d+)", text))
    comparators = len(re.findall(r"= lutarray.gt ", text))
    registers_ir = sum(int(w) for w in re.findall(r"= lutarray.reg .*: i(\d+)", text))
    result = synthesize(verilog, top, a.flow, work)

    est = estimate(text, 6 if a.flow == "xilinx" else 4)
    report = {"model": a.model, "flow": a.flow, "pipeline_every": a.pipeline_every,
              "conversion": a.conversion, "lut_style": a.lut_style,
              "ir": {"lut_cells": lut_cells, "counter_lut_cells": counter_cells,
                     "adder_output_bits": adder_bits, "comparators": comparators,
                     "register_bits": registers_ir},
              "estimate": est, "yosys": result}
    # Ideal: one LUT per cell plus the group-sum adder trees synthesized alone.
    model_text = open(a.model).read()
    m = re.search(r"quweit.group_sum %\w+( group_index\(.*?\))? : tensor<(\?|\d+)x(\d+)xi1> -> "
                  r"tensor<(\?|\d+)x(\d+)x(i\d+)>", model_text, re.S)
    adder_luts = 0
    if m and a.flow == "xilinx":
        bits, groups, count = int(m.group(3)), int(m.group(5)), m.group(6)
        index = m.group(1) or ""
        alone = os.path.join(work, "sums.mlir")
        with open(alone, "w") as f:
            f.write(f"func.func @sums(%b: tensor<?x{bits}xi1>) -> tensor<?x{groups}x{count}> {{\n"
                    f"  %s = quweit.group_sum %b{index} : tensor<?x{bits}xi1> -> tensor<?x{groups}x{count}>\n"
                    f"  return %s : tensor<?x{groups}x{count}>\n}}\n")
        sums_hw = os.path.join(work, "sums.hw.mlir")
        sums_sv = os.path.join(work, "sums.sv")
        group_sum = re.search(r"group-sum=(\w+)", a.conversion)
        run([tool("quweit-opt"), alone,
             f"--convert-quweit-to-lutarray=group-sum={group_sum.group(1) if group_sum else 'adders'}",
             "-o", sums_hw])
        run([tool("quweit-translate"), "--emit-verilog", sums_hw, "-o", sums_sv])
        adder_luts = synthesize(sums_sv, "sums", a.flow, work)["luts"]
    network_cells = lut_cells - counter_cells
    ideal = network_cells + adder_luts
    if a.flow == "xilinx":  # the ideal is defined for LUT6 devices only
        report["ideal"] = {"luts": ideal, "lut_cells": network_cells, "adder_tree_luts": adder_luts}
        report["ratio_to_ideal"] = round(result["luts"] / max(ideal, 1), 3)
    report["estimate_error"] = round((est["luts"] - result["luts"]) / max(result["luts"], 1), 3)
    print(f"model {a.model} ({a.flow}, pipeline-every={a.pipeline_every})")
    print(f"  netlist: {lut_cells} LUT cells ({counter_cells} of them counters), {adder_bits} adder output "
          f"bits, {comparators} comparators, {registers_ir} register bits")
    print(f"  yosys:   {result['luts']} LUTs, {result['registers']} registers, "
          f"{result['carry_cells']} carry cells, {result['muxf']} MUXF, depth {result['depth_cells']} cells, "
          f"{result['yosys_seconds']} s")
    if a.flow == "xilinx":
        print(f"  ideal:   {ideal} LUTs ({network_cells} cells + {adder_luts} for the group sums alone); "
              f"yosys / ideal = {report['ratio_to_ideal']}")
    print(f"  estimate {est['luts']} LUTs, {est['registers']} registers, depth {est['depth_luts']} LUT levels "
          f"from the IR (LUTs {report['estimate_error']:+.1%} against yosys)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
