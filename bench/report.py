#!/usr/bin/env python3
"""Prints the issue #4 figures from Google Benchmark JSON files and the P4
timing file written by scripts/bench.sh, with targets and ratios."""
import json
import os
import sys


def rates(path, counter):
    """The counter of every benchmark (path: one JSON file, or several joined
    by commas); with --benchmark_repetitions, the best
    repetition (the machine is shared: the least disturbed run)."""
    out = {}
    for one_path in path.split(","):  # several files: one-thread and two-thread runs
        for b in json.load(open(one_path))["benchmarks"]:
            if counter in b and b.get("run_type") != "aggregate":
                out[b["name"]] = max(out.get(b["name"], 0.0), b[counter])
    return out


def p3_report(compiled_path, torch_path, title):
    """P3: the compiled QuWeiT-ViT (and dense twin) vs the dense twin in PyTorch."""
    compiled = rates(compiled_path, "images_per_s")
    torch = rates(torch_path, "images_per_s")
    print(f"P3: Fashion-MNIST ViT, images/s, one core ({title})")
    for name, value in list(compiled.items()) + list(torch.items()):
        print(f"  {name:45s} {value:10.1f}")
    for batch in (1, 64, 256):
        base = torch.get(f"TorchDenseViT/{batch}")
        if not base:
            continue
        for mode in ("vectorize", "blas", "loops"):
            quweit = compiled.get(f"ViT/quweit_{mode}/{batch}")
            if quweit:
                print(f"  batch {batch:3d}: QuWeiT-ViT --matmul={mode:9s} / PyTorch dense = "
                      f"{quweit / base:5.2f}x (target >= 2x)")


def p4_report(path):
    """P4: `LUTs seconds peak-KB` lines (scripts/bench.sh), against the 1M-LUT
    target of 30 s and 2 GB; time per 1000 LUTs shows how it grows."""
    print("P4: quweit-compile -O3, default options, one layer of M LUTs (one entry point)")
    for line in open(path):
        if not line.strip():
            continue
        luts, seconds, kb = int(line.split()[0]), float(line.split()[1]), int(line.split()[2])
        mb = kb / 1024
        print(f"  {luts:8d} LUTs: {seconds:7.2f} s ({seconds / 30:5.3f}x of 30 s) "
              f"{mb:7.0f} MB ({mb / 2048:5.3f}x of 2 GB)  {1000 * seconds / luts:7.4f} s per 1000 LUTs")
    print("  target: 1M LUTs in <= 30 s and <= 2 GB (ratios <= 1), growing linearly")
    # Written by scripts/bench.sh next to the P4 file.
    spec_path = os.path.join(os.path.dirname(path), "p4_specialise.txt")
    if os.path.exists(spec_path):
        spec = {line.split()[0]: line.split()[1:] for line in open(spec_path) if line.strip()}
        print("P4: specialised mode vs clang -O2 on equivalent C (bench/gen_p1_c.py), "
              "P1's 8192-LUT layer (seconds, peak MB)")
        for tool, (luts, seconds, kb) in spec.items():
            print(f"  {tool:15s} {int(luts):6d} LUTs: {float(seconds):7.2f} s {int(kb) / 1024:8.0f} MB")
        if "quweit-compile" in spec and "clang-22" in spec:
            ratio = float(spec["clang-22"][1]) / float(spec["quweit-compile"][1])
            print(f"  quweit-compile is {ratio:.1f}x faster than clang -O2 (target >= 5x)")


# Thread scaling: (two-thread row, its one-thread row); two-thread rows are
# wall time (UseRealTime), one-thread rows CPU time on the pinned core.
THREAD_PAIRS = {
    "P1": [("BitSliced/table_2_threads/4096/real_time", "BitSliced/table/4096"),
           ("FeaturePacked/2_threads/1024/real_time", "FeaturePacked/table/1024"),
           ("FeaturePacked/2_threads/4096/real_time", "FeaturePacked/table/4096")],
    "P2": [("LutFFN/specialise_2_threads/1024/real_time", "LutFFN/specialise/1024"),
           ("LutFFN/table_2_threads/1024/real_time", "LutFFN/table/1024")],
}


def thread_report(label, rates_by_name):
    for two, one in THREAD_PAIRS[label]:
        if two in rates_by_name and one in rates_by_name:
            print(f"  2 threads / 1 thread: {two.split('/real_time')[0]:40s} "
                  f"{rates_by_name[two] / rates_by_name[one]:.2f}x")


def main(p1_path, p2_path, p4_path, *p3_paths):
    p1 = rates(p1_path, "LUT_evals_per_s")
    print("P1: one LUT layer, N=2048, M=8192, n=6 (LUT evaluations/s)")
    for name, value in p1.items():
        print(f"  {name:45s} {value / 1e9:8.2f} G/s")
    best = max((v for k, v in p1.items() if k.startswith("BitSliced") and k.endswith("/4096")
                 and "2_threads" not in k), default=0.0)
    batch1 = max((v for k, v in p1.items() if k.endswith("/1") and not k.startswith("PerSample")),
                 default=0.0)
    print(f"  batch 4096 best: {best / 1e9:.2f} G/s = {best / 100e9:.2f}x the 100 G/s target")
    print(f"  batch 1: {batch1 / 1e9:.3f} G/s = {batch1 / 3.5e9:.3f}x the 3.5 G/s target")
    for batch in (1, 64, 4096):
        gather = p1.get(f"PerSampleGather/{batch}")
        ours = max((v for k, v in p1.items() if k.endswith(f"/{batch}") and "2_threads" not in k
                    and not k.startswith("PerSample")), default=0.0)
        if gather:
            print(f"  batch {batch}: best compiled / per-sample gather baseline = {ours / gather:.1f}x")
    thread_report("P1", p1)

    p2 = rates(p2_path, "tokens_per_s")
    print("P2: LUT FFN vs dense FFN (OpenBLAS), tokens/s")
    for name, value in p2.items():
        print(f"  {name:45s} {value / 1e3:8.1f} k/s")
    for batch, target in ((1, 3.5), (64, None), (1024, 25.0)):
        dense = p2.get(f"DenseFFN/{batch}")
        lut = max((v for k, v in p2.items() if k.startswith("LutFFN") and k.endswith(f"/{batch}")
                   and "2_threads" not in k), default=None)
        if dense and lut:
            goal = f" (target >= {target}x)" if target else ""
            print(f"  batch {batch}: best LUT FFN / dense = {lut / dense:.2f}x{goal}")
    thread_report("P2", p2)

    p4_report(p4_path)

    # P3 pairs: (compiled.json, torch.json, title), default malloc first.
    for compiled, torch, title in zip(p3_paths[0::3], p3_paths[1::3], p3_paths[2::3]):
        p3_report(compiled, torch, title)


if __name__ == "__main__":
    main(*sys.argv[1:])
