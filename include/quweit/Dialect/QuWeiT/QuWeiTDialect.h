//===- QuWeiTDialect.h - QuWeiT dialect -------------------------*- C++ -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_QUWEITDIALECT_H
#define QUWEIT_DIALECT_QUWEIT_QUWEITDIALECT_H

#include "mlir/IR/Dialect.h"

#include "quweit/Dialect/QuWeiT/QuWeiTOpsDialect.h.inc"

#endif // QUWEIT_DIALECT_QUWEIT_QUWEITDIALECT_H
