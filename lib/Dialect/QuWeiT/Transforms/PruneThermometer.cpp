//===- PruneThermometer.cpp - drop thermometer bits no LUT reads ---------===//
//
// Thresholds are one F x T array, so bits cannot be dropped feature by
// feature: T shrinks to the most bits any feature keeps and the others are
// padded with repeated thresholds whose bits nothing reads (docs/transforms.md).
//
//===----------------------------------------------------------------------===//

#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/LutLayerData.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_PRUNETHERMOMETER
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {
struct PruneThermometerBits : OpRewritePattern<ThermometerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ThermometerOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<LutLayerOp> users;
    for (Operation *user : op->getUsers()) {
      auto layer = dyn_cast<LutLayerOp>(user);
      if (!layer)
        return rewriter.notifyMatchFailure(op, "a user is not a LUT layer");
      if (!llvm::is_contained(users, layer))
        users.push_back(layer);
    }
    if (users.empty())
      return rewriter.notifyMatchFailure(op, "no users");
    int64_t features = op.getNumFeatures(), bits = op.getBitsPerFeature();
    std::vector<float> thresholds;
    if (readFloats(op.getThresholds(), thresholds) ||
        static_cast<int64_t>(thresholds.size()) != features * bits)
      return rewriter.notifyMatchFailure(op, "thresholds unavailable");
    SmallVector<LutLayerData> userData;
    std::vector<bool> read(features * bits, false);
    for (LutLayerOp user : users) {
      FailureOr<LutLayerData> data = LutLayerData::read(user);
      if (failed(data))
        return rewriter.notifyMatchFailure(user, "tables unavailable");
      for (int64_t lut = 0; lut < data->numLuts; ++lut)
        for (int64_t slot = 0; slot < data->fanIn; ++slot)
          if (!data->ignoresSlot(lut, slot))
            read[data->input(lut, slot)] = true;
      userData.push_back(std::move(*data));
    }

    int64_t kept = 1;
    for (int64_t f = 0; f < features; ++f)
      kept = std::max<int64_t>(
          kept, std::count(read.begin() + f * bits, read.begin() + (f + 1) * bits, true));
    // Renumber: the k-th read bit of feature f becomes bit f*kept + k.
    std::vector<int64_t> newIndex(features * bits, 0);
    std::vector<float> newThresholds;
    bool changed = kept != bits;
    for (int64_t f = 0; f < features; ++f) {
      int64_t k = 0;
      for (int64_t t = 0; t < bits; ++t)
        if (read[f * bits + t]) {
          newIndex[f * bits + t] = f * kept + k++;
          newThresholds.push_back(thresholds[f * bits + t]);
        }
      changed |= k != bits;
      // Padding keeps the row non-decreasing and is never read.
      float pad = k ? newThresholds.back() : thresholds[f * bits + bits - 1];
      for (; k < kept; ++k)
        newThresholds.push_back(pad);
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "every bit is read");
    // Thresholds shrink only when kept < bits; when a feature loses bits but
    // another keeps all of them, the layout (and so the IR) stays the same.
    if (kept == bits)
      return rewriter.notifyMatchFailure(op, "some feature needs all its bits");

    auto inputType = op.getInput().getType();
    auto resultType = RankedTensorType::get(
        {inputType.getDimSize(0), features * kept}, rewriter.getI1Type());
    auto thresholdType = RankedTensorType::get(
        {features, kept}, op.getThresholds().getElementType());
    auto pruned = ThermometerOp::create(
        rewriter, op.getLoc(), resultType, op.getInput(),
        buildFloats(thresholdType, newThresholds, "quweit_thresholds"));
    for (auto [user, data] : llvm::zip(users, userData)) {
      data.numInputs = features * kept;
      for (int64_t lut = 0; lut < data.numLuts; ++lut)
        for (int64_t slot = 0; slot < data.fanIn; ++slot) {
          int64_t &input = data.mapping[lut * data.fanIn + slot];
          input = data.ignoresSlot(lut, slot) ? 0 : newIndex[input];
        }
      rewriter.setInsertionPoint(user);
      LutLayerOp replacement =
          data.create(rewriter, user.getLoc(), pruned.getOutput(), user);
      rewriter.replaceOp(user, replacement.getOutput());
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct PruneThermometerPass
    : quweit::impl::PruneThermometerBase<PruneThermometerPass> {
  using Base::Base;

  void runOnOperation() override {
    LutCensus before = takeLutCensus(getOperation());
    RewritePatternSet patterns(&getContext());
    populatePruneThermometerPatterns(patterns);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    int64_t bits =
        before.thermometerBits - takeLutCensus(getOperation()).thermometerBits;
    numBitsRemoved += bits;
    if (remarks)
      remarkChanges(getOperation(), getArgument(), {{"bits-removed", bits}});
  }
};
} // namespace

void quweit::populatePruneThermometerPatterns(RewritePatternSet &patterns) {
  patterns.add<PruneThermometerBits>(patterns.getContext());
}
