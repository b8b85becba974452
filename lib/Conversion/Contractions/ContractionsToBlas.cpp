//===- ContractionsToBlas.cpp - f32 matmuls as cblas_sgemm calls ----------===//
//
// The opt-in alternative to quweit-vectorize-contractions: a tuned BLAS
// (OpenBLAS reaches ~100 GFLOP/s on one AVX-512 core) for the attention and
// projection matmuls of hybrid models, at the price of a link dependency.
//
//===----------------------------------------------------------------------===//

#include "quweit/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace quweit {
#define GEN_PASS_DEF_CONTRACTIONSTOBLAS
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kSgemm = "cblas_sgemm";
// enum CBLAS_ORDER / CBLAS_TRANSPOSE values of cblas.h.
constexpr int32_t kRowMajor = 101, kNoTrans = 111;

/// A matmul or batch_matmul on f32 buffers whose rows are contiguous.
bool isBlasCandidate(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) ||
      !op.hasPureBufferSemantics())
    return false;
  // Only the plain (un-transposed, un-broadcast) forms.
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
      matmul && matmul.hasUserDefinedMaps())
    return false;
  if (auto batch = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      batch && batch.hasUserDefinedMaps())
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32())
      return false;
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) ||
        strides.back() != 1)
      return false;
  }
  return true;
}

/// One operand as BLAS sees it: the address of its first element (of batch
/// element `batch`, if given) and its leading dimension.
struct BlasMatrix {
  Value pointer;
  Value leading; // index
};

BlasMatrix matrixOf(OpBuilder &b, Location loc, Value memref, Value batch) {
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  unsigned rank = cast<MemRefType>(memref.getType()).getRank();
  Value element = metadata.getOffset();
  if (batch)
    element = arith::AddIOp::create(
        b, loc, element,
        arith::MulIOp::create(b, loc, batch, metadata.getStrides()[0]));
  Value aligned = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value bytes = arith::MulIOp::create(
      b, loc, element, arith::ConstantIndexOp::create(b, loc, sizeof(float)));
  Value address = arith::IndexCastOp::create(
      b, loc, b.getI64Type(), arith::AddIOp::create(b, loc, aligned, bytes));
  Value pointer = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), address);
  return {pointer, metadata.getStrides()[rank - 2]};
}

/// Declares cblas_sgemm in the module, or checks an existing declaration.
FailureOr<func::FuncOp> declareSgemm(ModuleOp module) {
  OpBuilder b(module.getBodyRegion());
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  Type ptr = LLVM::LLVMPointerType::get(module.getContext());
  FunctionType type = b.getFunctionType(
      {i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32}, {});
  if (Operation *existing = module.lookupSymbol(kSgemm)) {
    auto func = dyn_cast<func::FuncOp>(existing);
    if (!func || func.getFunctionType() != type) {
      existing->emitError("quweit-contractions-to-blas: the symbol '")
          << kSgemm << "' is taken by something other than the CBLAS function";
      return failure();
    }
    return func;
  }
  b.setInsertionPointToStart(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), kSgemm, type);
  func.setPrivate();
  return func;
}

/// Replaces `op` by `if (all sizes fit in int) { sgemm calls } else { op }`.
void rewriteToBlas(linalg::LinalgOp op, func::FuncOp sgemm) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  bool batched = isa<linalg::BatchMatmulOp>(op);
  Value a = op.getDpsInputOperand(0)->get(), bm = op.getDpsInputOperand(1)->get(),
        c = op.getDpsInitOperand(0)->get();
  unsigned rank = batched ? 3 : 2;
  Value m = memref::DimOp::create(b, loc, c, rank - 2);
  Value n = memref::DimOp::create(b, loc, c, rank - 1);
  Value k = memref::DimOp::create(b, loc, a, rank - 1);

  // Leading dimensions (and sizes) must fit the LP64 interface's int.
  Value limit = arith::ConstantIndexOp::create(
      b, loc, std::numeric_limits<int32_t>::max());
  Value fits = arith::ConstantIntOp::create(b, loc, 1, 1);
  SmallVector<Value> checked = {m, n, k};
  for (Value operand : {a, bm, c}) {
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, operand);
    checked.push_back(metadata.getStrides()[rank - 2]);
  }
  for (Value value : checked)
    fits = arith::AndIOp::create(
        b, loc, fits,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, value, limit));
  auto ifOp = scf::IfOp::create(b, loc, fits, /*withElseRegion=*/true);
  // Too large for int: keep the linalg op (loops later).
  op->moveBefore(ifOp.elseBlock()->getTerminator());

  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  auto toInt = [&](Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index).getResult();
  };
  auto i32 = [&](int32_t value) {
    return arith::ConstantIntOp::create(b, loc, value, 32).getResult();
  };
  Value one = arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                             llvm::APFloat(1.0f));
  Value mi = toInt(m), ni = toInt(n), ki = toInt(k);
  auto emitCall = [&](Value batch) {
    BlasMatrix ma = matrixOf(b, loc, a, batch), mb = matrixOf(b, loc, bm, batch),
               mc = matrixOf(b, loc, c, batch);
    func::CallOp::create(
        b, loc, sgemm,
        ValueRange{i32(kRowMajor), i32(kNoTrans), i32(kNoTrans), mi, ni, ki, one,
                   ma.pointer, toInt(ma.leading), mb.pointer, toInt(mb.leading),
                   one, mc.pointer, toInt(mc.leading)});
  };
  if (!batched) {
    emitCall(Value());
    return;
  }
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = memref::DimOp::create(b, loc, c, 0);
  auto loop = scf::ForOp::create(b, loc, zero, count, step);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  emitCall(loop.getInductionVar());
}

struct ContractionsToBlasPass
    : quweit::impl::ContractionsToBlasBase<ContractionsToBlasPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isBlasCandidate(op))
        candidates.push_back(op);
    });
    if (candidates.empty())
      return;
    FailureOr<func::FuncOp> sgemm = declareSgemm(getOperation());
    if (failed(sgemm))
      return signalPassFailure();
    for (linalg::LinalgOp op : candidates)
      rewriteToBlas(op, *sgemm);
  }
};

} // namespace
