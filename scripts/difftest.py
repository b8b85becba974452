#!/usr/bin/env python3
"""Differential tester: random QuWeiT models of varied shapes, each run by
every backend on the same random inputs, which must agree bit for bit.

  reference   quweit-run (the evaluator of docs/semantics.md), the oracle
  cpu         quweit-compile objects through the Python runtime, in both bit
              layouts (batch-sliced, feature-packed) with 1 and 2 threads,
              each layout once with --lut-codegen=table (tables as data) and
              once with specialise (tables compiled into logic)
  verilog     convert-quweit-to-lutarray + quweit-translate --emit-verilog,
              simulated cycle by cycle with Verilator (models that output
              group counts; skipped when Verilator is not installed)

Models come from scripts/gen_random_model.py: 1-3 LUT layers of odd and even
widths, fan-in 1..16, groups that do and do not divide the width, batch 1,
odd batches and batches around 64, degenerate LUTs (constant, ignoring an
input, duplicated), thermometer inputs with NaN/Inf and exact thresholds.

  scripts/difftest.py --seconds 90                 # bounded (scripts/test.sh)
  nice -n 19 scripts/difftest.py --seconds 3600    # long run (docs/reliability.md)
  scripts/difftest.py --models 1 --seed 1234       # replay one model

Writes a JUnit XML report with --junit (one test case per model); a failing
model's files stay in --workdir with a command to reproduce it.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time
import traceback
from types import SimpleNamespace
from xml.sax.saxutils import escape, quoteattr

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gen_random_model  # noqa: E402

SIMULATE = os.path.join(ROOT, "test", "Target", "Verilog", "Inputs", "simulate.py")
# Every layout and thread count meets both LUT code generators (auto picks
# one of the two), in four compilations per model.
CPU_CONFIGS = [("batch-sliced", 1, "table"), ("batch-sliced", 2, "specialise"),
               ("feature-packed", 1, "specialise"), ("feature-packed", 2, "table")]


class Mismatch(Exception):
    pass


def draw_model(seed):
    """Random generator arguments for model `seed` (reproducible)."""
    rng = random.Random(seed)
    kind = rng.choice(["classifier", "classifier", "scores", "counts-bits", "counts-fixed"])
    features = rng.randint(1, 8)
    bits = rng.randint(1, 6)
    fan_in = rng.choice([1, 2, 3, 4, 5, 6, 6, 6, 7, 8, 9, 11, 13, 16])
    most = 200 if fan_in <= 8 else 24  # tables grow as 2^fan-in
    layers = [rng.choice([1, 2, 3, 63, 64, 65, rng.randint(1, most)]) for _ in range(rng.randint(1, 3))]
    layers = [min(m, most) for m in layers]
    groups = rng.randint(1, min(layers[-1], 12))
    args = SimpleNamespace(
        features=features, bits=bits, layers=",".join(map(str, layers)), fan_in=fan_in, groups=groups,
        tau=rng.choice([1.0, 2.0, 0.75, 3.3, 100.0]), batch=rng.choice([1, 2, 3, 7, 13, 63, 64, 65, 130]),
        seed=seed, degenerate=rng.choice([0.0, 0.0, 0.3, 0.9]), bits_input=kind == "counts-bits",
        counts_output=kind.startswith("counts"), scores_output=kind == "scores", fixed_point=rng.randint(0, 6) if kind == "counts-fixed" else 0,
        resources=fan_in >= 8 or rng.random() < 0.3)
    return kind, args


def hostile_inputs(inputs, args, rng):
    """Puts values at the thermometer's edges into a float input: NaN,
    infinities, signed zeros and values equal to a threshold (x > t is false)."""
    # gen_random_model draws the thresholds first from default_rng(seed).
    thresholds = np.sort(np.random.default_rng(args.seed).normal(size=(args.features, args.bits))
                         .astype(np.float32), axis=1)
    x = inputs.copy()
    picks = rng.random(x.shape)
    x[picks < 0.03] = np.nan
    x[(picks >= 0.03) & (picks < 0.05)] = np.inf
    x[(picks >= 0.05) & (picks < 0.07)] = -np.inf
    x[(picks >= 0.07) & (picks < 0.08)] = -0.0
    rows, cols = np.nonzero((picks >= 0.08) & (picks < 0.2))
    x[rows, cols] = thresholds[cols, rng.integers(0, args.bits, size=cols.size)]
    return x


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise Mismatch(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.strip()[-2000:]}")
    return p


def same(name, want, got):
    """Bit-for-bit equality (NaN payloads included), with a readable reason."""
    want, got = np.asarray(want), np.asarray(got)
    if want.shape != got.shape or want.dtype != got.dtype:
        raise Mismatch(f"{name}: {got.dtype}{list(got.shape)} vs reference {want.dtype}{list(want.shape)}")
    if want.tobytes() == got.tobytes():
        return
    w, g = want.reshape(-1), got.reshape(-1)
    bad = [i for i in range(w.size) if w[i:i + 1].tobytes() != g[i:i + 1].tobytes()]
    where = tuple(int(i) for i in np.unravel_index(bad[0], want.shape))
    raise Mismatch(f"{name}: {len(bad)} element(s) differ, first at {where}: {g[bad[0]]!r} "
                   f"vs reference {w[bad[0]]!r}")


def check_model(seed, tools, workdir, verilog, stats):
    """Runs every backend on model `seed`; raises Mismatch on disagreement."""
    from quweit import runtime

    kind, args = draw_model(seed)
    os.makedirs(workdir, exist_ok=True)
    text, inputs = gen_random_model.generate(args)
    rng = np.random.default_rng(seed)
    if kind in ("classifier", "scores"):
        inputs = hostile_inputs(inputs, args, rng)
    model, x = os.path.join(workdir, "model.mlir"), os.path.join(workdir, "x.npy")
    with open(model, "w") as f:
        f.write(text)
    np.save(x, inputs)
    outputs = (["counts.npy"] if args.counts_output else ["scores.npy"] if args.scores_output
               else ["scores.npy", "classes.npy"])
    run([tools["quweit-run"], model, "--input", x] + [a for o in outputs for a in ("--output", o)], workdir)
    reference = [np.load(os.path.join(workdir, o)) for o in outputs]
    stats["rows"] += inputs.shape[0]

    for layout, threads, codegen in CPU_CONFIGS:
        compiled = runtime.compile(model, layout=layout, threads=threads, allow_nan=True,
                                   lut_codegen=codegen,
                                   workdir=os.path.join(workdir, f"cpu-{layout}-{threads}-{codegen}"))
        got = compiled(inputs)
        got = got if isinstance(got, tuple) else (got,)
        for name, want, have in zip(outputs, reference, got):
            same(f"cpu {layout} threads={threads} lut-codegen={codegen} {name}", want, have)
        stats["cpu"] += 1

    if verilog and args.counts_output and args.fan_in <= 9:
        hw = os.path.join(workdir, "hw")
        os.makedirs(hw, exist_ok=True)
        every = seed % 3
        conv = (f"pipeline-every={every}" if args.bits_input else
                f"thermometer=comparators input-bits=8 frac-bits={args.fixed_point} pipeline-every={every}")
        run([tools["quweit-opt"], model, f"--convert-quweit-to-lutarray={conv}", "-o", "hw.mlir"], hw)
        run([tools["quweit-translate"], "--emit-verilog", "hw.mlir", "-o", "main.sv"], hw)
        run([tools["quweit-translate"], "--emit-hw-interface", "hw.mlir", "-o", "main.json"], hw)
        p = run([sys.executable, SIMULATE, "--verilog", "main.sv", "--interface", "main.json", "--inputs", x,
                 "--expected", os.path.join(workdir, "counts.npy"), "--frac-bits", str(args.fixed_point),
                 "--simulator", "verilator", "--workdir", os.path.join(hw, "sim")], hw)
        if f"SIMULATION PASSED: {inputs.shape[0]} rows" not in p.stdout:
            raise Mismatch(f"verilog: {p.stdout.strip()[-2000:]}")
        stats["verilog"] += 1
    return kind, args


def describe(kind, args):
    return (f"{kind} F={args.features} T={args.bits} layers={args.layers} fan-in={args.fan_in} "
            f"groups={args.groups} batch={args.batch} degenerate={args.degenerate}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=0, help="stop starting new models after this long")
    parser.add_argument("--models", type=int, default=0, help="stop after this many models")
    parser.add_argument("--seed", type=int, default=1, help="first model's seed (model i uses seed + i)")
    parser.add_argument("--build-dir", default=os.environ.get("QUWEIT_BUILD_DIR", os.path.join(ROOT, "build")))
    parser.add_argument("--workdir", default=None, help="default: BUILD_DIR/difftest")
    parser.add_argument("--verilog", choices=["auto", "on", "off"], default="auto",
                        help="simulate with Verilator (auto: when installed)")
    parser.add_argument("--verilog-every", type=int, default=1,
                        help="simulate only every Nth counts model (Verilator builds take ~20 s)")
    parser.add_argument("--junit", help="write a JUnit XML report here")
    parser.add_argument("--keep", action="store_true", help="keep the files of passing models too")
    opts = parser.parse_args()
    if not opts.seconds and not opts.models:
        parser.error("give --seconds or --models")
    os.environ["QUWEIT_BUILD_DIR"] = opts.build_dir
    tools = {name: os.path.join(opts.build_dir, "bin", name)
             for name in ("quweit-run", "quweit-opt", "quweit-translate", "quweit-compile")}
    for path in tools.values():
        if not os.path.exists(path):
            parser.error(f"{path} not found: build first (scripts/setup.sh)")
    verilog = opts.verilog == "on" or (opts.verilog == "auto" and shutil.which("verilator"))
    workdir = opts.workdir or os.path.join(opts.build_dir, "difftest")
    os.makedirs(workdir, exist_ok=True)

    start, cases, failures = time.time(), [], 0
    stats = {"rows": 0, "cpu": 0, "verilog": 0}
    index, counts_seen = 0, 0
    while True:
        if opts.models and index >= opts.models:
            break
        if opts.seconds and time.time() - start >= opts.seconds:
            break
        seed = opts.seed + index
        index += 1
        kind, args = draw_model(seed)
        simulate = False
        if verilog and args.counts_output and args.fan_in <= 9:
            simulate = counts_seen % opts.verilog_every == 0
            counts_seen += 1
        case_dir = os.path.join(workdir, f"model-{seed}")
        t0 = time.time()
        try:
            check_model(seed, tools, case_dir, simulate, stats)
            error = None
            if not opts.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
        except Mismatch as e:
            error = str(e)
        except Exception:  # a crash of the tester or the runtime is a failure too
            error = traceback.format_exc()
        elapsed = time.time() - t0
        line = f"model {seed}: {describe(kind, args)}{' +verilog' if simulate else ''}"
        if error:
            failures += 1
            error += (f"\nreproduce: scripts/difftest.py --models 1 --seed {seed} --keep"
                      f" (files in {case_dir})")
            print(f"FAIL {line}\n  " + error.replace("\n", "\n  "), flush=True)
        else:
            print(f"ok   {line} ({elapsed:.1f} s)", flush=True)
        cases.append((seed, line, elapsed, error))

    total = time.time() - start
    print(f"difftest: {len(cases)} models, {failures} failed, {stats['rows']} input rows, "
          f"{stats['cpu']} CPU objects, {stats['verilog']} Verilator simulations, {total:.0f} s")
    if opts.junit:
        with open(opts.junit + ".tmp", "w") as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n<testsuite name="difftest" '
                    f'tests="{len(cases)}" failures="{failures}" time="{total:.1f}">\n')
            for seed, line, elapsed, error in cases:
                f.write(f'<testcase classname="difftest" name={quoteattr(line)} time="{elapsed:.2f}"')
                if error:
                    f.write(f'>\n<failure message="backends disagree">{escape(error)}</failure>\n</testcase>\n')
                else:
                    f.write("/>\n")
            f.write("</testsuite>\n</testsuites>\n")
        os.replace(opts.junit + ".tmp", opts.junit)
    return 1 if failures or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
