"""Checks the I-ViT-T cost reports (see cost-report-ivit.test)."""
import json
import sys

dense = json.load(open(sys.argv[1]))["functions"][0]
hybrid_report = json.load(open(sys.argv[2]))
hybrid = hybrid_report["functions"][0]
print(f"blocks {len(hybrid['blocks'])}, LUT FFNs {hybrid['lut_ffns']}")
replaced = hybrid["matmul_mults_replaced_percent"]
assert abs(replaced - 55.6) <= 1.0, replaced
print(f"matmul multiplications replaced: {replaced:.1f}%")
all_replaced = hybrid["mults_replaced_percent"]
assert abs(all_replaced - 55.6) <= 1.0, all_replaced
print(f"all multiplications replaced: {all_replaced:.1f}%")
for key, value in dense["hybrid"].items():
    if key != "energy_pj":
        assert hybrid["dense_twin"][key] == value, (key, hybrid["dense_twin"][key], value)
print("dense twin matches the dense model")
print(f"energy ratio {hybrid_report['energy_table']['precision']}: "
      f"{hybrid['energy_ratio_dense_over_hybrid']:.3f}")
