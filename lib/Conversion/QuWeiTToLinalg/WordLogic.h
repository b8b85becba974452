//===- WordLogic.h - Boolean logic on packed words -------------*- C++ -*-===//
//
// Helpers shared by the packed-word lowerings of convert-quweit-to-linalg:
// words wider than 64 bits (i128, i256, i512) are computed as vectors of i64
// lanes so that LLVM keeps them in SIMD registers (an i512 scalar would be
// legalised into eight 64-bit operations), and a LUT's truth table can be
// turned into a Boolean expression over its input words.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_LIB_CONVERSION_QUWEITTOLINALG_WORDLOGIC_H
#define QUWEIT_LIB_CONVERSION_QUWEITTOLINALG_WORDLOGIC_H

#include "quweit/Conversion/QuWeiTToLinalg/QuWeiTToLinalg.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace quweit::lowering {

//===----------------------------------------------------------------------===//
// Lowering helpers (defined in QuWeiTToLinalg.cpp)
//===----------------------------------------------------------------------===//

using BodyBuilder =
    llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &, mlir::ValueRange)>;

/// Creates `tensor.empty` of `type` (dynamic sizes from `dynamicSizes`) and a
/// parallel linalg.generic over it whose body yields `body(indices)`, the
/// indices in the tensor's dimension order. `outerDim` is the dimension the
/// outermost loop runs over once the generic becomes loops. A `rowInput`
/// (a 2-D tensor with the result's rows, read by the body with
/// tensor.extract at any column) is also recorded as the generic's input,
/// through its column 0, so that passes after bufferization find its buffer.
mlir::Value buildElementwise(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::RankedTensorType type,
                             mlir::ValueRange dynamicSizes, BodyBuilder body,
                             unsigned outerDim = 0,
                             mlir::Value rowInput = {});
mlir::Value constantIndex(mlir::ImplicitLocOpBuilder &b, int64_t value);
mlir::Value constantInt(mlir::ImplicitLocOpBuilder &b, mlir::Type type,
                        int64_t value);
mlir::Value constantTensor(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::ElementsAttr attr);
/// The dynamic sizes `result` needs, taken from `source` dimension 0.
llvm::SmallVector<mlir::Value> batchSizes(mlir::OpBuilder &builder,
                                          mlir::Location loc, mlir::Value source,
                                          mlir::RankedTensorType result);
/// Reads mapping[j, l] as an index.
mlir::Value mappingAt(mlir::ImplicitLocOpBuilder &b, mlir::Value mapping,
                      mlir::Value lut, int64_t slot);

/// How a packed word of type iW is held while it is computed on: as the
/// integer itself up to 64 bits, as vector<(W/64) x i64> above.
class WordLanes {
public:
  explicit WordLanes(mlir::Type wordType);

  bool isVector() const { return lanes > 1; }
  /// The type logic is computed in.
  mlir::Type computeType() const { return compute; }
  mlir::Value toCompute(mlir::ImplicitLocOpBuilder &b, mlir::Value word) const;
  mlir::Value toWord(mlir::ImplicitLocOpBuilder &b, mlir::Value value) const;
  /// All-zero (`ones` false) or all-one words.
  mlir::Value constant(mlir::ImplicitLocOpBuilder &b, bool ones) const;
  /// Every bit of the word equal to bit 0 of `bit` (an i64 holding 0 or 1).
  mlir::Value spread(mlir::ImplicitLocOpBuilder &b, mlir::Value bit) const;
  /// out = x ? hi : lo, bit by bit.
  static mlir::Value select(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                            mlir::Value hi, mlir::Value lo);

private:
  mlir::Type word, compute;
  int64_t lanes;
};

/// Marks a bit-sliced LUT layer's linalg.generic (table-driven, its input as
/// the generic's input) for quweit-specialise-lut-kernels: a dictionary with
/// the layer's `mapping` and `tables`.
inline constexpr llvm::StringLiteral kSpecialiseAttrName = "quweit.specialise";

/// Marks the declaration of a specialised LUT kernel that
/// quweit-specialise-lut-kernels outlined and quweit-emit-lut-kernels defines:
/// `mapping`, `tables`, `word_type`, `num_inputs`, `input_row_stride`,
/// `output_row_stride`.
inline constexpr llvm::StringLiteral kLutKernelAttrName = "quweit.lut_kernel";

/// A bit-sliced layer whose tables are compiled into code.
struct SpecialisedLayer {
  int64_t numLuts = 0, fanIn = 0;
  std::vector<int64_t> mapping; // numLuts x fanIn input columns
  std::vector<uint8_t> tables;  // numLuts x 2^fanIn bits
};

/// Reads the `mapping` and `tables` of `spec` (the dictionary `attrName` of
/// `op`) and checks them: fan-in 1..16, `numLuts` LUTs (any number when
/// negative), every input column in [0, numInputs). Errors are reported at
/// `op`. The attributes are discardable, so they are re-verified by every
/// pass that reads them.
mlir::FailureOr<SpecialisedLayer>
readSpecialisedLayer(mlir::Operation *op, mlir::DictionaryAttr spec,
                     llvm::StringRef attrName, int64_t numInputs,
                     int64_t numLuts);

/// Lowers a batch_sliced `quweit.packed_lut_layer` on tensors, either with
/// tables as data (one linalg.generic, LUT-major so that each LUT's table
/// leaves are computed once for all word rows) or with each table
/// specialised into straight-line logic.
mlir::FailureOr<mlir::Value>
lowerBatchSlicedLutLayer(PackedLutLayerOp op, mlir::Value input,
                         mlir::OpBuilder &builder, bool specialise);

/// A memref type of `shape` and `elementType` with any strides and offset:
/// what an arbitrary tensor bufferizes to, and what subviews give.
mlir::MemRefType anyLayout(llvm::ArrayRef<int64_t> shape, mlir::Type elementType);

/// Builds `for (i = lower; i < upper; ++i) body(i)` (scf.for).
void buildLoop(mlir::ImplicitLocOpBuilder &b, mlir::Value lower, mlir::Value upper,
               llvm::function_ref<void(mlir::ImplicitLocOpBuilder &, mlir::Value)> body);

/// The largest fan-in the feature-packed byte-gather kernel takes: its mux
/// tree over transposed tables has 2^n leaves per 512 LUTs.
inline constexpr int64_t kMaxByteGatherFanIn = 8;

/// Whether lowerFeaturePackedByteGather handles `op` (a feature_packed
/// layer): fan-in up to kMaxByteGatherFanIn, words of 8 to 64 bits, a static
/// input width of at most 32768 bits.
bool canLowerFeaturePackedByteGather(PackedLutLayerOp op);

/// Lowers a feature_packed `quweit.packed_lut_layer` with LUTs across SIMD
/// lanes: byte-permute gathers of each LUT's inputs (AVX-512 VBMI
/// `vpermi2b`, as an LLVM intrinsic call) and a mux tree over transposed
/// tables, 512 LUTs at a time (FeaturePackedByteGather.cpp).
mlir::FailureOr<mlir::Value> lowerFeaturePackedByteGather(PackedLutLayerOp op,
                                                          mlir::Value input,
                                                          mlir::OpBuilder &builder);

} // namespace quweit::lowering

#endif
