//===- CostReport.cpp - print the cost analysis as text or JSON ----------===//

#include "quweit/Analysis/CostModel.h"
#include "quweit/Dialect/QuWeiT/Passes.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace quweit {
#define GEN_PASS_DEF_COSTREPORT
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

static double ratio(double part, double whole) {
  return whole > 0 ? part / whole : 0.0;
}

static llvm::json::Object countsToJSON(const OpCounts &c, const EnergyTable &t) {
  return llvm::json::Object{
      {"matmul_mults", c.matmulMults},
      {"elementwise_mults", c.elementwiseMults},
      {"mults", c.multiplications()},
      {"adds", c.adds},
      {"count_adds", c.countAdds},
      {"comparisons", c.comparisons},
      {"exp_div", c.expDiv},
      {"lut_lookups", c.lutLookups},
      {"parameter_bytes", c.parameterBytes},
      {"energy_pj", energyPicojoules(c, t)}};
}

static llvm::json::Object entryToJSON(const CostEntry &e, const EnergyTable &t) {
  double eh = energyPicojoules(e.hybrid, t), ed = energyPicojoules(e.dense, t);
  return llvm::json::Object{
      {"name", e.name},
      {"lut_ffns", e.lutFFNs},
      {"hybrid", countsToJSON(e.hybrid, t)},
      {"dense_twin", countsToJSON(e.dense, t)},
      {"matmul_mults_replaced_percent",
       100.0 * (1.0 - ratio(e.hybrid.matmulMults, e.dense.matmulMults))},
      {"mults_replaced_percent",
       100.0 * (1.0 - ratio(e.hybrid.multiplications(),
                            e.dense.multiplications()))},
      {"energy_ratio_dense_over_hybrid", ratio(ed, eh)}};
}

static void printEntry(llvm::raw_ostream &os, const CostEntry &e,
                       const EnergyTable &t) {
  auto row = [&](llvm::StringRef label, int64_t hybrid, int64_t dense) {
    os << llvm::format("  %-26s %16lld %16lld\n", label.str().c_str(),
                       (long long)hybrid, (long long)dense);
  };
  os << "  " << llvm::format("%-26s %16s %16s\n", "", "model", "dense twin");
  row("matmul/conv mults", e.hybrid.matmulMults, e.dense.matmulMults);
  row("elementwise mults", e.hybrid.elementwiseMults, e.dense.elementwiseMults);
  row("additions", e.hybrid.adds, e.dense.adds);
  row("group-sum additions", e.hybrid.countAdds, e.dense.countAdds);
  row("comparisons", e.hybrid.comparisons, e.dense.comparisons);
  row("exp/div", e.hybrid.expDiv, e.dense.expDiv);
  row("LUT lookups", e.hybrid.lutLookups, e.dense.lutLookups);
  row("parameter bytes", e.hybrid.parameterBytes, e.dense.parameterBytes);
  double eh = energyPicojoules(e.hybrid, t), ed = energyPicojoules(e.dense, t);
  os << llvm::format("  %-26s %16.4g %16.4g\n", "energy (uJ)", eh * 1e-6,
                     ed * 1e-6);
  os << llvm::format(
      "  matmul mults replaced: %.2f%%, all mults replaced: %.2f%%, "
      "energy ratio dense/model: %.3fx (%d LUT FFNs)\n",
      100.0 * (1.0 - ratio(e.hybrid.matmulMults, e.dense.matmulMults)),
      100.0 * (1.0 - ratio(e.hybrid.multiplications(),
                           e.dense.multiplications())),
      ratio(ed, eh), int(e.lutFFNs));
}

namespace {
struct CostReportPass : quweit::impl::CostReportBase<CostReportPass> {
  using Base::Base;

  void runOnOperation() override {
    markAllAnalysesPreserved();
    if (format != "text" && format != "json") {
      emitError(getOperation().getLoc()) << "unknown format '" << format
                                         << "' (text or json)";
      return signalPassFailure();
    }
    if (precision != "fp32" && precision != "int8") {
      emitError(getOperation().getLoc()) << "unknown precision '" << precision
                                         << "' (fp32 or int8)";
      return signalPassFailure();
    }
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      emitError(getOperation().getLoc()) << error;
      return signalPassFailure();
    }
    EnergyTable table = EnergyTable::horowitz45nm(precision, lutLookupPJ);
    std::vector<FunctionCost> costs = analyzeCosts(getOperation());
    llvm::raw_ostream &os = file->os();
    if (format == "json") {
      llvm::json::Array functions;
      for (const FunctionCost &cost : costs) {
        llvm::json::Object function = entryToJSON(cost.total, table);
        llvm::json::Array blocks;
        for (const CostEntry &block : cost.blocks)
          blocks.push_back(entryToJSON(block, table));
        function["blocks"] = std::move(blocks);
        function["dynamic_dims_counted_as_1"] = cost.hasDynamicDims;
        functions.push_back(std::move(function));
      }
      llvm::json::Object energy{{"precision", table.name},
                                {"mult_pj", table.mult},
                                {"add_pj", table.add},
                                {"compare_pj", table.compare},
                                {"exp_div_pj", table.expDiv},
                                {"count_add_pj", table.countAdd},
                                {"lut_lookup_pj", table.lutLookup}};
      os << llvm::formatv(
                "{0:2}",
                llvm::json::Value(llvm::json::Object{
                    {"energy_table", std::move(energy)},
                    {"functions", std::move(functions)}}))
         << "\n";
    } else {
      os << "QuWeiT cost report (energy: Horowitz 45 nm, " << table.name
         << "; LUT lookup " << table.lutLookup << " pJ)\n";
      for (const FunctionCost &cost : costs) {
        os << "function @" << cost.total.name
           << (cost.hasDynamicDims ? " (dynamic dimensions counted as 1)" : "")
           << "\n";
        printEntry(os, cost.total, table);
        for (const CostEntry &block : cost.blocks) {
          os << " block \"" << block.name << "\"\n";
          printEntry(os, block, table);
        }
      }
    }
    file->keep();
  }
};
} // namespace
