//===- QuWeiTToLinalg.cpp - lower quweit ops to linalg.generic ------------===//
//
// Every quweit op becomes one linalg.generic on tensors with no inputs and
// one output; its body computes one element from the indices (linalg.index)
// with tensor.extract on the op's operand and constants. Keeping the lowering
// on tensors lets the LUT parts and the ordinary tensor parts of a hybrid
// model share one bufferization and one loop/LLVM lowering.
//
//===----------------------------------------------------------------------===//

#include "quweit/Conversion/Passes.h"
#include "quweit/Conversion/QuWeiTToLinalg/QuWeiTToLinalg.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

namespace quweit {
#define GEN_PASS_DEF_CONVERTQUWEITTOLINALG
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {

using BodyBuilder = function_ref<Value(ImplicitLocOpBuilder &, ValueRange)>;

/// Creates `tensor.empty` of `type` (dynamic sizes from `dynamicSizes`) and a
/// parallel linalg.generic over it whose body yields `body(indices)`.
Value buildElementwise(OpBuilder &builder, Location loc, RankedTensorType type,
                       ValueRange dynamicSizes, BodyBuilder body) {
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType(), dynamicSizes);
  SmallVector<AffineMap> maps = {builder.getMultiDimIdentityMap(type.getRank())};
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{type}, ValueRange{}, ValueRange{empty}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange) {
        ImplicitLocOpBuilder b(nestedLoc, nested);
        SmallVector<Value> indices;
        for (int64_t dim = 0; dim < type.getRank(); ++dim)
          indices.push_back(linalg::IndexOp::create(b, dim));
        linalg::YieldOp::create(b, body(b, indices));
      });
  return generic.getResult(0);
}

Value constantIndex(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value constantInt(ImplicitLocOpBuilder &b, Type type, int64_t value) {
  return arith::ConstantOp::create(b, type, b.getIntegerAttr(type, value));
}

/// Materialises an elements attribute as a constant tensor.
Value constantTensor(OpBuilder &builder, Location loc, ElementsAttr attr) {
  return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr));
}

/// Materialises an i1 table attribute as an i8 constant tensor of 0/1 bytes:
/// LLVM IR export has no conversion for large i1 dense_resource globals, and
/// bytes are what an i1 memref holds in memory anyway.
FailureOr<Value> tableBytes(OpBuilder &builder, Location loc, ElementsAttr tables) {
  std::vector<uint8_t> bits;
  if (readBits(tables, bits))
    return failure();
  std::vector<int64_t> values(bits.begin(), bits.end());
  auto type = RankedTensorType::get(tables.getShapedType().getShape(),
                                    builder.getI8Type());
  return constantTensor(builder, loc, buildIntegers(type, values, "quweit_tables"));
}

/// Reads tables[j, address] from a tableBytes() tensor as an i1.
Value tableEntry(ImplicitLocOpBuilder &b, Value tables, Value lut, Value address) {
  Value byte = tensor::ExtractOp::create(b, tables, ValueRange{lut, address});
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, byte,
                               constantInt(b, b.getI8Type(), 0));
}

/// acc | (zext(bit) << lane): sets bit `lane` (an index) of a packed word.
Value orBitIntoWord(ImplicitLocOpBuilder &b, Value acc, Value bit, Value lane) {
  Type wordType = acc.getType();
  Value wide = arith::ExtUIOp::create(b, wordType, bit);
  Value shift = arith::IndexCastUIOp::create(b, wordType, lane);
  return arith::OrIOp::create(b, acc, arith::ShLIOp::create(b, wide, shift));
}

/// The dynamic sizes `result` needs, taken from `source` dimension 0 when the
/// result's dimension 0 is dynamic (all quweit ops keep the batch).
SmallVector<Value> batchSizes(OpBuilder &builder, Location loc, Value source,
                              RankedTensorType result) {
  SmallVector<Value> sizes;
  if (result.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(builder, loc, source, 0));
  return sizes;
}

/// Reads mapping[j, l] as an index.
Value mappingAt(ImplicitLocOpBuilder &b, Value mapping, Value lut, int64_t slot) {
  Value value = tensor::ExtractOp::create(b, mapping,
                                          ValueRange{lut, constantIndex(b, slot)});
  return arith::IndexCastOp::create(b, b.getIndexType(), value);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct ThermometerLowering : OpConversionPattern<ThermometerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ThermometerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value thresholds = constantTensor(rewriter, loc, op.getThresholds());
    int64_t bits = op.getBitsPerFeature();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value perFeature = constantIndex(b, bits);
          Value feature = arith::DivUIOp::create(b, ix[1], perFeature);
          Value slot = arith::RemUIOp::create(b, ix[1], perFeature);
          Value x = tensor::ExtractOp::create(b, input, ValueRange{ix[0], feature});
          Value t = tensor::ExtractOp::create(b, thresholds, ValueRange{feature, slot});
          // Strictly greater, ordered: NaN gives 0 (semantics.md).
          return arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, t);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LutLayerLowering : OpConversionPattern<LutLayerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LutLayerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value mapping = constantTensor(rewriter, loc, op.getMapping());
    FailureOr<Value> tables = tableBytes(rewriter, loc, op.getTables());
    if (failed(tables))
      return rewriter.notifyMatchFailure(op, "tables unavailable");
    int64_t fanIn = op.getFanIn();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          // addr = sum_l input[b, mapping[j, l]] << l, least significant first.
          Value address = constantIndex(b, 0);
          for (int64_t slot = 0; slot < fanIn; ++slot) {
            Value source = mappingAt(b, mapping, ix[1], slot);
            Value bit = tensor::ExtractOp::create(b, input, ValueRange{ix[0], source});
            Value wide = arith::IndexCastUIOp::create(b, b.getIndexType(), bit);
            Value shifted = arith::ShLIOp::create(b, wide, constantIndex(b, slot));
            address = arith::OrIOp::create(b, address, shifted);
          }
          return tableEntry(b, *tables, ix[1], address);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Packs the tables of a layer into words of `wordBits` bits per 2^6 entries:
/// word [j, c] bit a = tables[j, c * 64 + a]. Fan-in below 6 uses one word
/// with 2^n meaningful bits.
FailureOr<ElementsAttr> packTables(OpBuilder &builder, ElementsAttr tables,
                                   int64_t numLuts, int64_t fanIn) {
  std::vector<uint8_t> bits;
  if (readBits(tables, bits))
    return failure();
  int64_t tableSize = int64_t(1) << fanIn;
  int64_t chunkBits = std::min<int64_t>(fanIn, 6);
  int64_t chunks = int64_t(1) << (fanIn - chunkBits);
  std::vector<int64_t> words(numLuts * chunks, 0);
  for (int64_t j = 0; j < numLuts; ++j)
    for (int64_t address = 0; address < tableSize; ++address)
      if (bits[j * tableSize + address])
        words[j * chunks + (address >> chunkBits)] |=
            int64_t(uint64_t(1) << (address & ((int64_t(1) << chunkBits) - 1)));
  auto type = RankedTensorType::get({numLuts, chunks}, builder.getI64Type());
  return buildIntegers(type, words, "quweit_packed_tables");
}

/// out = x ? hi : lo on every bit of a word.
Value selectBits(ImplicitLocOpBuilder &b, Value x, Value hi, Value lo) {
  // lo ^ ((lo ^ hi) & x)
  Value diff = arith::XOrIOp::create(b, lo, hi);
  return arith::XOrIOp::create(b, lo, arith::AndIOp::create(b, diff, x));
}

struct PackedLutLayerLowering : OpConversionPattern<PackedLutLayerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackedLutLayerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getLayout() == BitLayout::batch_sliced)
      return lowerBatchSliced(op, adaptor, rewriter);
    return lowerFeaturePacked(op, adaptor, rewriter);
  }

  /// Word-wide Boolean evaluation: every bit lane is one sample.
  LogicalResult lowerBatchSliced(PackedLutLayerOp op, OpAdaptor adaptor,
                                 ConversionPatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    int64_t fanIn = op.getFanIn(), numLuts = op.getNumLuts();
    FailureOr<ElementsAttr> packed =
        packTables(rewriter, op.getTables(), numLuts, fanIn);
    if (failed(packed))
      return rewriter.notifyMatchFailure(op, "tables unavailable");
    Value mapping = constantTensor(rewriter, loc, op.getMapping());
    Value tableWords = constantTensor(rewriter, loc, *packed);
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Type wordType = type.getElementType();
    unsigned wordBits = wordType.getIntOrFloatBitWidth();
    int64_t chunkBits = std::min<int64_t>(fanIn, 6);
    int64_t chunks = int64_t(1) << (fanIn - chunkBits);
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          SmallVector<Value> x;
          for (int64_t slot = 0; slot < fanIn; ++slot)
            x.push_back(tensor::ExtractOp::create(
                b, input, ValueRange{ix[0], mappingAt(b, mapping, ix[1], slot)}));
          Value zero = constantInt(b, wordType, 0);
          Value ones = constantInt(b, wordType, -1);
          // Mux tree over the 2^chunkBits entries of one table word.
          auto muxChunk = [&](ImplicitLocOpBuilder &b, Value chunk) -> Value {
            Value tableWord = tensor::ExtractOp::create(
                b, tableWords, ValueRange{ix[1], chunk});
            SmallVector<Value> level;
            Value one64 = constantInt(b, b.getI64Type(), 1);
            for (int64_t a = 0; a < (int64_t(1) << chunkBits); ++a) {
              Value bit = arith::AndIOp::create(
                  b, arith::ShRUIOp::create(b, tableWord,
                                            constantInt(b, b.getI64Type(), a)),
                  one64);
              Value narrow = wordBits == 64
                                 ? bit
                                 : Value(arith::TruncIOp::create(b, wordType, bit));
              // All ones where the entry is 1.
              level.push_back(arith::SubIOp::create(b, zero, narrow));
            }
            for (int64_t slot = 0; slot < chunkBits; ++slot) {
              SmallVector<Value> next;
              for (size_t a = 0; a + 1 < level.size(); a += 2)
                next.push_back(selectBits(b, x[slot], level[a + 1], level[a]));
              level = std::move(next);
            }
            return level.front();
          };
          if (chunks == 1)
            return muxChunk(b, constantIndex(b, 0));
          // Above fan-in 6: OR over table words of (word selected by the
          // upper address bits) & (mux over the lower 6 bits).
          auto loop = scf::ForOp::create(
              b, constantIndex(b, 0), constantIndex(b, chunks),
              constantIndex(b, 1), ValueRange{zero},
              [&](OpBuilder &nested, Location nestedLoc, Value chunk,
                  ValueRange acc) {
                ImplicitLocOpBuilder nb(nestedLoc, nested);
                Value chunk64 = arith::IndexCastUIOp::create(nb, nb.getI64Type(), chunk);
                Value select = constantInt(nb, wordType, -1);
                for (int64_t slot = chunkBits; slot < fanIn; ++slot) {
                  Value bit = arith::AndIOp::create(
                      nb,
                      arith::ShRUIOp::create(
                          nb, chunk64,
                          constantInt(nb, nb.getI64Type(), slot - chunkBits)),
                      constantInt(nb, nb.getI64Type(), 1));
                  Value isOne = arith::CmpIOp::create(
                      nb, arith::CmpIPredicate::ne, bit,
                      constantInt(nb, nb.getI64Type(), 0));
                  Value notX = arith::XOrIOp::create(nb, x[slot], ones);
                  Value term = arith::SelectOp::create(nb, isOne, x[slot], notX);
                  select = arith::AndIOp::create(nb, select, term);
                }
                Value value =
                    arith::AndIOp::create(nb, select, muxChunk(nb, chunk));
                scf::YieldOp::create(nb,
                                     ValueRange{arith::OrIOp::create(nb, acc[0], value)});
              });
          return loop.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// One sample's bits packed along features: each output word holds W LUTs.
  LogicalResult lowerFeaturePacked(PackedLutLayerOp op, OpAdaptor adaptor,
                                   ConversionPatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    int64_t fanIn = op.getFanIn(), numLuts = op.getNumLuts();
    Value mapping = constantTensor(rewriter, loc, op.getMapping());
    FailureOr<Value> tables = tableBytes(rewriter, loc, op.getTables());
    if (failed(tables))
      return rewriter.notifyMatchFailure(op, "tables unavailable");
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Type wordType = type.getElementType();
    int64_t wordBits = wordType.getIntOrFloatBitWidth();
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value zero = constantInt(b, wordType, 0);
          auto loop = scf::ForOp::create(
              b, constantIndex(b, 0), constantIndex(b, wordBits),
              constantIndex(b, 1), ValueRange{zero},
              [&](OpBuilder &nested, Location nestedLoc, Value lane,
                  ValueRange acc) {
                ImplicitLocOpBuilder nb(nestedLoc, nested);
                Value wordIndex = constantIndex(nb, wordBits);
                Value lut = arith::AddIOp::create(
                    nb, arith::MulIOp::create(nb, ix[1], wordIndex), lane);
                // Padding lanes (lut >= M) read LUT M-1 and are masked off.
                Value last = constantIndex(nb, numLuts - 1);
                Value clamped = arith::MinUIOp::create(nb, lut, last);
                Value valid = arith::CmpIOp::create(
                    nb, arith::CmpIPredicate::ult, lut, constantIndex(nb, numLuts));
                Value address = constantIndex(nb, 0);
                for (int64_t slot = 0; slot < fanIn; ++slot) {
                  Value source = mappingAt(nb, mapping, clamped, slot);
                  Value word = tensor::ExtractOp::create(
                      nb, input,
                      ValueRange{ix[0], arith::DivUIOp::create(nb, source, wordIndex)});
                  Value shift = arith::IndexCastUIOp::create(
                      nb, wordType, arith::RemUIOp::create(nb, source, wordIndex));
                  Value bit = arith::AndIOp::create(
                      nb, arith::ShRUIOp::create(nb, word, shift),
                      constantInt(nb, wordType, 1));
                  Value wide = arith::IndexCastUIOp::create(nb, nb.getIndexType(), bit);
                  address = arith::OrIOp::create(
                      nb, address,
                      arith::ShLIOp::create(nb, wide, constantIndex(nb, slot)));
                }
                Value entry = tableEntry(nb, *tables, clamped, address);
                Value kept = arith::AndIOp::create(nb, entry, valid);
                scf::YieldOp::create(nb, ValueRange{orBitIntoWord(nb, acc[0], kept, lane)});
              });
          return loop.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GroupSumLowering : OpConversionPattern<GroupSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GroupSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Type countType = type.getElementType();
    int64_t numBits = op.getInput().getType().getDimSize(1);
    int64_t groupSize = op.getContiguousGroupSize();
    Value groupIndex;
    if (op.getGroupIndex())
      groupIndex = constantTensor(rewriter, loc, *op.getGroupIndex());
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value zero = constantInt(b, countType, 0);
          Value begin, end;
          if (groupIndex) {
            begin = constantIndex(b, 0);
            end = constantIndex(b, numBits);
          } else {
            // Contiguous groups; padding bits are zero and simply not read.
            begin = arith::MulIOp::create(b, ix[1], constantIndex(b, groupSize));
            end = arith::MinUIOp::create(
                b, arith::AddIOp::create(b, begin, constantIndex(b, groupSize)),
                constantIndex(b, numBits));
            begin = arith::MinUIOp::create(b, begin, end);
          }
          auto loop = scf::ForOp::create(
              b, begin, end, constantIndex(b, 1), ValueRange{zero},
              [&](OpBuilder &nested, Location nestedLoc, Value i, ValueRange acc) {
                ImplicitLocOpBuilder nb(nestedLoc, nested);
                Value bit = tensor::ExtractOp::create(nb, input, ValueRange{ix[0], i});
                if (groupIndex) {
                  Value group = arith::IndexCastOp::create(
                      nb, nb.getIndexType(),
                      tensor::ExtractOp::create(nb, groupIndex, ValueRange{i}));
                  Value mine = arith::CmpIOp::create(nb, arith::CmpIPredicate::eq,
                                                     group, ix[1]);
                  bit = arith::AndIOp::create(nb, bit, mine);
                }
                Value wide = arith::ExtUIOp::create(nb, countType, bit);
                scf::YieldOp::create(nb, ValueRange{arith::AddIOp::create(nb, acc[0], wide)});
              });
          return loop.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScaleCountsLowering : OpConversionPattern<ScaleCountsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScaleCountsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Value scale, bias;
    if (op.getScale())
      scale = constantTensor(rewriter, loc, *op.getScale());
    if (op.getBias())
      bias = constantTensor(rewriter, loc, *op.getBias());
    FloatAttr tau = op.getTauAttr();
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value count = tensor::ExtractOp::create(b, input, ValueRange{ix[0], ix[1]});
          Value real = arith::SIToFPOp::create(b, b.getF32Type(), count);
          Value tauValue = arith::ConstantOp::create(b, tau);
          // (float(s) / tau) * scale + bias, as separate IEEE operations.
          Value value = arith::DivFOp::create(b, real, tauValue);
          if (scale)
            value = arith::MulFOp::create(
                b, value, tensor::ExtractOp::create(b, scale, ValueRange{ix[1]}));
          if (bias)
            value = arith::AddFOp::create(
                b, value, tensor::ExtractOp::create(b, bias, ValueRange{ix[1]}));
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ArgMaxLowering : OpConversionPattern<ArgMaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgMaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    int64_t classes = op.getInput().getType().getDimSize(1);
    bool isFloat = isa<FloatType>(op.getInput().getType().getElementType());
    Value result = buildElementwise(
        rewriter, loc, type, batchSizes(rewriter, loc, input, type),
        [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value first = tensor::ExtractOp::create(
              b, input, ValueRange{ix[0], constantIndex(b, 0)});
          // Scan with "strictly greater": the lowest index wins ties, NaN
          // never replaces (semantics.md).
          auto loop = scf::ForOp::create(
              b, constantIndex(b, 1), constantIndex(b, classes),
              constantIndex(b, 1), ValueRange{constantIndex(b, 0), first},
              [&](OpBuilder &nested, Location nestedLoc, Value c, ValueRange acc) {
                ImplicitLocOpBuilder nb(nestedLoc, nested);
                Value v = tensor::ExtractOp::create(nb, input, ValueRange{ix[0], c});
                Value greater =
                    isFloat ? Value(arith::CmpFOp::create(
                                  nb, arith::CmpFPredicate::OGT, v, acc[1]))
                            : Value(arith::CmpIOp::create(
                                  nb, arith::CmpIPredicate::sgt, v, acc[1]));
                scf::YieldOp::create(
                    nb, ValueRange{arith::SelectOp::create(nb, greater, c, acc[0]),
                                   arith::SelectOp::create(nb, greater, v, acc[1])});
              });
          return arith::IndexCastOp::create(b, type.getElementType(),
                                            loop.getResult(0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PackBitsLowering : OpConversionPattern<PackBitsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackBitsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Type wordType = type.getElementType();
    int64_t wordBits = wordType.getIntOrFloatBitWidth();
    bool sliced = op.getLayout() == BitLayout::batch_sliced;
    unsigned packedDim = sliced ? 0 : 1;
    SmallVector<Value> sizes;
    Value extent = tensor::DimOp::create(rewriter, loc, input, packedDim);
    if (type.isDynamicDim(0)) {
      Value rows = tensor::DimOp::create(rewriter, loc, input, 0);
      if (sliced) {
        // ceil(B / W) word rows.
        Value w = arith::ConstantIndexOp::create(rewriter, loc, wordBits);
        rows = arith::CeilDivUIOp::create(rewriter, loc, rows, w);
      }
      sizes.push_back(rows);
    }
    Value result = buildElementwise(
        rewriter, loc, type, sizes, [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value zero = constantInt(b, wordType, 0);
          Value base = arith::MulIOp::create(b, ix[packedDim], constantIndex(b, wordBits));
          auto loop = scf::ForOp::create(
              b, constantIndex(b, 0), constantIndex(b, wordBits), constantIndex(b, 1),
              ValueRange{zero},
              [&](OpBuilder &nested, Location nestedLoc, Value s, ValueRange acc) {
                ImplicitLocOpBuilder nb(nestedLoc, nested);
                Value position = arith::AddIOp::create(nb, base, s);
                Value inside = arith::CmpIOp::create(nb, arith::CmpIPredicate::ult,
                                                     position, extent);
                // Padding positions read the last real element and are masked.
                Value last = arith::SubIOp::create(nb, extent, constantIndex(nb, 1));
                Value clamped = arith::MinUIOp::create(nb, position, last);
                Value bit = sliced ? tensor::ExtractOp::create(nb, input, ValueRange{clamped, ix[1]})
                                   : tensor::ExtractOp::create(nb, input, ValueRange{ix[0], clamped});
                Value kept = arith::AndIOp::create(nb, bit, inside);
                scf::YieldOp::create(nb, ValueRange{orBitIntoWord(nb, acc[0], kept, s)});
              });
          return loop.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct UnpackBitsLowering : OpConversionPattern<UnpackBitsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnpackBitsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = op.getOutput().getType();
    Type wordType = op.getInput().getType().getElementType();
    int64_t wordBits = wordType.getIntOrFloatBitWidth();
    bool sliced = op.getLayout() == BitLayout::batch_sliced;
    unsigned packedDim = sliced ? 0 : 1;
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(sliced ? adaptor.getSize()
                             : Value(tensor::DimOp::create(rewriter, loc, input, 0)));
    Value result = buildElementwise(
        rewriter, loc, type, sizes, [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value w = constantIndex(b, wordBits);
          Value wordIndex = arith::DivUIOp::create(b, ix[packedDim], w);
          Value shift = arith::IndexCastUIOp::create(
              b, wordType, arith::RemUIOp::create(b, ix[packedDim], w));
          Value word = sliced ? tensor::ExtractOp::create(b, input, ValueRange{wordIndex, ix[1]})
                              : tensor::ExtractOp::create(b, input, ValueRange{ix[0], wordIndex});
          Value bit = arith::ShRUIOp::create(b, word, shift);
          return arith::TruncIOp::create(b, b.getI1Type(), bit);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvertQuWeiTToLinalgPass
    : quweit::impl::ConvertQuWeiTToLinalgBase<ConvertQuWeiTToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.addIllegalOp<ThermometerOp, LutLayerOp, PackedLutLayerOp, GroupSumOp,
                        ScaleCountsOp, ArgMaxOp, PackBitsOp, UnpackBitsOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    populateQuWeiTToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void quweit::populateQuWeiTToLinalgConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<ThermometerLowering, LutLayerLowering, PackedLutLayerLowering,
               GroupSumLowering, ScaleCountsLowering, ArgMaxLowering,
               PackBitsLowering, UnpackBitsLowering>(patterns.getContext());
}
