//===- ExpandLutFFN.cpp - replace quweit.lut_ffn by its body --------------===//

#include "InlineRegionOp.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

namespace quweit {
#define GEN_PASS_DEF_EXPANDLUTFFN
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace quweit;

namespace {
struct ExpandLutFFNPass : impl::ExpandLutFFNBase<ExpandLutFFNPass> {
  void runOnOperation() override { inlineAll<LutFFNOp>(getOperation()); }
};
} // namespace
