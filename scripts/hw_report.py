#!/usr/bin/env python3
"""Hardware report for a quweit model: converts it to lutarray, emits
SystemVerilog, synthesizes it with Yosys, and prints LUTs, registers, carry
cells and logic depth next to the ideal and to the pre-synthesis estimate,
as text and (with --json) JSON.

  scripts/hw_report.py model.mlir [--flow xilinx|ice40] [--pipeline-every K]
                       [--conversion "thermometer=ports"] [--json report.json]

Ideal (xilinx): one LUT6 per LUT cell of the netlist (tables of fan-in <= 6)
plus what synth_xilinx needs for the group-sum adder trees synthesized alone.
Estimate: LUT cells + one LUT per adder output bit (carry chains), computed
from the lutarray IR without synthesis.
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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--flow", default="xilinx", choices=["xilinx", "ice40"])
    p.add_argument("--pipeline-every", type=int, default=0)
    p.add_argument("--conversion", default="thermometer=ports")
    p.add_argument("--json")
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="quweit-hw-")
    hw = os.path.join(work, "hw.mlir")
    run([tool("quweit-opt"), a.model, "--quweit-flatten",
         f"--convert-quweit-to-lutarray={a.conversion} pipeline-every={a.pipeline_every}", "-o", hw])
    text = open(hw).read()
    top = re.search(r"lutarray.module @(\w+)", text).group(1)
    verilog = os.path.join(work, "main.sv")
    run([tool("quweit-translate"), "--emit-verilog", hw, "-o", verilog])
    lut_cells = len(re.findall(r"= lutarray.lut ", text))
    adder_bits = sum(int(w) for w in re.findall(r"= lutarray.add .*-> i(\d+)", text))
    comparators = len(re.findall(r"= lutarray.gt ", text))
    registers_ir = sum(int(w) for w in re.findall(r"= lutarray.reg .*: i(\d+)", text))
    result = synthesize(verilog, top, a.flow, work)

    estimate = lut_cells + adder_bits + comparators
    report = {"model": a.model, "flow": a.flow, "pipeline_every": a.pipeline_every,
              "ir": {"lut_cells": lut_cells, "adder_output_bits": adder_bits,
                     "comparators": comparators, "register_bits": registers_ir},
              "estimate": {"luts": estimate, "registers": registers_ir},
              "yosys": result}
    # Ideal: one LUT per cell plus the group-sum adder trees synthesized alone.
    model_text = open(a.model).read()
    m = re.search(r"quweit.group_sum %\w+( group_index\(.*?\))? : tensor<(\?|\d+)x(\d+)xi1> -> "
                  r"tensor<(\?|\d+)x(\d+)x(i\d+)>", model_text, re.S)
    adder_luts = 0
    if m:
        bits, groups, count = int(m.group(3)), int(m.group(5)), m.group(6)
        index = m.group(1) or ""
        alone = os.path.join(work, "sums.mlir")
        with open(alone, "w") as f:
            f.write(f"func.func @sums(%b: tensor<?x{bits}xi1>) -> tensor<?x{groups}x{count}> {{\n"
                    f"  %s = quweit.group_sum %b{index} : tensor<?x{bits}xi1> -> tensor<?x{groups}x{count}>\n"
                    f"  return %s : tensor<?x{groups}x{count}>\n}}\n")
        sums_hw = os.path.join(work, "sums.hw.mlir")
        sums_sv = os.path.join(work, "sums.sv")
        run([tool("quweit-opt"), alone, "--convert-quweit-to-lutarray", "-o", sums_hw])
        run([tool("quweit-translate"), "--emit-verilog", sums_hw, "-o", sums_sv])
        adder_luts = synthesize(sums_sv, "sums", a.flow, work)["luts"]
    ideal = lut_cells + adder_luts
    report["ideal"] = {"luts": ideal, "lut_cells": lut_cells, "adder_tree_luts": adder_luts}
    report["ratio_to_ideal"] = round(result["luts"] / max(ideal, 1), 3)
    report["estimate_error"] = round((estimate - result["luts"]) / max(result["luts"], 1), 3)
    print(f"model {a.model} ({a.flow}, pipeline-every={a.pipeline_every})")
    print(f"  netlist: {lut_cells} LUT cells, {adder_bits} adder output bits, "
          f"{comparators} comparators, {registers_ir} register bits")
    print(f"  yosys:   {result['luts']} LUTs, {result['registers']} registers, "
          f"{result['carry_cells']} carry cells, {result['muxf']} MUXF, depth {result['depth_cells']} cells, "
          f"{result['yosys_seconds']} s")
    print(f"  ideal:   {ideal} LUTs ({lut_cells} cells + {adder_luts} for the adder trees alone); "
          f"yosys / ideal = {report['ratio_to_ideal']}")
    print(f"  estimate {estimate} LUTs from the IR (error {report['estimate_error']:+.1%} against yosys)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
