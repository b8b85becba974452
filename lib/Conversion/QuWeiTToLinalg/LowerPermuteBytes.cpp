//===- LowerPermuteBytes.cpp - quweit.permute_bytes to instructions -------===//
//
// quweit.permute_bytes is a per-lane byte table lookup. x86 with AVX-512 VBMI
// has it as one instruction per 64 lanes of a 128-byte table (vpermi2b), which
// no target-independent vector op reaches: LLVM forms vpermi2b only from
// shuffles with constant masks. The feature-packed LUT kernel depends on it,
// so it is lowered here, after bufferization, to the intrinsic; other targets
// (and other table sizes) get a correct per-lane lowering.
//
//===----------------------------------------------------------------------===//

#include "quweit/Conversion/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_LOWERPERMUTEBYTES
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {

/// Lanes one vpermi2b handles, and the table bytes it selects from.
constexpr int64_t kVbmiLanes = 64, kVbmiTableBytes = 128;

struct PermuteBytesToVbmi : OpRewritePattern<PermuteBytesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermuteBytesOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getTable().getType().getDimSize(0) != kVbmiTableBytes ||
        op.getIndex().getType().getDimSize(0) != kVbmiLanes)
      return failure();
    Location loc = op.getLoc();
    // The table's halves, as constant shuffles (which LLVM folds into the
    // register halves of the 128-byte value).
    auto half = [&](int64_t offset) -> Value {
      auto lanes = llvm::to_vector(llvm::seq<int64_t>(offset, offset + kVbmiLanes));
      return vector::ShuffleOp::create(rewriter, loc, op.getTable(), op.getTable(), lanes);
    };
    Value lo = half(0), hi = half(kVbmiLanes);
    // Lane i: byte (index[i] & 127) of lo:hi, i.e. index mod 128.
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr("llvm.x86.avx512.vpermi2var.qi.512"),
        ValueRange{lo, op.getIndex(), hi});
    return success();
  }
};

struct PermuteBytesToExtracts : OpRewritePattern<PermuteBytesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermuteBytesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType indexType = op.getIndex().getType();
    int64_t tableBytes = op.getTable().getType().getDimSize(0);
    Value mask = arith::ConstantIndexOp::create(rewriter, loc, tableBytes - 1);
    Value result = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(indexType, rewriter.getI8IntegerAttr(0)));
    for (int64_t lane = 0; lane < indexType.getDimSize(0); ++lane) {
      Value index = vector::ExtractOp::create(rewriter, loc, op.getIndex(),
                                              ArrayRef<int64_t>{lane});
      Value position = arith::AndIOp::create(
          rewriter, loc,
          arith::IndexCastUIOp::create(rewriter, loc, rewriter.getIndexType(), index), mask);
      Value byte = vector::ExtractOp::create(rewriter, loc, op.getTable(),
                                             ArrayRef<OpFoldResult>{position});
      result = vector::InsertOp::create(rewriter, loc, byte, result, ArrayRef<int64_t>{lane});
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerPermuteBytesPass
    : quweit::impl::LowerPermuteBytesBase<LowerPermuteBytesPass> {
  using LowerPermuteBytesBase::LowerPermuteBytesBase;
  void runOnOperation() override {
    FailureOr<bool> vbmi = targetFeatureEnabled(
        getOperation(), "quweit-lower-permute-bytes", targetFeatures, "avx512vbmi");
    if (failed(vbmi))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateLowerPermuteBytesPatterns(patterns, *vbmi);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void quweit::populateLowerPermuteBytesPatterns(RewritePatternSet &patterns, bool vbmi) {
  // The per-lane lowering applies to whatever the VBMI pattern leaves.
  if (vbmi)
    patterns.add<PermuteBytesToVbmi>(patterns.getContext(), /*benefit=*/2);
  patterns.add<PermuteBytesToExtracts>(patterns.getContext());
}
