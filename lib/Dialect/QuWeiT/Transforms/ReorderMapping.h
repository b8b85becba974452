//===- ReorderMapping.h - locality permutations of LUT layers ---*- C++ -*-===//

#ifndef QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_REORDERMAPPING_H
#define QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_REORDERMAPPING_H

#include "mlir/IR/Operation.h"

#include <cstdint>

namespace quweit {

/// Renumbers LUTs in first-read order and sorts the used slots of every LUT
/// (quweit-reorder-mapping). Exact; returns the number of layers renumbered.
int64_t reorderLutsForLocality(mlir::Operation *root);

} // namespace quweit

#endif // QUWEIT_LIB_DIALECT_QUWEIT_TRANSFORMS_REORDERMAPPING_H
