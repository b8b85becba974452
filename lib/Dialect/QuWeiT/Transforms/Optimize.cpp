//===- Optimize.cpp - every exact LUT optimisation to a fixed point ------===//

#include "LutCensus.h"
#include "ReorderMapping.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_OPTIMIZE
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {
struct OptimizePass : quweit::impl::OptimizeBase<OptimizePass> {
  using Base::Base;

  void runOnOperation() override {
    LutCensus before = takeLutCensus(getOperation());
    RewritePatternSet patterns(&getContext());
    populateFoldConstantLutsPatterns(patterns);
    populateDropIgnoredInputsPatterns(patterns);
    LutOutputOptions options;
    options.acrossGroupSums = true;
    populateSimplifyLutOutputsPatterns(patterns, options);
    populatePruneThermometerPatterns(patterns);
    // The greedy driver itself iterates to the fixed point: every removal
    // re-queues the ops it touched.
    GreedyRewriteConfig config;
    config.setMaxIterations(GreedyRewriteConfig::kNoLimit);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    if (reorder)
      reorderLutsForLocality(getOperation());
    LutCensus after = takeLutCensus(getOperation());
    int64_t luts = before.luts - after.luts, slots = before.slots - after.slots;
    int64_t bits = before.tableBits - after.tableBits;
    int64_t thermometer = before.thermometerBits - after.thermometerBits;
    numLutsRemoved += luts;
    numSlotsRemoved += slots;
    numTableBitsRemoved += bits;
    numThermometerBitsRemoved += thermometer;
    if (remarks)
      remarkChanges(getOperation(), getArgument(),
                    {{"luts", before.luts},
                     {"luts-removed", luts},
                     {"slots-removed", slots},
                     {"table-bits-removed", bits},
                     {"thermometer-bits-removed", thermometer}});
  }
};
} // namespace
