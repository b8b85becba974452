//===- SpecialiseLutKernels.cpp - tables compiled into logic --------------===//
//
// After bufferization, replaces each bit-sliced LUT layer that
// convert-quweit-to-linalg marked `quweit.specialise` (a table-driven
// linalg.generic on buffers) by straight-line Boolean logic per LUT: loads of
// the LUT's input words, its table as an expression (WordLogic.h), a store.
// The code is emitted on buffers because the same code on tensors (one
// tensor.insert per LUT) makes one-shot bufferization's analysis explode
// (seconds for a few hundred LUTs).
//
//===----------------------------------------------------------------------===//

#include "WordLogic.h"

#include "quweit/Conversion/Passes.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace quweit {
#define GEN_PASS_DEF_SPECIALISELUTKERNELS
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

namespace {

/// LUTs per loop over the word rows: the loop body stays small enough for
/// the instruction cache, and each input word is loaded once per loop.
constexpr int64_t kLutsPerLoop = 16;

struct LayerData {
  int64_t numLuts = 0, fanIn = 0;
  std::vector<int64_t> mapping;
  std::vector<uint8_t> tables;
};

/// Reads and checks the marked layer's mapping and tables against the
/// generic's buffers (the attribute is discardable, so it is re-verified).
FailureOr<LayerData> readLayer(linalg::GenericOp op, MemRefType in, MemRefType out) {
  auto spec = op->getAttrOfType<DictionaryAttr>(kSpecialiseAttrName);
  auto mapping = spec ? spec.getAs<ElementsAttr>("mapping") : ElementsAttr();
  auto tables = spec ? spec.getAs<ElementsAttr>("tables") : ElementsAttr();
  if (!mapping || !tables)
    return op.emitError() << "'" << kSpecialiseAttrName
                          << "' must be a dictionary with 'mapping' and 'tables'";
  LayerData layer;
  layer.numLuts = out.getDimSize(1);
  int64_t numInputs = in.getDimSize(1);
  if (readIntegers(mapping, layer.mapping) || readBits(tables, layer.tables))
    return op.emitError("cannot read the layer's mapping or tables");
  auto mappingShape = mapping.getShapedType().getShape();
  auto tablesShape = tables.getShapedType().getShape();
  if (mappingShape.size() != 2 || tablesShape.size() != 2 ||
      mappingShape[0] != layer.numLuts || tablesShape[0] != layer.numLuts ||
      mappingShape[1] < 1 || mappingShape[1] > 16 ||
      tablesShape[1] != (int64_t(1) << mappingShape[1]))
    return op.emitError("mapping and tables do not match the layer's buffers");
  layer.fanIn = mappingShape[1];
  for (int64_t source : layer.mapping)
    if (source < 0 || source >= numInputs)
      return op.emitError() << "mapping value " << source << " outside [0, "
                            << numInputs << ")";
  return layer;
}

void emitSpecialised(linalg::GenericOp op, const LayerData &layer) {
  OpBuilder builder(op);
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Value in = op.getDpsInputOperand(0)->get();
  Value out = op.getDpsInitOperand(0)->get();
  WordLanes words(cast<MemRefType>(out.getType()).getElementType());
  int64_t tableSize = int64_t(1) << layer.fanIn;
  Value rows = memref::DimOp::create(b, out, 0);
  Value zero = constantIndex(b, 0), one = constantIndex(b, 1);
  ArrayRef<uint8_t> tables(layer.tables);
  for (int64_t first = 0; first < layer.numLuts; first += kLutsPerLoop) {
    int64_t last = std::min(layer.numLuts, first + kLutsPerLoop);
    scf::ForOp::create(
        b, zero, rows, one, ValueRange{},
        [&](OpBuilder &nested, Location loc, Value row, ValueRange) {
          ImplicitLocOpBuilder nb(loc, nested);
          llvm::DenseMap<int64_t, Value> inputWords;
          auto inputWord = [&](int64_t column) {
            Value &slot = inputWords[column];
            if (!slot)
              slot = words.toCompute(
                  nb, memref::LoadOp::create(
                          nb, in, ValueRange{row, constantIndex(nb, column)}));
            return slot;
          };
          for (int64_t j = first; j < last; ++j) {
            SmallVector<Value> x;
            for (int64_t slot = 0; slot < layer.fanIn; ++slot)
              x.push_back(inputWord(layer.mapping[j * layer.fanIn + slot]));
            Value value = buildTruthTableLogic(nb, words, x,
                                               tables.slice(j * tableSize, tableSize));
            memref::StoreOp::create(nb, words.toWord(nb, value), out,
                                    ValueRange{row, constantIndex(nb, j)});
          }
          scf::YieldOp::create(nb);
        });
  }
  op.erase();
}

struct SpecialiseLutKernelsPass
    : quweit::impl::SpecialiseLutKernelsBase<SpecialiseLutKernelsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> marked;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kSpecialiseAttrName))
        marked.push_back(op);
    });
    for (linalg::GenericOp op : marked) {
      auto in = op.getNumDpsInputs() == 1
                    ? dyn_cast<MemRefType>(op.getDpsInputOperand(0)->get().getType())
                    : MemRefType();
      auto out = op.getNumDpsInits() == 1
                     ? dyn_cast<MemRefType>(op.getDpsInitOperand(0)->get().getType())
                     : MemRefType();
      // Still on tensors (the pass ran too early), or not a layer the
      // lowering marked: the generic stays the table-driven evaluation.
      if (!in || !out || in.getRank() != 2 || out.getRank() != 2 ||
          out.isDynamicDim(1) || in.isDynamicDim(1) ||
          in.getElementType() != out.getElementType()) {
        op->removeAttr(kSpecialiseAttrName);
        continue;
      }
      FailureOr<LayerData> layer = readLayer(op, in, out);
      if (failed(layer))
        return signalPassFailure();
      emitSpecialised(op, *layer);
    }
  }
};

} // namespace
