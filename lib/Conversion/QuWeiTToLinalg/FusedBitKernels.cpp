//===- FusedBitKernels.cpp - thermometer to words, words to group sums ----===//
//
// The bit-sliced layout keeps a LUT network's bits in words of W samples, but
// its two ends were lowered through one-byte-per-bit tensors: the thermometer
// wrote bytes that pack_bits then gathered bit by bit, and unpack_bits wrote
// bytes that group_sum added one at a time. For a DeiT-sized LUT FFN those two
// ends took almost all of the time and most of the memory traffic
// (docs/performance.md, P2). These patterns lower the two pairs as one kernel
// each, before the op-by-op conversion sees them:
//
// - pack_bits(thermometer(x)): 16 samples' values of one feature are loaded
//   into a vector, compared with each of the feature's thresholds, and the
//   16-bit compare masks are assembled into the W-bit words.
// - group_sum(unpack_bits(words)) with contiguous groups: the words of one
//   group are added as bit-sliced (vertical) counters with a carry-save adder
//   tree, so that W samples are counted at once; each sample's count is then
//   read from the count planes, 16 samples at a time.
//
// Both iterate over word rows: full rows of W samples with static indices,
// then the last partial row (if the batch is not a multiple of W) with its
// lane count checked, so that padding samples are neither read nor written.
//
//===----------------------------------------------------------------------===//

#include "WordLogic.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <deque>

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

namespace {

/// Samples handled by one vector operation: 16 lanes is one AVX-512 register
/// of f32 (two AVX2 registers), and a 16-bit mask per compare.
int64_t chunkLanes(int64_t wordBits) { return std::min<int64_t>(16, wordBits); }

/// Views a computed word as its chunks: vector<(W/chunk) x i<chunk>>.
Value wordAsChunks(ImplicitLocOpBuilder &b, const WordLanes &words, Value word,
                   int64_t wordBits) {
  int64_t chunk = chunkLanes(wordBits);
  auto chunksType = VectorType::get({wordBits / chunk}, b.getIntegerType(chunk));
  Value vector = word;
  if (!words.isVector())
    vector = vector::FromElementsOp::create(
        b, VectorType::get({1}, word.getType()), ValueRange{word});
  return vector::BitCastOp::create(b, chunksType, vector);
}

/// The inverse of wordAsChunks, giving a word in the packed tensor's type.
Value chunksAsWord(ImplicitLocOpBuilder &b, const WordLanes &words, Value chunks,
                   Type wordType) {
  if (words.isVector())
    return words.toWord(
        b, vector::BitCastOp::create(b, cast<VectorType>(words.computeType()), chunks));
  Value single = vector::BitCastOp::create(b, VectorType::get({1}, wordType), chunks);
  return vector::ExtractOp::create(b, single, ArrayRef<int64_t>{0});
}

/// The buffer a fused kernel writes, allocated directly: the kernels store
/// element by element, which on tensors would be a chain of thousands of
/// tensor.insert ops that one-shot bufferization analyses in quadratic time.
Value allocateResult(ImplicitLocOpBuilder &b, RankedTensorType type,
                     ValueRange dynamicSizes) {
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  // Words are SIMD registers: align them as such.
  return memref::AllocOp::create(b, memrefType, dynamicSizes, b.getI64IntegerAttr(64));
}

/// The tensor of a buffer that a fused kernel has written in full.
Value resultTensor(ImplicitLocOpBuilder &b, RankedTensorType type, Value buffer) {
  return bufferization::ToTensorOp::create(b, type, buffer, /*restrict=*/true,
                                           /*writable=*/true);
}

/// Copies rows [0, rows) x [0, cols) of `from` (from row `fromRow`) to
/// `to` (from row `toRow`).
void copyRows(ImplicitLocOpBuilder &b, Value from, Value fromRow, Value to,
              Value toRow, Value rows, int64_t cols) {
  buildLoop(b, constantIndex(b, 0), rows, [&](ImplicitLocOpBuilder &rb, Value r) {
    buildLoop(rb, constantIndex(rb, 0), constantIndex(rb, cols),
              [&](ImplicitLocOpBuilder &cb, Value c) {
                Value v = memref::LoadOp::create(
                    cb, from, ValueRange{arith::AddIOp::create(cb, fromRow, r), c});
                memref::StoreOp::create(cb, v, to,
                                        ValueRange{arith::AddIOp::create(cb, toRow, r), c});
              });
  });
}

/// The word rows of a batch: `fullRows` rows of W samples, then (if `rest`
/// is not 0) one row of `rest` samples.
struct WordRows {
  Value batch, fullRows, rest, hasRest, count;
  int64_t wordBits;

  WordRows(ImplicitLocOpBuilder &b, Value batch, int64_t wordBits)
      : batch(batch), wordBits(wordBits) {
    Value w = constantIndex(b, wordBits);
    fullRows = arith::DivUIOp::create(b, batch, w);
    rest = arith::RemUIOp::create(b, batch, w);
    hasRest = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, rest,
                                    constantIndex(b, 0));
    count = arith::CeilDivUIOp::create(b, batch, w);
  }

  /// Builds the loop over the rows. Every row runs the same code, on
  /// `body(row, samples, base)`: the samples of a full row are rows
  /// [base, base + W) of `full`; those of the last, partial row are rows
  /// [0, W) of `padded`, which the caller pads to W rows.
  void build(ImplicitLocOpBuilder &b, Value full, Value padded,
             function_ref<void(ImplicitLocOpBuilder &, Value row, Value samples,
                               Value base)>
                 body) {
    buildLoop(b, constantIndex(b, 0), count, [&](ImplicitLocOpBuilder &rb, Value row) {
      Value last = arith::CmpIOp::create(rb, arith::CmpIPredicate::eq, row, fullRows);
      Value samples = arith::SelectOp::create(rb, last, padded, full);
      Value base = arith::SelectOp::create(
          rb, last, constantIndex(rb, 0),
          arith::MulIOp::create(rb, row, constantIndex(rb, wordBits)));
      body(rb, row, samples, base);
    });
  }

  /// Emits `body` if there is a partial row.
  void ifPartial(ImplicitLocOpBuilder &b, function_ref<void(ImplicitLocOpBuilder &)> body) {
    scf::IfOp::create(b, hasRest, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder nb(loc, nested);
      body(nb);
      scf::YieldOp::create(nb);
    });
  }
};

Value zeroVector(ImplicitLocOpBuilder &b, VectorType type) {
  return arith::ConstantOp::create(
      b, type,
      DenseElementsAttr::get(type, APInt(type.getElementTypeBitWidth(), 0)));
}

//===----------------------------------------------------------------------===//
// pack_bits(thermometer(x)), batch_sliced
//===----------------------------------------------------------------------===//

struct ThermometerToSlicedWords : OpRewritePattern<PackBitsOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Thresholds per feature are unrolled; above this many the op-by-op
  /// lowering is used (such thermometers are not seen in practice).
  static constexpr int64_t kMaxUnrolledThresholds = 64;

  LogicalResult matchAndRewrite(PackBitsOp op,
                                PatternRewriter &rewriter) const override {
    auto thermometer = op.getInput().getDefiningOp<ThermometerOp>();
    if (!thermometer || op.getLayout() != BitLayout::batch_sliced ||
        !thermometer->hasOneUse())
      return failure();
    Value x = thermometer.getInput();
    auto inputType = cast<RankedTensorType>(x.getType());
    int64_t features = inputType.getDimSize(1);
    int64_t perFeature = thermometer.getBitsPerFeature();
    if (ShapedType::isDynamic(features) || perFeature > kMaxUnrolledThresholds)
      return failure();
    auto type = op.getOutput().getType();
    Type wordType = type.getElementType();
    int64_t wordBits = wordType.getIntOrFloatBitWidth();
    int64_t chunk = chunkLanes(wordBits);
    auto floatType = cast<FloatType>(inputType.getElementType());
    WordLanes words(wordType);

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value thresholds = constantTensor(b, b.getLoc(), thermometer.getThresholds());
    Value batch = tensor::DimOp::create(b, x, 0);
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(arith::CeilDivUIOp::create(b, batch, constantIndex(b, wordBits)));
    Value buffer = allocateResult(b, type, sizes);
    auto valueType = VectorType::get({chunk}, floatType);
    auto chunksType = VectorType::get({wordBits / chunk}, b.getIntegerType(chunk));
    auto maskBitsType = VectorType::get({1}, b.getIntegerType(chunk));
    // Padding samples compare as NaN, which is never greater (semantics.md),
    // so their bits are 0 as pack_bits defines them.
    Value nan = arith::ConstantOp::create(
        b, floatType,
        b.getFloatAttr(floatType, APFloat::getQNaN(floatType.getFloatSemantics())));

    // The last, partial row reads a copy of its samples padded with NaN.
    // Full rows and the padded row are read through one memref type: any
    // batch size, any layout.
    auto samplesType = anyLayout({ShapedType::kDynamic, features}, floatType);
    Value inputBuffer = memref::CastOp::create(
        b, samplesType,
        bufferization::ToBufferOp::create(b, anyLayout(inputType.getShape(), floatType), x,
                                          /*read_only=*/true));
    WordRows rows(b, batch, wordBits);
    Value padded = memref::AllocOp::create(
        b, MemRefType::get({wordBits, features}, floatType), ValueRange{},
        b.getI64IntegerAttr(64));
    rows.ifPartial(b, [&](ImplicitLocOpBuilder &pb) {
      linalg::FillOp::create(pb, ValueRange{nan}, ValueRange{padded});
      copyRows(pb, inputBuffer, arith::MulIOp::create(pb, rows.fullRows,
                                                      constantIndex(pb, wordBits)),
               padded, constantIndex(pb, 0), rows.rest, features);
    });
    Value paddedAny = memref::CastOp::create(b, samplesType, padded);
    // The compare masks of one feature: masks[t][q] holds chunk q's bits of
    // the word of threshold t.
    Value masks = memref::AllocaOp::create(
        b, MemRefType::get({perFeature, wordBits / chunk}, b.getIntegerType(chunk)));

    rows.build(b, inputBuffer, paddedAny, [&](ImplicitLocOpBuilder &rb, Value row,
                                             Value samples, Value base) {
      buildLoop(rb, constantIndex(rb, 0), constantIndex(rb, features),
                [&](ImplicitLocOpBuilder &fb, Value feature) {
        SmallVector<Value> splats;
        for (int64_t t = 0; t < perFeature; ++t) {
          Value th = tensor::ExtractOp::create(
              fb, thresholds, ValueRange{feature, constantIndex(fb, t)});
          splats.push_back(vector::BroadcastOp::create(fb, valueType, th));
        }
        // A loop over chunks (not unrolled: LLVM's schedulers are
        // superlinear in the size of a block) writes masks[t][q].
        buildLoop(fb, constantIndex(fb, 0), constantIndex(fb, wordBits / chunk),
                  [&](ImplicitLocOpBuilder &qb, Value q) {
          Value chunkBase = arith::AddIOp::create(
              qb, base, arith::MulIOp::create(qb, q, constantIndex(qb, chunk)));
          SmallVector<Value> lanes;
          for (int64_t i = 0; i < chunk; ++i) {
            Value sample = arith::AddIOp::create(qb, chunkBase, constantIndex(qb, i));
            lanes.push_back(memref::LoadOp::create(qb, samples, ValueRange{sample, feature}));
          }
          Value values = vector::FromElementsOp::create(qb, valueType, lanes);
          for (int64_t t = 0; t < perFeature; ++t) {
            // Strictly greater, ordered: NaN gives 0.
            Value mask = arith::CmpFOp::create(qb, arith::CmpFPredicate::OGT, values,
                                               splats[t]);
            Value bits = vector::ExtractOp::create(
                qb, vector::BitCastOp::create(qb, maskBitsType, mask), ArrayRef<int64_t>{0});
            memref::StoreOp::create(qb, bits, masks, ValueRange{constantIndex(qb, t), q});
          }
        });
        Value firstColumn = arith::MulIOp::create(fb, feature, constantIndex(fb, perFeature));
        for (int64_t t = 0; t < perFeature; ++t) {
          Value chunks = vector::LoadOp::create(
              fb, chunksType, masks, ValueRange{constantIndex(fb, t), constantIndex(fb, 0)});
          Value column = arith::AddIOp::create(fb, firstColumn, constantIndex(fb, t));
          memref::StoreOp::create(fb, chunksAsWord(fb, words, chunks, wordType), buffer,
                                  ValueRange{row, column});
        }
      });
    });
    rewriter.replaceOp(op, resultTensor(b, type, buffer));
    rewriter.eraseOp(thermometer);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// group_sum(unpack_bits(words)), batch_sliced, contiguous groups
//===----------------------------------------------------------------------===//

/// Adds `inputs` (words whose bit s is a 0/1 summand of sample s) with a
/// carry-save adder tree. Returns the count planes: bit s of planes[k] is bit
/// k of sample s's sum.
SmallVector<Value> addBitSliced(ImplicitLocOpBuilder &b, ArrayRef<Value> inputs) {
  SmallVector<Value> planes;
  std::deque<Value> weight(inputs.begin(), inputs.end()), carries;
  while (!weight.empty()) {
    // Full adders turn three words of one weight into one, plus a carry.
    while (weight.size() >= 3) {
      Value x = weight[0], y = weight[1], z = weight[2];
      weight.erase(weight.begin(), weight.begin() + 3);
      Value xy = arith::XOrIOp::create(b, x, y);
      weight.push_back(arith::XOrIOp::create(b, xy, z));
      carries.push_back(arith::OrIOp::create(
          b, arith::AndIOp::create(b, x, y), arith::AndIOp::create(b, xy, z)));
    }
    if (weight.size() == 2) {
      carries.push_back(arith::AndIOp::create(b, weight[0], weight[1]));
      weight = {arith::XOrIOp::create(b, weight[0], weight[1])};
    }
    planes.push_back(weight.front());
    weight = std::move(carries);
    carries.clear();
  }
  return planes;
}

/// The unpack_bits a group_sum reads, when the pair can be lowered as one
/// kernel: contiguous groups, the given layout, no other reader of the bits.
UnpackBitsOp fusableUnpack(GroupSumOp op, BitLayout layout) {
  auto unpack = op.getInput().getDefiningOp<UnpackBitsOp>();
  if (!unpack || unpack.getLayout() != layout || op.getGroupIndex() ||
      !unpack->hasOneUse())
    return {};
  return unpack;
}

struct SlicedWordsToGroupSums : OpRewritePattern<GroupSumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupSumOp op,
                                PatternRewriter &rewriter) const override {
    UnpackBitsOp unpack = fusableUnpack(op, BitLayout::batch_sliced);
    if (!unpack)
      return failure();
    Value packed = unpack.getInput();
    auto packedType = cast<RankedTensorType>(packed.getType());
    Type wordType = packedType.getElementType();
    int64_t wordBits = wordType.getIntOrFloatBitWidth();
    int64_t chunk = chunkLanes(wordBits);
    int64_t numBits = op.getInput().getType().getDimSize(1);
    int64_t groups = op.getNumGroups();
    int64_t groupSize = op.getContiguousGroupSize();
    auto type = op.getOutput().getType();
    Type countType = type.getElementType();
    WordLanes words(wordType);

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    // The batch: unpack_bits' size operand, or its static result size.
    Value batch = unpack.getSize();
    if (!batch)
      batch = constantIndex(b, unpack.getOutput().getType().getDimSize(0));
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(batch);
    Value buffer = allocateResult(b, type, sizes);
    auto countsType = VectorType::get({chunk}, countType);
    auto maskType = VectorType::get({chunk}, b.getI1Type());
    auto maskBitsType = VectorType::get({1}, b.getIntegerType(chunk));

    // The last, partial row writes all W lanes into a scratch buffer, and
    // only its real samples are copied to the result.
    WordRows rows(b, batch, wordBits);
    Value padded = memref::AllocOp::create(
        b, MemRefType::get({wordBits, groups}, countType), ValueRange{},
        b.getI64IntegerAttr(64));
    auto resultAny = anyLayout({ShapedType::kDynamic, groups}, countType);
    Value bufferAny = memref::CastOp::create(b, resultAny, buffer);
    Value paddedAny = memref::CastOp::create(b, resultAny, padded);
    // The count planes of one group, as chunks: planeMemory[k][q].
    Value planeMemory = memref::AllocaOp::create(
        b, MemRefType::get({int64_t(llvm::bit_width(uint64_t(groupSize))), wordBits / chunk},
                           b.getIntegerType(chunk)));

    // Counts group `group`, `bits` words from column `firstBit`, for the
    // samples of one row, into rows [base, base + W) of `counts`.
    auto countGroup = [&](ImplicitLocOpBuilder &gb, Value row, Value counts,
                          Value base, Value group, Value firstBit, int64_t bits) {
      SmallVector<Value> inputs;
      for (int64_t c = 0; c < bits; ++c) {
        Value column = arith::AddIOp::create(gb, firstBit, constantIndex(gb, c));
        inputs.push_back(words.toCompute(
            gb, tensor::ExtractOp::create(gb, packed, ValueRange{row, column})));
      }
      SmallVector<Value> planes = addBitSliced(gb, inputs);
      for (auto [k, plane] : llvm::enumerate(planes))
        vector::StoreOp::create(gb, wordAsChunks(gb, words, plane, wordBits), planeMemory,
                                ValueRange{constantIndex(gb, k), constantIndex(gb, 0)});
      // Not unrolled: LLVM's schedulers are superlinear in a block's size.
      buildLoop(gb, constantIndex(gb, 0), constantIndex(gb, wordBits / chunk),
                [&](ImplicitLocOpBuilder &qb, Value q) {
        // sum_k plane_k << k, over the chunk's lanes.
        Value sums = zeroVector(qb, countsType);
        for (int64_t k = 0; k < int64_t(planes.size()); ++k) {
          Value laneBits = memref::LoadOp::create(qb, planeMemory,
                                                  ValueRange{constantIndex(qb, k), q});
          Value mask = vector::BitCastOp::create(
              qb, maskType,
              vector::FromElementsOp::create(qb, maskBitsType, ValueRange{laneBits}));
          Value shift = arith::ConstantOp::create(
              qb, countsType,
              DenseElementsAttr::get(countsType, APInt(countType.getIntOrFloatBitWidth(), k)));
          sums = arith::AddIOp::create(
              qb, sums,
              arith::ShLIOp::create(qb, arith::ExtUIOp::create(qb, countsType, mask), shift));
        }
        Value chunkBase = arith::AddIOp::create(
            qb, base, arith::MulIOp::create(qb, q, constantIndex(qb, chunk)));
        for (int64_t i = 0; i < chunk; ++i) {
          Value sample = arith::AddIOp::create(qb, chunkBase, constantIndex(qb, i));
          memref::StoreOp::create(
              qb, vector::ExtractOp::create(qb, sums, ArrayRef<int64_t>{i}), counts,
              ValueRange{sample, group});
        }
      });
    };

    // Groups [0, fullGroups) have groupSize bits; group fullGroups has the
    // rest of the bits, if any; the groups after it are empty (zero padding).
    int64_t fullGroups = numBits / groupSize, restBits = numBits % groupSize;
    int64_t firstEmpty = fullGroups + (restBits ? 1 : 0);
    rows.build(b, bufferAny, paddedAny, [&](ImplicitLocOpBuilder &rb, Value row,
                                           Value counts, Value base) {
      buildLoop(rb, constantIndex(rb, 0), constantIndex(rb, fullGroups),
                [&](ImplicitLocOpBuilder &gb, Value group) {
                  countGroup(gb, row, counts, base, group,
                             arith::MulIOp::create(gb, group, constantIndex(gb, groupSize)),
                             groupSize);
                });
      if (restBits)
        countGroup(rb, row, counts, base, constantIndex(rb, fullGroups),
                   constantIndex(rb, fullGroups * groupSize), restBits);
      buildLoop(rb, constantIndex(rb, firstEmpty), constantIndex(rb, groups),
                [&](ImplicitLocOpBuilder &gb, Value group) {
                  countGroup(gb, row, counts, base, group, group, 0);
                });
    });
    rows.ifPartial(b, [&](ImplicitLocOpBuilder &pb) {
      copyRows(pb, padded, constantIndex(pb, 0), buffer,
               arith::MulIOp::create(pb, rows.fullRows, constantIndex(pb, wordBits)),
               rows.rest, groups);
    });
    rewriter.replaceOp(op, resultTensor(b, type, buffer));
    rewriter.eraseOp(unpack);
    return success();
  }
};

/// group_sum(unpack_bits(words)) in the feature_packed layout, contiguous
/// groups: a group's count is the population count of its bits in the
/// sample's words, one masked `popcnt` per word the group touches, instead of
/// one byte per bit written and read back.
struct PackedWordsToGroupSums : OpRewritePattern<GroupSumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupSumOp op,
                                PatternRewriter &rewriter) const override {
    UnpackBitsOp unpack = fusableUnpack(op, BitLayout::feature_packed);
    if (!unpack)
      return failure();
    Value packed = unpack.getInput();
    Type wordType = cast<RankedTensorType>(packed.getType()).getElementType();
    int64_t wordBits = wordType.getIntOrFloatBitWidth();
    int64_t numBits = op.getInput().getType().getDimSize(1);
    int64_t groupSize = op.getContiguousGroupSize();
    auto type = op.getOutput().getType();
    Type countType = type.getElementType();

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value result = buildElementwise(
        b, b.getLoc(), type, batchSizes(b, b.getLoc(), packed, type),
        [&](ImplicitLocOpBuilder &eb, ValueRange ix) -> Value {
          // Bits [begin, end) of the sample; padding groups are empty.
          Value begin = arith::MinUIOp::create(
              eb, arith::MulIOp::create(eb, ix[1], constantIndex(eb, groupSize)),
              constantIndex(eb, numBits));
          Value end = arith::MinUIOp::create(
              eb, arith::AddIOp::create(eb, begin, constantIndex(eb, groupSize)),
              constantIndex(eb, numBits));
          Value w = constantIndex(eb, wordBits);
          Value firstWord = arith::DivUIOp::create(eb, begin, w);
          Value lastWord = arith::CeilDivUIOp::create(eb, end, w);
          Value zero = constantInt(eb, countType, 0);
          auto loop = scf::ForOp::create(
              eb, firstWord, lastWord, constantIndex(eb, 1), ValueRange{zero},
              [&](OpBuilder &nested, Location loc, Value word, ValueRange acc) {
                ImplicitLocOpBuilder nb(loc, nested);
                Value bits = tensor::ExtractOp::create(nb, packed, ValueRange{ix[0], word});
                // The group's bits in this word: [lo, hi) of it.
                Value wordBegin = arith::MulIOp::create(nb, word, w);
                Value lo = arith::SubIOp::create(
                    nb, arith::MaxUIOp::create(nb, begin, wordBegin), wordBegin);
                Value hi = arith::SubIOp::create(
                    nb, arith::MinUIOp::create(nb, end, arith::AddIOp::create(nb, wordBegin, w)),
                    wordBegin);
                auto asWord = [&](Value index) {
                  return arith::IndexCastUIOp::create(nb, wordType, index);
                };
                Value shifted = arith::ShRUIOp::create(nb, bits, asWord(lo));
                // ((1 << n) - 1) needs n < W; a whole word keeps every bit.
                Value count = arith::SubIOp::create(nb, hi, lo);
                Value whole = arith::CmpIOp::create(nb, arith::CmpIPredicate::eq, count, w);
                Value ones = constantInt(nb, wordType, -1);
                Value mask = arith::SelectOp::create(
                    nb, whole, ones,
                    arith::SubIOp::create(
                        nb, arith::ShLIOp::create(nb, constantInt(nb, wordType, 1),
                                                  asWord(arith::SelectOp::create(
                                                      nb, whole, constantIndex(nb, 0), count))),
                        constantInt(nb, wordType, 1)));
                // llvm.intr.ctpop directly: convert-math-to-libm, which the
                // pipeline runs before convert-math-to-llvm, rejects math.ctpop.
                Value set = LLVM::CtPopOp::create(nb, wordType,
                                                  arith::AndIOp::create(nb, shifted, mask));
                Value wide = wordBits == countType.getIntOrFloatBitWidth()
                                 ? set
                                 : wordBits < countType.getIntOrFloatBitWidth()
                                       ? Value(arith::ExtUIOp::create(nb, countType, set))
                                       : Value(arith::TruncIOp::create(nb, countType, set));
                scf::YieldOp::create(nb, ValueRange{arith::AddIOp::create(nb, acc[0], wide)});
              });
          return loop.getResult(0);
        });
    rewriter.replaceOp(op, result);
    rewriter.eraseOp(unpack);
    return success();
  }
};

} // namespace

void quweit::populateQuWeiTFusedBitKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<ThermometerToSlicedWords, SlicedWordsToGroupSums, PackedWordsToGroupSums>(
      patterns.getContext());
}
