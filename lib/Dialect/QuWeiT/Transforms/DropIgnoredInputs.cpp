//===- DropIgnoredInputs.cpp - remove inputs that tables ignore ----------===//

#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_DROPIGNOREDINPUTS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {
struct DropIgnoredInputsPass
    : quweit::impl::DropIgnoredInputsBase<DropIgnoredInputsPass> {
  using Base::Base;

  void runOnOperation() override {
    LutCensus before = takeLutCensus(getOperation());
    RewritePatternSet patterns(&getContext());
    populateDropIgnoredInputsPatterns(patterns);
    GreedyRewriteConfig config;
    config.enableFolding(false).setMaxIterations(GreedyRewriteConfig::kNoLimit);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    LutCensus after = takeLutCensus(getOperation());
    int64_t ignored = before.slots - before.usedSlots;
    int64_t slots = before.slots - after.slots;
    int64_t bits = before.tableBits - after.tableBits;
    numIgnoredSlots += ignored;
    numSlotsRemoved += slots;
    numTableBitsRemoved += bits;
    if (remarks)
      remarkChanges(getOperation(), getArgument(),
                    {{"ignored-slots", ignored},
                     {"slots-removed", slots},
                     {"table-bits-removed", bits}});
  }
};
} // namespace
