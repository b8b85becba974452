//===- MergeIdenticalLuts.cpp - merge LUTs with the same inputs and table -===//

#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_MERGEIDENTICALLUTS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {
struct MergeIdenticalLutsPass
    : quweit::impl::MergeIdenticalLutsBase<MergeIdenticalLutsPass> {
  using Base::Base;

  void runOnOperation() override {
    LutCensus before = takeLutCensus(getOperation());
    RewritePatternSet patterns(&getContext());
    LutOutputOptions options;
    options.eliminateUnread = false;
    // Duplicates counted by a group sum stay for it; their LUT readers still
    // move to the first copy.
    options.acrossGroupSums = true;
    populateSimplifyLutOutputsPatterns(patterns, options);
    GreedyRewriteConfig config;
    config.enableFolding(false).setMaxIterations(GreedyRewriteConfig::kNoLimit);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    int64_t merged = before.luts - takeLutCensus(getOperation()).luts;
    numLutsMerged += merged;
    if (remarks)
      remarkChanges(getOperation(), getArgument(), {{"luts-merged", merged}});
  }
};
} // namespace
