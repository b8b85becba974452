//===- SpecialiseLutKernels.cpp - outline layers to be specialised --------===//
//
// After bufferization, replaces each bit-sliced LUT layer that
// convert-quweit-to-linalg marked `quweit.specialise` (a table-driven
// linalg.generic on buffers) by a call of a kernel declaration that carries
// the layer's tables. quweit-emit-lut-kernels defines the kernel's body after
// the conversion to LLVM (EmitLutKernels.cpp).
//
// Why so late: a specialised layer is ~30 operations per LUT (hundreds of
// thousands for P1's 8192 LUTs), and each of the ~20 passes between
// bufferization and LLVM costs time per operation; emitted as MLIR ops here
// they took ~6 ms per LUT (docs/performance.md, P4). Per-LUT code on tensors
// is worse still: one tensor.insert per LUT makes one-shot bufferization's
// analysis explode.
//
//===----------------------------------------------------------------------===//

#include "WordLogic.h"

#include "quweit/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace quweit {
#define GEN_PASS_DEF_SPECIALISELUTKERNELS
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

namespace {

/// The row stride (in words) of a rank-2 buffer whose rows are contiguous
/// words, or failure (also for no buffer). The kernel addresses words as
/// base + offset + row * stride + column with the stride as a constant.
FailureOr<int64_t> rowStride(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type || type.getRank() != 2 ||
      failed(type.getStridesAndOffset(strides, offset)) || strides[1] != 1 ||
      ShapedType::isDynamic(strides[0]))
    return failure();
  return strides[0];
}

struct SpecialiseLutKernelsPass
    : quweit::impl::SpecialiseLutKernelsBase<SpecialiseLutKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::GenericOp> marked;
    module->walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kSpecialiseAttrName))
        marked.push_back(op);
    });
    SymbolTable symbols(module);
    for (linalg::GenericOp op : marked) {
      auto in = op.getNumDpsInputs() == 1
                    ? dyn_cast<MemRefType>(op.getDpsInputOperand(0)->get().getType())
                    : MemRefType();
      auto out = op.getNumDpsInits() == 1
                     ? dyn_cast<MemRefType>(op.getDpsInitOperand(0)->get().getType())
                     : MemRefType();
      // Still on tensors (the pass ran too early), not a layer the lowering
      // marked, or strided rows: the generic stays the table-driven
      // evaluation.
      FailureOr<int64_t> inStride = rowStride(in);
      FailureOr<int64_t> outStride = rowStride(out);
      if (failed(inStride) || failed(outStride) || out.isDynamicDim(1) ||
          in.isDynamicDim(1) || in.getElementType() != out.getElementType() ||
          !in.getElementType().isSignlessInteger()) {
        op->removeAttr(kSpecialiseAttrName);
        continue;
      }
      auto spec = op->getAttrOfType<DictionaryAttr>(kSpecialiseAttrName);
      if (failed(readSpecialisedLayer(op, spec, kSpecialiseAttrName,
                                      in.getDimSize(1), out.getDimSize(1))))
        return signalPassFailure();

      Builder attrs(op);
      auto kernel = func::FuncOp::create(
          op.getLoc(), "__quweit_lut_kernel",
          attrs.getFunctionType({in, out}, {}));
      kernel.setPrivate();
      kernel->setAttr(
          kLutKernelAttrName,
          attrs.getDictionaryAttr(
              {attrs.getNamedAttr("mapping", spec.get("mapping")),
               attrs.getNamedAttr("tables", spec.get("tables")),
               attrs.getNamedAttr("word_type", TypeAttr::get(in.getElementType())),
               attrs.getNamedAttr("num_inputs", attrs.getI64IntegerAttr(in.getDimSize(1))),
               attrs.getNamedAttr("input_row_stride", attrs.getI64IntegerAttr(*inStride)),
               attrs.getNamedAttr("output_row_stride", attrs.getI64IntegerAttr(*outStride))}));
      // Renamed to a unique __quweit_lut_kernel<k> on a clash.
      symbols.insert(kernel);
      OpBuilder builder(op);
      func::CallOp::create(builder, op.getLoc(), kernel,
                           ValueRange{op.getDpsInputOperand(0)->get(),
                                      op.getDpsInitOperand(0)->get()});
      op.erase();
    }
  }
};

} // namespace
