//===- WordLogic.cpp - bit-sliced LUT layers as Boolean word logic --------===//
//
// In the batch_sliced layout bit s of every word belongs to sample s, so a
// LUT is evaluated on a whole word of samples at once with Boolean logic on
// its input words. Two code generation strategies (docs/performance.md):
//
// - tables as data: a mux tree over the 2^n table bits, each bit spread over a
//   word ("leaf"). Iterating LUT-major lets LLVM hoist a LUT's leaves out of
//   the loop over word rows; the code does not grow with the LUT count.
// - specialised tables: each table becomes its own code
//   (SpecialiseLutKernels.cpp, EmitLutKernels.cpp). A random 6-input table
//   needs 15 three-input operations on words.
//
//===----------------------------------------------------------------------===//

#include "WordLogic.h"

#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

//===----------------------------------------------------------------------===//
// WordLanes
//===----------------------------------------------------------------------===//

WordLanes::WordLanes(Type wordType) : word(wordType), compute(wordType) {
  unsigned bits = wordType.getIntOrFloatBitWidth();
  lanes = bits > 64 ? bits / 64 : 1;
  if (lanes > 1)
    compute = VectorType::get({lanes}, IntegerType::get(wordType.getContext(), 64));
}

Value WordLanes::toCompute(ImplicitLocOpBuilder &b, Value value) const {
  if (!isVector())
    return value;
  Value single = vector::FromElementsOp::create(
      b, VectorType::get({1}, word), ValueRange{value});
  return vector::BitCastOp::create(b, cast<VectorType>(compute), single);
}

Value WordLanes::toWord(ImplicitLocOpBuilder &b, Value value) const {
  if (!isVector())
    return value;
  Value single =
      vector::BitCastOp::create(b, VectorType::get({1}, word), value);
  return vector::ExtractOp::create(b, single, ArrayRef<int64_t>{0});
}

Value WordLanes::constant(ImplicitLocOpBuilder &b, bool ones) const {
  if (!isVector())
    return constantInt(b, word, ones ? -1 : 0);
  auto type = cast<VectorType>(compute);
  return arith::ConstantOp::create(
      b, type, DenseElementsAttr::get(type, APInt(64, ones ? -1 : 0, true)));
}

Value WordLanes::spread(ImplicitLocOpBuilder &b, Value bit) const {
  // 0 - bit: all ones where the bit is 1.
  Value mask = arith::SubIOp::create(b, constantInt(b, b.getI64Type(), 0), bit);
  if (isVector())
    return vector::BroadcastOp::create(b, compute, mask);
  if (word.getIntOrFloatBitWidth() < 64)
    return arith::TruncIOp::create(b, word, mask);
  return mask;
}

Value WordLanes::select(ImplicitLocOpBuilder &b, Value x, Value hi, Value lo) {
  // lo ^ ((lo ^ hi) & x): a bit-select (one vpternlog on AVX-512).
  Value diff = arith::XOrIOp::create(b, lo, hi);
  return arith::XOrIOp::create(b, lo, arith::AndIOp::create(b, diff, x));
}

//===----------------------------------------------------------------------===//
// Specialised layers
//===----------------------------------------------------------------------===//

FailureOr<SpecialisedLayer>
lowering::readSpecialisedLayer(Operation *op, DictionaryAttr spec,
                               StringRef attrName, int64_t numInputs,
                               int64_t numLuts) {
  auto mapping = spec ? spec.getAs<ElementsAttr>("mapping") : ElementsAttr();
  auto tables = spec ? spec.getAs<ElementsAttr>("tables") : ElementsAttr();
  if (!mapping || !tables)
    return op->emitError() << "'" << attrName
                           << "' must be a dictionary with 'mapping' and 'tables'";
  SpecialisedLayer layer;
  if (readIntegers(mapping, layer.mapping) || readBits(tables, layer.tables))
    return op->emitError("cannot read the layer's mapping or tables");
  auto mappingShape = mapping.getShapedType().getShape();
  auto tablesShape = tables.getShapedType().getShape();
  if (mappingShape.size() != 2 || tablesShape.size() != 2 ||
      (numLuts >= 0 && mappingShape[0] != numLuts) ||
      tablesShape[0] != mappingShape[0] || mappingShape[1] < 1 ||
      mappingShape[1] > 16 ||
      tablesShape[1] != (int64_t(1) << mappingShape[1]))
    return op->emitError("mapping and tables do not match the layer's buffers");
  layer.numLuts = mappingShape[0];
  layer.fanIn = mappingShape[1];
  for (int64_t source : layer.mapping)
    if (source < 0 || source >= numInputs)
      return op->emitError() << "mapping value " << source << " outside [0, "
                             << numInputs << ")";
  return layer;
}

//===----------------------------------------------------------------------===//
// Bit-sliced LUT layers
//===----------------------------------------------------------------------===//

namespace {

/// Packs the tables of a layer into i64 words of 2^6 entries:
/// word [j, c] bit a = tables[j, c * 64 + a]. Fan-in below 6 uses one word
/// with 2^n meaningful bits.
ElementsAttr packTables(ArrayRef<uint8_t> bits, int64_t numLuts, int64_t fanIn,
                        MLIRContext *context) {
  int64_t tableSize = int64_t(1) << fanIn;
  int64_t chunkBits = std::min<int64_t>(fanIn, 6);
  int64_t chunks = int64_t(1) << (fanIn - chunkBits);
  std::vector<int64_t> words(numLuts * chunks, 0);
  for (int64_t j = 0; j < numLuts; ++j)
    for (int64_t address = 0; address < tableSize; ++address) // no branch: random bits
      words[j * chunks + (address >> chunkBits)] |=
          int64_t(uint64_t(bits[j * tableSize + address] & 1)
                  << (address & ((int64_t(1) << chunkBits) - 1)));
  auto type = RankedTensorType::get({numLuts, chunks}, IntegerType::get(context, 64));
  return buildIntegers(type, words, "quweit_packed_tables");
}

/// Tables as data: one linalg.generic over [rows, M], iterated LUT-major.
Value lowerTableDriven(PackedLutLayerOp op, Value input, OpBuilder &builder,
                       ArrayRef<uint8_t> bits) {
  Location loc = op.getLoc();
  int64_t fanIn = op.getFanIn(), numLuts = op.getNumLuts();
  ElementsAttr packed = packTables(bits, numLuts, fanIn, builder.getContext());
  Value mapping = constantTensor(builder, loc, op.getMapping());
  Value tableWords = constantTensor(builder, loc, packed);
  auto type = op.getOutput().getType();
  WordLanes words(type.getElementType());
  int64_t chunkBits = std::min<int64_t>(fanIn, 6);
  int64_t chunks = int64_t(1) << (fanIn - chunkBits);
  return buildElementwise(
      builder, loc, type, batchSizes(builder, loc, input, type),
      [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
        SmallVector<Value> x;
        for (int64_t slot = 0; slot < fanIn; ++slot)
          x.push_back(words.toCompute(
              b, tensor::ExtractOp::create(
                     b, input, ValueRange{ix[0], mappingAt(b, mapping, ix[1], slot)})));
        // Mux tree over the 2^chunkBits entries of one table word.
        auto muxChunk = [&](ImplicitLocOpBuilder &b, Value chunk) -> Value {
          Value tableWord =
              tensor::ExtractOp::create(b, tableWords, ValueRange{ix[1], chunk});
          SmallVector<Value> level;
          Value one = constantInt(b, b.getI64Type(), 1);
          for (int64_t a = 0; a < (int64_t(1) << chunkBits); ++a) {
            Value bit = arith::AndIOp::create(
                b, arith::ShRUIOp::create(b, tableWord,
                                          constantInt(b, b.getI64Type(), a)),
                one);
            level.push_back(words.spread(b, bit));
          }
          for (int64_t slot = 0; slot < chunkBits; ++slot) {
            SmallVector<Value> next;
            for (size_t a = 0; a + 1 < level.size(); a += 2)
              next.push_back(WordLanes::select(b, x[slot], level[a + 1], level[a]));
            level = std::move(next);
          }
          return level.front();
        };
        if (chunks == 1)
          return words.toWord(b, muxChunk(b, constantIndex(b, 0)));
        // Above fan-in 6: OR over table words of (the minterm of the upper
        // address bits that selects the word) & (mux over the lower 6 bits).
        Value zero = words.constant(b, false);
        Value ones = words.constant(b, true);
        auto loop = scf::ForOp::create(
            b, constantIndex(b, 0), constantIndex(b, chunks), constantIndex(b, 1),
            ValueRange{zero},
            [&](OpBuilder &nested, Location nestedLoc, Value chunk, ValueRange acc) {
              ImplicitLocOpBuilder nb(nestedLoc, nested);
              Value chunk64 = arith::IndexCastUIOp::create(nb, nb.getI64Type(), chunk);
              Value minterm = ones;
              for (int64_t slot = chunkBits; slot < fanIn; ++slot) {
                Value bit = arith::AndIOp::create(
                    nb,
                    arith::ShRUIOp::create(
                        nb, chunk64, constantInt(nb, nb.getI64Type(), slot - chunkBits)),
                    constantInt(nb, nb.getI64Type(), 1));
                // x where the chunk's address bit is 1, ~x where it is 0.
                Value polarity = arith::XOrIOp::create(nb, words.spread(nb, bit), ones);
                Value term = arith::XOrIOp::create(nb, x[slot], polarity);
                minterm = arith::AndIOp::create(nb, minterm, term);
              }
              Value value = arith::AndIOp::create(nb, minterm, muxChunk(nb, chunk));
              scf::YieldOp::create(nb, ValueRange{arith::OrIOp::create(nb, acc[0], value)});
            });
        return words.toWord(b, loop.getResult(0));
      },
      /*outerDim=*/1, /*rowInput=*/input);
}

} // namespace

FailureOr<Value> lowering::lowerBatchSlicedLutLayer(PackedLutLayerOp op,
                                                  Value input,
                                                  OpBuilder &builder,
                                                  bool specialise) {
  std::vector<uint8_t> bits;
  if (readBits(op.getTables(), bits))
    return failure();
  Value result = lowerTableDriven(op, input, builder, bits);
  if (specialise) {
    // Specialised code is generated on buffers, after bufferization
    // (quweit-specialise-lut-kernels): per-LUT code on tensors would make
    // one-shot bufferization's analysis explode. Until then the generic is
    // a correct table-driven evaluation of the layer.
    auto generic = result.getDefiningOp<linalg::GenericOp>();
    generic->setAttr(kSpecialiseAttrName,
                     builder.getDictionaryAttr(
                         {builder.getNamedAttr("mapping", op.getMapping()),
                          builder.getNamedAttr("tables", op.getTables())}));
  }
  return result;
}

MemRefType lowering::anyLayout(ArrayRef<int64_t> shape, Type elementType) {
  SmallVector<int64_t> strides(shape.size(), ShapedType::kDynamic);
  return MemRefType::get(shape, elementType,
                         StridedLayoutAttr::get(elementType.getContext(),
                                                ShapedType::kDynamic, strides));
}

void lowering::buildLoop(ImplicitLocOpBuilder &b, Value lower, Value upper,
                         function_ref<void(ImplicitLocOpBuilder &, Value)> body) {
  scf::ForOp::create(b, lower, upper, constantIndex(b, 1), ValueRange{},
                     [&](OpBuilder &nested, Location loc, Value i, ValueRange) {
                       ImplicitLocOpBuilder nb(loc, nested);
                       body(nb, i);
                       scf::YieldOp::create(nb);
                     });
}
