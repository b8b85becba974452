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
#include "WordLogic.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace quweit {
#define GEN_PASS_DEF_CONVERTQUWEITTOLINALG
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

//===----------------------------------------------------------------------===//
// Helpers shared with WordLogic.cpp
//===----------------------------------------------------------------------===//

Value lowering::buildElementwise(OpBuilder &builder, Location loc,
                               RankedTensorType type, ValueRange dynamicSizes,
                               BodyBuilder body, unsigned outerDim,
                               Value rowInput) {
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType(), dynamicSizes);
  // Iteration dimension 0 is `outerDim`, then the others in order: the loop
  // nest that convert-linalg-to-loops makes follows the iteration order.
  int64_t rank = type.getRank();
  SmallVector<unsigned> order = {outerDim};
  for (unsigned dim = 0; dim < rank; ++dim)
    if (dim != outerDim)
      order.push_back(dim);
  SmallVector<AffineExpr> results(rank);
  for (auto [iterationDim, tensorDim] : llvm::enumerate(order))
    results[tensorDim] = builder.getAffineDimExpr(iterationDim);
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  if (rowInput) {
    inputs.push_back(rowInput);
    maps.push_back(AffineMap::get(
        rank, 0, {results[0], builder.getAffineConstantExpr(0)},
        builder.getContext()));
  }
  maps.push_back(AffineMap::get(rank, 0, results, builder.getContext()));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{type}, inputs, ValueRange{empty}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange) {
        ImplicitLocOpBuilder b(nestedLoc, nested);
        SmallVector<Value> indices(rank);
        for (auto [iterationDim, tensorDim] : llvm::enumerate(order))
          indices[tensorDim] = linalg::IndexOp::create(b, iterationDim);
        linalg::YieldOp::create(b, body(b, indices));
      });
  return generic.getResult(0);
}

Value lowering::constantIndex(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value lowering::constantInt(ImplicitLocOpBuilder &b, Type type, int64_t value) {
  return arith::ConstantOp::create(b, type, b.getIntegerAttr(type, value));
}

/// Materialises an elements attribute as a constant tensor.
Value lowering::constantTensor(OpBuilder &builder, Location loc, ElementsAttr attr) {
  return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr));
}

SmallVector<Value> lowering::batchSizes(OpBuilder &builder, Location loc,
                                      Value source, RankedTensorType result) {
  SmallVector<Value> sizes;
  if (result.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(builder, loc, source, 0));
  return sizes;
}

Value lowering::mappingAt(ImplicitLocOpBuilder &b, Value mapping, Value lut,
                        int64_t slot) {
  Value value = tensor::ExtractOp::create(b, mapping,
                                          ValueRange{lut, constantIndex(b, slot)});
  return arith::IndexCastOp::create(b, b.getIndexType(), value);
}

namespace {

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

struct PackedLutLayerLowering : OpConversionPattern<PackedLutLayerOp> {
  PackedLutLayerLowering(MLIRContext *context, QuWeiTToLinalgOptions options)
      : OpConversionPattern(context), options(options) {}

  LogicalResult
  matchAndRewrite(PackedLutLayerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getLayout() == BitLayout::feature_packed) {
      if (options.byteGather && canLowerFeaturePackedByteGather(op)) {
        FailureOr<Value> result =
            lowerFeaturePackedByteGather(op, adaptor.getInput(), rewriter);
        if (failed(result))
          return rewriter.notifyMatchFailure(op, "tables unavailable");
        rewriter.replaceOp(op, *result);
        return success();
      }
      return lowerFeaturePacked(op, adaptor, rewriter);
    }
    // Specialised code grows with 2^fan-in per LUT: wide tables stay data.
    bool specialise = options.specialiseTables &&
                      op.getFanIn() <= kMaxSpecialisedFanIn;
    FailureOr<Value> result =
        lowerBatchSlicedLutLayer(op, adaptor.getInput(), rewriter, specialise);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "tables unavailable");
    rewriter.replaceOp(op, *result);
    return success();
  }

  static constexpr int64_t kMaxSpecialisedFanIn = 8;
  QuWeiTToLinalgOptions options;

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
    // Words wider than 64 bits are built one 64-bit lane at a time (a
    // variable shift of an i512 would be legalised into dozens of
    // instructions per bit).
    Type laneType = wordBits > 64 ? rewriter.getI64Type() : wordType;
    int64_t laneBits = std::min<int64_t>(wordBits, 64);
    WordLanes words(wordType);
    Value result = buildElementwise(
        rewriter, loc, type, sizes, [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          SmallVector<Value> lanes;
          for (int64_t lane = 0; lane < wordBits / laneBits; ++lane) {
          Value zero = constantInt(b, laneType, 0);
          Value base = arith::AddIOp::create(
              b, arith::MulIOp::create(b, ix[packedDim], constantIndex(b, wordBits)),
              constantIndex(b, lane * laneBits));
          auto loop = scf::ForOp::create(
              b, constantIndex(b, 0), constantIndex(b, laneBits), constantIndex(b, 1),
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
          lanes.push_back(loop.getResult(0));
          }
          if (lanes.size() == 1)
            return lanes.front();
          return words.toWord(b, vector::FromElementsOp::create(
                                     b, cast<VectorType>(words.computeType()), lanes));
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
    WordLanes words(wordType);
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(sliced ? adaptor.getSize()
                             : Value(tensor::DimOp::create(rewriter, loc, input, 0)));
    Value result = buildElementwise(
        rewriter, loc, type, sizes, [&](ImplicitLocOpBuilder &b, ValueRange ix) -> Value {
          Value w = constantIndex(b, wordBits);
          Value wordIndex = arith::DivUIOp::create(b, ix[packedDim], w);
          Value offset = arith::RemUIOp::create(b, ix[packedDim], w);
          Value word = sliced ? tensor::ExtractOp::create(b, input, ValueRange{wordIndex, ix[1]})
                              : tensor::ExtractOp::create(b, input, ValueRange{ix[0], wordIndex});
          if (words.isVector()) {
            // The 64-bit lane that holds the bit, then the bit in the lane.
            Value lane = arith::DivUIOp::create(b, offset, constantIndex(b, 64));
            word = vector::ExtractOp::create(b, words.toCompute(b, word),
                                             ArrayRef<OpFoldResult>{lane});
            offset = arith::RemUIOp::create(b, offset, constantIndex(b, 64));
          }
          Value shift = arith::IndexCastUIOp::create(b, word.getType(), offset);
          Value bit = arith::ShRUIOp::create(b, word, shift);
          return arith::TruncIOp::create(b, b.getI1Type(), bit);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvertQuWeiTToLinalgPass
    : quweit::impl::ConvertQuWeiTToLinalgBase<ConvertQuWeiTToLinalgPass> {
  using ConvertQuWeiTToLinalgBase::ConvertQuWeiTToLinalgBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           scf::SCFDialect, tensor::TensorDialect,
                           vector::VectorDialect>();
    target.addIllegalOp<ThermometerOp, LutLayerOp, PackedLutLayerOp, GroupSumOp,
                        ScaleCountsOp, ArgMaxOp, PackBitsOp, UnpackBitsOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (lutCodegen != "auto" && lutCodegen != "table" && lutCodegen != "specialise") {
      getOperation()->emitError()
          << "convert-quweit-to-linalg: unknown lut-codegen '" << lutCodegen
          << "' (use auto, table or specialise)";
      return signalPassFailure();
    }
    QuWeiTToLinalgOptions options;
    options.specialiseTables = lutCodegen == "specialise";
    FailureOr<bool> vbmi = targetFeatureEnabled(
        getOperation(), "convert-quweit-to-linalg", targetFeatures, "avx512vbmi");
    if (failed(vbmi))
      return signalPassFailure();
    options.byteGather = *vbmi;
    if (lutCodegen == "auto") {
      // Specialised code is the fastest but its size (and compile time)
      // grows with the LUT count: above the budget, tables stay data.
      int64_t total = 0;
      getOperation()->walk([&](PackedLutLayerOp op) {
        if (op.getLayout() == BitLayout::batch_sliced)
          total += op.getNumLuts();
      });
      options.specialiseTables = total <= int64_t(specialiseMaxLuts);
    }
    // The fused kernels first: they match pairs of ops that the op-by-op
    // conversion would lower separately. The batch size of a thermometer's
    // result is its input's: reading it there lets the fused kernel leave the
    // thermometer without users.
    getOperation()->walk([&](tensor::DimOp dim) {
      auto thermometer = dim.getSource().getDefiningOp<ThermometerOp>();
      std::optional<int64_t> index = dim.getConstantIndex();
      if (thermometer && index == 0)
        dim.getSourceMutable().assign(thermometer.getInput());
    });
    RewritePatternSet fused(context);
    populateQuWeiTFusedBitKernelPatterns(fused);
    walkAndApplyPatterns(getOperation(), std::move(fused));
    RewritePatternSet patterns(context);
    populateQuWeiTToLinalgConversionPatterns(patterns, options);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

FailureOr<bool> quweit::targetFeatureEnabled(Operation *op, StringRef passName,
                                             StringRef features, StringRef feature) {
  bool enabled = false;
  SmallVector<StringRef> entries;
  features.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    entry = entry.trim();
    if (!entry.starts_with("+") && !entry.starts_with("-"))
      return op->emitError() << passName << ": target feature '" << entry
                             << "' must start with + or -";
    if (entry.drop_front() == feature)
      enabled = entry.starts_with("+");
  }
  return enabled;
}

void quweit::populateQuWeiTToLinalgConversionPatterns(
    RewritePatternSet &patterns, const QuWeiTToLinalgOptions &options) {
  patterns.add<ThermometerLowering, LutLayerLowering, GroupSumLowering,
               ScaleCountsLowering, ArgMaxLowering, PackBitsLowering,
               UnpackBitsLowering>(patterns.getContext());
  patterns.add<PackedLutLayerLowering>(patterns.getContext(), options);
}
