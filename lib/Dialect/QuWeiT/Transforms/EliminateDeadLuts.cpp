//===- EliminateDeadLuts.cpp - delete LUTs that reach no result ----------===//

#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_ELIMINATEDEADLUTS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {
struct EliminateDeadLutsPass
    : quweit::impl::EliminateDeadLutsBase<EliminateDeadLutsPass> {
  using Base::Base;

  void runOnOperation() override {
    auto countIndexed = [&] {
      int64_t count = 0;
      getOperation()->walk([&](GroupSumOp sum) { count += !!sum.getGroupIndex(); });
      return count;
    };
    LutCensus before = takeLutCensus(getOperation());
    int64_t indexedBefore = countIndexed();
    RewritePatternSet patterns(&getContext());
    LutOutputOptions options;
    options.mergeIdentical = false;
    options.acrossGroupSums = acrossGroupSums;
    populateSimplifyLutOutputsPatterns(patterns, options);
    // Folding is left to quweit-fold-constant-luts: this pass only deletes.
    GreedyRewriteConfig config;
    config.enableFolding(false).setMaxIterations(GreedyRewriteConfig::kNoLimit);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    int64_t removed = before.luts - takeLutCensus(getOperation()).luts;
    int64_t indexed = countIndexed() - indexedBefore;
    numLutsRemoved += removed;
    numGroupSumsIndexed += indexed;
    if (remarks)
      remarkChanges(getOperation(), getArgument(),
                    {{"luts-removed", removed}, {"group-sums-indexed", indexed}});
  }
};
} // namespace
