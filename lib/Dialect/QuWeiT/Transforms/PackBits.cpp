//===- PackBits.cpp - rewrite LUT layers into packed form -----------------===//

#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace quweit {
#define GEN_PASS_DEF_PACKBITS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct PackBitsPass : quweit::impl::PackBitsBase<PackBitsPass> {
  using PackBitsBase::PackBitsBase;

  void runOnOperation() override {
    if (layout != "auto" && layout != "batch-sliced" && layout != "feature-packed") {
      getOperation()->emitError() << "quweit-pack-bits: unknown layout '" << layout
                                  << "' (use batch-sliced, feature-packed or auto)";
      return signalPassFailure();
    }
    if (!llvm::isPowerOf2_32(wordBits) || wordBits < 8 || wordBits > 512) {
      getOperation()->emitError() << "quweit-pack-bits: word-bits must be 8, "
                                     "16, 32, 64, 128, 256 or 512, got " << wordBits;
      return signalPassFailure();
    }
    SmallVector<LutLayerOp> layers;
    getOperation()->walk([&](LutLayerOp op) {
      if (!isa<LutFFNOp>(op->getParentOp()))
        layers.push_back(op);
    });
    // Packed words of each i1 value already produced in packed form, and the
    // batch size that goes with them.
    struct Packed {
      Value words;
      Value batch; // null when the batch is static
      BitLayout layout;
    };
    llvm::DenseMap<Value, Packed> packedOf;
    for (LutLayerOp op : layers) {
      OpBuilder builder(op);
      Location loc = op.getLoc();
      auto inputType = op.getInput().getType();
      BitLayout chosen = chooseLayout(inputType);
      Packed input;
      auto known = packedOf.find(op.getInput());
      if (known != packedOf.end() && known->second.layout == chosen) {
        input = known->second;
      } else {
        input.layout = chosen;
        if (inputType.isDynamicDim(0))
          input.batch = tensor::DimOp::create(builder, loc, op.getInput(), 0);
        auto wordsType = packedType(inputType, chosen);
        input.words = PackBitsOp::create(builder, loc, wordsType, op.getInput(),
                                         BitLayoutAttr::get(&getContext(), chosen));
      }
      auto outputType = op.getOutput().getType();
      auto packedLayer = PackedLutLayerOp::create(
          builder, loc, packedType(outputType, chosen), input.words,
          BitLayoutAttr::get(&getContext(), chosen),
          builder.getI64IntegerAttr(op.getNumInputs()), op.getMapping(),
          op.getTables());
      Value size = chosen == BitLayout::batch_sliced ? input.batch : Value();
      auto unpacked = UnpackBitsOp::create(
          builder, loc, outputType, packedLayer.getOutput(),
          BitLayoutAttr::get(&getContext(), chosen), size);
      op.getOutput().replaceAllUsesWith(unpacked.getOutput());
      packedOf[unpacked.getOutput()] = {packedLayer.getOutput(), input.batch, chosen};
      op.erase();
    }
  }

  BitLayout chooseLayout(RankedTensorType type) const {
    if (layout == "batch-sliced")
      return BitLayout::batch_sliced;
    if (layout == "feature-packed")
      return BitLayout::feature_packed;
    bool smallStaticBatch = !type.isDynamicDim(0) && type.getDimSize(0) < 64;
    return smallStaticBatch ? BitLayout::feature_packed : BitLayout::batch_sliced;
  }

  RankedTensorType packedType(RankedTensorType bits, BitLayout chosen) {
    // Wide words are SIMD registers of samples; one sample's features are
    // evaluated a LUT at a time, so feature-packed words stay scalar.
    int64_t width = chosen == BitLayout::feature_packed
                        ? std::min<int64_t>(wordBits, 64)
                        : int64_t(wordBits);
    auto word = IntegerType::get(&getContext(), width);
    int64_t rows = bits.getDimSize(0), cols = bits.getDimSize(1);
    if (chosen == BitLayout::batch_sliced)
      return RankedTensorType::get(
          {ShapedType::isDynamic(rows) ? rows : ceilDiv(rows, width), cols}, word);
    return RankedTensorType::get({rows, ceilDiv(cols, width)}, word);
  }
};

} // namespace
