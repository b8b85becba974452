//===- InlineRegionOp.cpp - inline a single-block quweit region op --------===//

#include "InlineRegionOp.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

using namespace mlir;

void quweit::inlineRegionOp(RewriterBase &rewriter, Operation *op) {
  Block &body = op->getRegion(0).front();
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> results(yield.getOperands());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(&body, op, op->getOperands());
  rewriter.replaceOp(op, results);
}
