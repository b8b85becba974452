//===- InlineTransformerBlocks.cpp - replace blocks by their bodies -------===//

#include "InlineRegionOp.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

namespace quweit {
#define GEN_PASS_DEF_INLINETRANSFORMERBLOCKS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace quweit;

namespace {
struct InlineTransformerBlocksPass
    : impl::InlineTransformerBlocksBase<InlineTransformerBlocksPass> {
  void runOnOperation() override {
    inlineAll<TransformerBlockOp>(getOperation());
  }
};
} // namespace
