//===- FoldConstantLuts.cpp - substitute constant LUTs into their readers -===//

#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_FOLDCONSTANTLUTS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {
struct FoldConstantLutsPass
    : quweit::impl::FoldConstantLutsBase<FoldConstantLutsPass> {
  using Base::Base;

  void runOnOperation() override {
    LutCensus before = takeLutCensus(getOperation());
    RewritePatternSet patterns(&getContext());
    populateFoldConstantLutsPatterns(patterns);
    // Folding on: lut_layer's folder turns all-constant layers (and layers
    // over constant inputs) into constants.
    GreedyRewriteConfig config;
    config.setMaxIterations(GreedyRewriteConfig::kNoLimit);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    LutCensus after = takeLutCensus(getOperation());
    int64_t reads = before.constantReads - after.constantReads;
    int64_t layers = before.layers - after.layers;
    numReadsFolded += reads;
    numLayersFolded += layers;
    if (remarks)
      remarkChanges(getOperation(), getArgument(),
                    {{"reads-folded", reads}, {"layers-folded", layers}});
  }
};
} // namespace
