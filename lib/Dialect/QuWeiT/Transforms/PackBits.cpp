//===- PackBits.cpp - rewrite LUT layers into packed form -----------------===//

#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
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
    if (featurePackedRows < 0) {
      getOperation()->emitError()
          << "quweit-pack-bits: feature-packed-rows must not be negative, got "
          << static_cast<int64_t>(featurePackedRows);
      return signalPassFailure();
    }
    if (layout == "auto" && runtimeDispatch)
      dispatchDynamicChains();
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
      BitLayout chosen = chooseLayout(op);
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

  BitLayout chooseLayout(LutLayerOp op) const {
    if (layout == "batch-sliced")
      return BitLayout::batch_sliced;
    if (layout == "feature-packed")
      return BitLayout::feature_packed;
    if (auto forced = dispatchedLayout.find(op); forced != dispatchedLayout.end())
      return forced->second;
    RankedTensorType type = op.getInput().getType();
    bool smallStaticBatch =
        !type.isDynamicDim(0) && type.getDimSize(0) < featurePackedRows;
    return smallStaticBatch ? BitLayout::feature_packed : BitLayout::batch_sliced;
  }

  /// The layers of each branch of a run-time layout dispatch.
  llvm::DenseMap<Operation *, BitLayout> dispatchedLayout;

  /// Wraps every chain of LUT layers with a dynamic batch in an scf.if on the
  /// batch size: feature-packed below featurePackedRows, batch-sliced above.
  void dispatchDynamicChains() {
    SmallVector<LutLayerOp> heads;
    getOperation()->walk([&](LutLayerOp op) {
      if (isa<LutFFNOp>(op->getParentOp()) || !op.getInput().getType().isDynamicDim(0))
        return;
      // A chain starts at a layer whose input is not another chain member.
      auto previous = op.getInput().getDefiningOp<LutLayerOp>();
      if (!previous || !continuesChain(previous, op))
        heads.push_back(op);
    });
    for (LutLayerOp head : heads)
      dispatchChain(head);
  }

  /// `next` continues `layer`'s chain: it is the only reader of its output,
  /// in the same block.
  static bool continuesChain(LutLayerOp layer, Operation *next) {
    return layer.getOutput().hasOneUse() && next->getBlock() == layer->getBlock() &&
           *layer.getOutput().getUsers().begin() == next;
  }

  void dispatchChain(LutLayerOp head) {
    // The ops that move into the branches, in order.
    SmallVector<Operation *> chain;
    if (auto thermometer = head.getInput().getDefiningOp<ThermometerOp>();
        thermometer && thermometer->hasOneUse() &&
        thermometer->getBlock() == head->getBlock())
      chain.push_back(thermometer);
    LutLayerOp last = head;
    chain.push_back(head);
    while (last.getOutput().hasOneUse()) {
      auto next = dyn_cast<LutLayerOp>(*last.getOutput().getUsers().begin());
      if (!next || !continuesChain(last, next))
        break;
      chain.push_back(next);
      last = next;
    }
    if (last.getOutput().hasOneUse())
      if (auto sum = dyn_cast<GroupSumOp>(*last.getOutput().getUsers().begin());
          sum && sum->getBlock() == last->getBlock())
        chain.push_back(sum);
    Operation *tail = chain.back();
    Value chainInput = chain.front()->getOperand(0);

    // Every operand from outside the chain is defined before some chain op,
    // hence before the tail: the branches go there.
    OpBuilder builder(tail);
    Location loc = head.getLoc();
    Value rows = tensor::DimOp::create(builder, loc, chainInput, 0);
    Value small = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::ult, rows,
        arith::ConstantIndexOp::create(builder, loc, featurePackedRows));
    auto dispatch = scf::IfOp::create(builder, loc, tail->getResultTypes(), small,
                                      /*withElseRegion=*/true);
    auto fill = [&](Block *block, BitLayout chosen) {
      OpBuilder inner = OpBuilder::atBlockBegin(block);
      IRMapping mapping;
      for (Operation *op : chain) {
        Operation *copy = inner.clone(*op, mapping);
        if (isa<LutLayerOp>(copy))
          dispatchedLayout[copy] = chosen;
      }
      scf::YieldOp::create(inner, loc, mapping.lookup(tail->getResult(0)));
    };
    fill(dispatch.thenBlock(), BitLayout::feature_packed);
    fill(dispatch.elseBlock(), BitLayout::batch_sliced);
    tail->getResult(0).replaceAllUsesWith(dispatch.getResult(0));
    for (Operation *op : llvm::reverse(chain))
      op->erase();
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
