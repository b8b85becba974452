//===- InlineRegionOp.h - inline a single-block quweit region op -*- C++ -*-===//

#ifndef QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_INLINEREGIONOP_H
#define QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_INLINEREGIONOP_H

#include "mlir/IR/PatternMatch.h"

namespace quweit {

/// Replaces `op` (a quweit region op whose single block ends in quweit.yield
/// and whose block arguments stand for its operands) by its body.
void inlineRegionOp(mlir::RewriterBase &rewriter, mlir::Operation *op);

/// Inlines every op of type OpTy nested in `root`, innermost first.
template <typename OpTy>
void inlineAll(mlir::Operation *root) {
  mlir::IRRewriter rewriter(root->getContext());
  llvm::SmallVector<OpTy> ops;
  root->walk([&](OpTy op) { ops.push_back(op); });
  for (OpTy op : ops)
    inlineRegionOp(rewriter, op);
}

} // namespace quweit

#endif
