//===- QuWeiTToLinalg.h - quweit to linalg conversion ----------*- C++ -*-===//

#ifndef QUWEIT_CONVERSION_QUWEITTOLINALG_QUWEITTOLINALG_H
#define QUWEIT_CONVERSION_QUWEITTOLINALG_QUWEITTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace quweit {

/// Patterns that rewrite quweit ops (not the region ops) into linalg.generic
/// ops on tensors.
void populateQuWeiTToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

} // namespace quweit

#endif
