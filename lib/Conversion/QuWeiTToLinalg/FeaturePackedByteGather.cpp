//===- FeaturePackedByteGather.cpp - LUTs across SIMD lanes, one sample ---===//
//
// The feature-packed layout holds one sample's bits in words, so a LUT layer
// cannot put samples in SIMD lanes as the bit-sliced layout does. This kernel
// puts LUTs in lanes instead (docs/performance.md, P1 at batch 1):
//
// - Gather. For 64 LUTs and one input slot l, the 64 input bits are fetched
//   with byte permutes: the sample's input bytes are held in registers, in
//   chunks of 128 bytes, and `vpermi2b` (AVX-512 VBMI) picks for each lane the
//   byte that holds its LUT's l-th input; a chunk number selects between the
//   chunks' permutes. A test against a per-lane bit mask (`vptestmb`) leaves
//   the 64 input bits in a mask register, i.e. one 64-bit word whose bit j is
//   input l of LUT j. The byte indices and bit masks are constants: the
//   mapping, rearranged.
// - Evaluate. Eight such words make one 512-bit address plane per slot (the
//   superblock of 512 LUTs). The tables are stored transposed: for each table
//   entry e, one 512-bit word whose bit j is entry e of the superblock's LUT
//   j. A mux tree over the 2^n entry words, driven by the address planes
//   (lowest slot at the leaves), gives the 512 LUTs' outputs: 2^n - 1 bit
//   selects, one `vpternlog` each, for 512 LUTs.
//
// The gather is quweit.permute_bytes, which is one `vpermi2b` only with
// AVX-512 VBMI (quweit-lower-permute-bytes); the kernel is used only when the
// pass is told the target has it (`target-features`), and otherwise LUTs are
// evaluated one at a time. Padding LUTs of the last superblock have all-zero tables; the
// output's padding bits are unspecified (quweit.packed_lut_layer).
//
//===----------------------------------------------------------------------===//

#include "WordLogic.h"

#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

namespace {

/// LUTs per 64-bit gather (one byte lane each), groups per 512-bit plane.
constexpr int64_t kGroupLuts = 64, kGroups = 8, kSuperblockLuts = kGroupLuts * kGroups;
/// Bytes one two-register permute selects from.
constexpr int64_t kChunkBytes = 128;

/// The layer's constants, rearranged for the kernel.
struct GatherTables {
  int64_t superblocks, entries, chunks;
  /// [superblock][slot][group][lane]: byte index of the input bit (within its
  /// chunk when there are more than two chunks; bit 7 picks the chunk of two).
  std::vector<int64_t> byteIndex;
  /// Same shape: the chunk of the byte (only with more than two chunks).
  std::vector<int64_t> chunkIndex;
  /// Same shape: 1 << (bit within the byte), as a signed byte.
  std::vector<int64_t> bitMask;
  /// [superblock][entry][group]: bit j of the word is entry e of LUT
  /// superblock * 512 + group * 64 + j.
  std::vector<int64_t> tables;
};

int64_t asSignedByte(int64_t value) { return static_cast<int8_t>(value & 0xff); }

FailureOr<GatherTables> buildGatherTables(PackedLutLayerOp op, int64_t inputBytes) {
  std::vector<int64_t> mapping;
  std::vector<uint8_t> bits;
  if (readIntegers(op.getMapping(), mapping) || readBits(op.getTables(), bits))
    return failure();
  int64_t numLuts = op.getNumLuts(), fanIn = op.getFanIn();
  GatherTables t;
  t.superblocks = llvm::divideCeil(numLuts, kSuperblockLuts);
  t.entries = int64_t(1) << fanIn;
  t.chunks = llvm::divideCeil(inputBytes, kChunkBytes);
  int64_t lanes = t.superblocks * fanIn * kSuperblockLuts;
  t.byteIndex.assign(lanes, 0);
  t.bitMask.assign(lanes, 0);
  if (t.chunks > 2)
    t.chunkIndex.assign(lanes, 0);
  t.tables.assign(t.superblocks * t.entries * kGroups, 0);
  for (int64_t lut = 0; lut < numLuts; ++lut) {
    int64_t superblock = lut / kSuperblockLuts, group = (lut / kGroupLuts) % kGroups,
            lane = lut % kGroupLuts;
    for (int64_t slot = 0; slot < fanIn; ++slot) {
      int64_t source = mapping[lut * fanIn + slot];
      int64_t at = ((superblock * fanIn + slot) * kGroups + group) * kGroupLuts + lane;
      int64_t byte = source / 8;
      t.byteIndex[at] = asSignedByte(t.chunks > 2 ? byte % kChunkBytes : byte);
      t.bitMask[at] = asSignedByte(int64_t(1) << (source % 8));
      if (t.chunks > 2)
        t.chunkIndex[at] = byte / kChunkBytes;
    }
    for (int64_t entry = 0; entry < t.entries; ++entry)
      if (bits[lut * t.entries + entry])
        t.tables[(superblock * t.entries + entry) * kGroups + group] |=
            int64_t(uint64_t(1) << lane);
  }
  return t;
}

/// A read-only buffer of constant `values` (a constant tensor, bufferized to
/// a global).
Value constantBuffer(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape, Type elementType,
                     ArrayRef<int64_t> values, StringRef name) {
  auto type = RankedTensorType::get(shape, elementType);
  Value tensor = constantTensor(b, b.getLoc(), buildIntegers(type, values, name));
  return bufferization::ToBufferOp::create(b, MemRefType::get(shape, elementType), tensor,
                                           /*read_only=*/true);
}

} // namespace

bool lowering::canLowerFeaturePackedByteGather(PackedLutLayerOp op) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  int64_t wordBits = inputType.getElementTypeBitWidth();
  // Words up to 64 bits are stored little-endian: bit k of the sample's bit
  // string is bit k % 8 of byte k / 8, whatever the word size.
  return op.getFanIn() <= kMaxByteGatherFanIn && wordBits >= 8 && wordBits <= 64 &&
         !inputType.isDynamicDim(1) &&
         // Byte indices of up to 32 chunks (32768 input bits) fit the kernel's
         // unrolled chunk selection.
         inputType.getDimSize(1) * wordBits / 8 <= 32 * kChunkBytes;
}

FailureOr<Value> lowering::lowerFeaturePackedByteGather(PackedLutLayerOp op, Value input,
                                                        OpBuilder &builder) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  auto inputType = cast<RankedTensorType>(input.getType());
  auto type = op.getOutput().getType();
  Type inWordType = inputType.getElementType(), outWordType = type.getElementType();
  int64_t inWords = inputType.getDimSize(1), outWords = type.getDimSize(1);
  int64_t inWordBits = inWordType.getIntOrFloatBitWidth(),
          outWordBits = outWordType.getIntOrFloatBitWidth();
  int64_t fanIn = op.getFanIn();
  FailureOr<GatherTables> tables = buildGatherTables(op, inWords * inWordBits / 8);
  if (failed(tables))
    return failure();
  int64_t superblocks = tables->superblocks, chunks = tables->chunks;

  Type i8 = b.getI8Type(), i64 = b.getI64Type();
  SmallVector<int64_t> laneShape{superblocks, fanIn, kGroups, kGroupLuts};
  Value byteIndex = constantBuffer(b, laneShape, i8, tables->byteIndex, "quweit_gather_bytes");
  Value bitMask = constantBuffer(b, laneShape, i8, tables->bitMask, "quweit_gather_bits");
  Value chunkIndex;
  if (chunks > 2)
    chunkIndex = constantBuffer(b, laneShape, i8, tables->chunkIndex, "quweit_gather_chunks");
  Value entryWords = constantBuffer(b, {superblocks, tables->entries, kGroups}, i64,
                                    tables->tables, "quweit_transposed_tables");

  Value batch = tensor::DimOp::create(b, input, 0);
  SmallVector<Value> sizes;
  if (type.isDynamicDim(0))
    sizes.push_back(batch);
  auto align = b.getI64IntegerAttr(64);
  Value result = memref::AllocOp::create(
      b, MemRefType::get(type.getShape(), outWordType), sizes, align);
  Value inputBuffer = bufferization::ToBufferOp::create(
      b, anyLayout(inputType.getShape(), inWordType), input, /*read_only=*/true);

  // One sample's input bytes, zero-padded to whole chunks, and its output
  // words, padded to whole superblocks; both viewed as words and as bytes.
  int64_t stagedInBytes = chunks * kChunkBytes, stagedOutBytes = superblocks * 64;
  auto bytesOf = [&](int64_t count) {
    return memref::AllocOp::create(b, MemRefType::get({count}, i8), ValueRange{}, align);
  };
  Value stagedIn = bytesOf(stagedInBytes), stagedOut = bytesOf(stagedOutBytes);
  auto view = [&](Value bytes, int64_t count, Type elementType) {
    return memref::ViewOp::create(b, MemRefType::get({count}, elementType), bytes,
                                  constantIndex(b, 0), ValueRange{});
  };
  Value stagedInWords = view(stagedIn, stagedInBytes * 8 / inWordBits, inWordType);
  Value stagedOutWords = view(stagedOut, stagedOutBytes * 8 / outWordBits, outWordType);
  Value stagedOutPlanes = view(stagedOut, stagedOutBytes / 8, i64);
  // Bytes past the input are never selected, but are loaded with the chunk.
  linalg::FillOp::create(b, ValueRange{constantInt(b, i8, 0)}, ValueRange{stagedIn});

  auto bytesType = VectorType::get({kGroupLuts}, i8);
  auto planeType = VectorType::get({kGroups}, i64);
  Value zeroBytes = arith::ConstantOp::create(b, DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(0)));

  buildLoop(b, constantIndex(b, 0), batch, [&](ImplicitLocOpBuilder &sb, Value sample) {
    buildLoop(sb, constantIndex(sb, 0), constantIndex(sb, inWords),
              [&](ImplicitLocOpBuilder &wb, Value w) {
                Value word = memref::LoadOp::create(wb, inputBuffer, ValueRange{sample, w});
                memref::StoreOp::create(wb, word, stagedInWords, ValueRange{w});
              });
    // The chunks stay in registers for all superblocks.
    auto chunkType = VectorType::get({kChunkBytes}, i8);
    SmallVector<Value> chunkRegs;
    for (int64_t c = 0; c < chunks; ++c)
      chunkRegs.push_back(vector::LoadOp::create(
          sb, chunkType, stagedIn, ValueRange{constantIndex(sb, c * kChunkBytes)}));

    buildLoop(sb, constantIndex(sb, 0), constantIndex(sb, superblocks),
              [&](ImplicitLocOpBuilder &lb, Value superblock) {
      // Address planes: plane[l] bit (64 g + j) = input l of LUT 64 g + j.
      SmallVector<Value> planes;
      for (int64_t slot = 0; slot < fanIn; ++slot) {
        SmallVector<Value> groupWords;
        for (int64_t group = 0; group < kGroups; ++group) {
          SmallVector<Value> at{superblock, constantIndex(lb, slot),
                                constantIndex(lb, group), constantIndex(lb, 0)};
          Value index = vector::LoadOp::create(lb, bytesType, byteIndex, at);
          Value bytes = PermuteBytesOp::create(lb, bytesType, chunkRegs[0], index);
          if (chunks == 2) {
            // Bit 7 of the index picks the second chunk.
            Value high = arith::CmpIOp::create(lb, arith::CmpIPredicate::slt, index, zeroBytes);
            bytes = arith::SelectOp::create(
                lb, high, PermuteBytesOp::create(lb, bytesType, chunkRegs[1], index), bytes);
          } else if (chunks > 2) {
            Value chunk = vector::LoadOp::create(lb, bytesType, chunkIndex, at);
            for (int64_t c = 1; c < chunks; ++c) {
              Value isC = arith::CmpIOp::create(
                  lb, arith::CmpIPredicate::eq, chunk,
                  arith::ConstantOp::create(lb, DenseElementsAttr::get(bytesType, lb.getI8IntegerAttr(c))));
              bytes = arith::SelectOp::create(
                  lb, isC, PermuteBytesOp::create(lb, bytesType, chunkRegs[c], index), bytes);
            }
          }
          Value mask = vector::LoadOp::create(lb, bytesType, bitMask, at);
          Value set = arith::CmpIOp::create(lb, arith::CmpIPredicate::ne,
                                            arith::AndIOp::create(lb, bytes, mask), zeroBytes);
          Value word = vector::BitCastOp::create(lb, VectorType::get({1}, i64), set);
          groupWords.push_back(vector::ExtractOp::create(lb, word, ArrayRef<int64_t>{0}));
        }
        planes.push_back(vector::FromElementsOp::create(lb, planeType, groupWords));
      }
      // Mux tree over the transposed table words, lowest slot at the leaves.
      std::function<Value(int64_t, int64_t)> tree = [&](int64_t entry, int64_t level) -> Value {
        if (level == 0)
          return vector::LoadOp::create(
              lb, planeType, entryWords,
              ValueRange{superblock, constantIndex(lb, entry), constantIndex(lb, 0)});
        Value lo = tree(entry, level - 1);
        Value hi = tree(entry + (int64_t(1) << (level - 1)), level - 1);
        return WordLanes::select(lb, planes[level - 1], hi, lo);
      };
      Value outputs = tree(0, fanIn);
      vector::StoreOp::create(lb, outputs, stagedOutPlanes,
                              ValueRange{arith::MulIOp::create(lb, superblock, constantIndex(lb, kGroups))});
    });
    buildLoop(sb, constantIndex(sb, 0), constantIndex(sb, outWords),
              [&](ImplicitLocOpBuilder &wb, Value w) {
                Value word = memref::LoadOp::create(wb, stagedOutWords, ValueRange{w});
                memref::StoreOp::create(wb, word, result, ValueRange{sample, w});
              });
  });
  return bufferization::ToTensorOp::create(b, type, result, /*restrict=*/true,
                                           /*writable=*/true)
      .getResult();
}
