//===- LutCensus.h - sizes of the LUT networks under an op ------*- C++ -*-===//
//
// The optimisation passes report what they removed as the difference of two
// censuses (before and after), so each statistic counts exactly what changed
// in the IR, whichever pattern did it.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_LUTCENSUS_H
#define QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_LUTCENSUS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace quweit {

struct LutCensus {
  int64_t layers = 0;
  /// LUTs of all layers.
  int64_t luts = 0;
  /// Mapping entries (LUTs x fan-in) and table bits (LUTs x 2^fan-in).
  int64_t slots = 0, tableBits = 0;
  /// Slots whose table depends on them.
  int64_t usedSlots = 0;
  /// LUTs whose table is constant.
  int64_t constantLuts = 0;
  /// Used slots that read a constant LUT of the producing layer.
  int64_t constantReads = 0;
  /// Thermometer output bits (= thresholds).
  int64_t thermometerBits = 0;
  /// Sum over layers of |input(i) - input(i-1)| over consecutive used reads
  /// (LUT by LUT, slot by slot): how far evaluation jumps in the input.
  int64_t readDistance = 0;
};

/// Counts the quweit LUT networks nested under `root` (layers too large to
/// read contribute their sizes only).
LutCensus takeLutCensus(mlir::Operation *root);

/// Emits "<pass>: name=value, ..." as a remark on `root` (the passes'
/// `remarks` option: the packaged LLVM is built without statistics).
void remarkChanges(mlir::Operation *root, llvm::StringRef pass,
                   llvm::ArrayRef<std::pair<llvm::StringRef, int64_t>> values);

} // namespace quweit

#endif // QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_LUTCENSUS_H
