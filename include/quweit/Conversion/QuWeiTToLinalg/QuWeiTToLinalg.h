//===- QuWeiTToLinalg.h - quweit to linalg conversion ----------*- C++ -*-===//

#ifndef QUWEIT_CONVERSION_QUWEITTOLINALG_QUWEITTOLINALG_H
#define QUWEIT_CONVERSION_QUWEITTOLINALG_QUWEITTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace quweit {

/// Patterns that rewrite quweit ops (not the region ops) into linalg.generic
/// ops on tensors.
struct QuWeiTToLinalgOptions {
  /// Compile each bit-sliced LUT's table into straight-line logic (fan-in up
  /// to 8) instead of reading it from a constant table.
  bool specialiseTables = false;
  /// The target has AVX-512 VBMI byte permutes (`vpermi2b`): feature-packed
  /// LUT layers are evaluated with LUTs across SIMD lanes.
  bool byteGather = false;
};

void populateQuWeiTToLinalgConversionPatterns(
    mlir::RewritePatternSet &patterns, const QuWeiTToLinalgOptions &options = {});

/// Patterns that lower pack_bits(thermometer) and group_sum(unpack_bits) in
/// the batch_sliced layout as single kernels on words, without the
/// one-byte-per-bit tensors in between. Applied before the op-by-op patterns.
void populateQuWeiTFusedBitKernelPatterns(mlir::RewritePatternSet &patterns);

/// Whether a `target-features` pass option ("+a,-b,...", as LLVM spells
/// target features) enables `feature`; the last mention wins. Emits an error
/// on `op` and fails for an entry that does not start with + or -.
mlir::FailureOr<bool> targetFeatureEnabled(mlir::Operation *op, llvm::StringRef passName,
                                           llvm::StringRef features,
                                           llvm::StringRef feature);

/// Patterns that lower quweit.permute_bytes: to AVX-512 VBMI vpermi2b
/// intrinsic calls when `vbmi` (128-byte tables), else lane by lane.
void populateLowerPermuteBytesPatterns(mlir::RewritePatternSet &patterns, bool vbmi);

/// LLVM function attribute (`passthrough`) of the functions of specialised
/// LUT kernels (quweit-emit-lut-kernels): final code that quweit-compile
/// keeps out of LLVM's middle end.
inline constexpr llvm::StringLiteral kLutKernelFunctionAttr = "quweit-lut-kernel";

} // namespace quweit

#endif
