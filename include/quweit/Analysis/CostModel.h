//===- CostModel.h - operation counts and energy of a model -----*- C++ -*-===//
//
// Counts, per function and per quweit.transformer_block, the arithmetic a
// model performs (docs/cost-model.md): multiplications of matmuls and
// convolutions apart from elementwise ones (norms, softmax scaling, GELU),
// additions, comparisons, exp/div and other transcendental operations, LUT
// lookups and parameter bytes; the same for the dense twin, in which every
// quweit.lut_ffn is replaced by the MLP it stands for; and an energy
// estimate from a per-operation energy table.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_ANALYSIS_COSTMODEL_H
#define QUWEIT_ANALYSIS_COSTMODEL_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace quweit {

/// Discardable attribute of a quweit.lut_ffn giving the hidden width of the
/// MLP it replaced (default: 4 x the input width).
constexpr llvm::StringLiteral kDenseHiddenAttrName = "quweit.dense_hidden";

struct OpCounts {
  /// Multiplications of contractions (matmul, batch matmul, generic
  /// contractions) and convolutions.
  int64_t matmulMults = 0;
  /// All other multiplications (norms, softmax scaling, GELU, scale_counts).
  int64_t elementwiseMults = 0;
  /// Additions and subtractions of the model's arithmetic (float or int).
  int64_t adds = 0;
  /// Additions of group sums (popcounts of small integer counts).
  int64_t countAdds = 0;
  /// Comparisons: cmp, max/min, thermometer bits, argmax.
  int64_t comparisons = 0;
  /// exp, erf, tanh, sqrt/rsqrt, log and divisions.
  int64_t expDiv = 0;
  /// LUT evaluations (one per LUT per row).
  int64_t lutLookups = 0;
  /// Bytes of constants: weights, thresholds, mappings, tables (i1 = 1 bit).
  int64_t parameterBytes = 0;

  int64_t multiplications() const { return matmulMults + elementwiseMults; }
  OpCounts &operator+=(const OpCounts &other);
};

/// Costs of one function or one block: the model as written (`hybrid`) and
/// its dense twin (every lut_ffn replaced by a D -> H -> D MLP with GELU).
struct CostEntry {
  std::string name;
  OpCounts hybrid, dense;
  int64_t lutFFNs = 0;
};

struct FunctionCost {
  CostEntry total;
  std::vector<CostEntry> blocks;
  /// Some shape was dynamic; each dynamic dimension was counted as 1.
  bool hasDynamicDims = false;
};

/// Energy per operation in picojoules (docs/cost-model.md gives sources).
struct EnergyTable {
  std::string name;
  double mult = 0, add = 0, compare = 0, expDiv = 0, countAdd = 0,
         lutLookup = 0;
  /// Horowitz, ISSCC 2014, 45 nm: "fp32" or "int8" arithmetic; LUT lookups
  /// as 64-bit reads of an 8 KB SRAM (10 pJ) unless `lutLookupPJ` >= 0.
  static EnergyTable horowitz45nm(llvm::StringRef precision,
                                  double lutLookupPJ = -1);
};

/// Picojoules for the counts under `table`.
double energyPicojoules(const OpCounts &counts, const EnergyTable &table);

/// Analyses every function of the module.
std::vector<FunctionCost> analyzeCosts(mlir::ModuleOp module);

/// Counts of one op alone (its regions excluded), and of the MLP that a
/// lut_ffn stands for. Exposed for tests.
OpCounts countOp(mlir::Operation *op, bool &dynamicDims);
OpCounts denseTwinOf(mlir::Operation *lutFFN, bool &dynamicDims);

} // namespace quweit

#endif // QUWEIT_ANALYSIS_COSTMODEL_H
