//===- QuWeiTOps.h - QuWeiT operations --------------------------*- C++ -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_QUWEITOPS_H
#define QUWEIT_DIALECT_QUWEIT_QUWEITOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "quweit/Dialect/QuWeiT/QuWeiTDialect.h"

#include "quweit/Dialect/QuWeiT/QuWeiTEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "quweit/Dialect/QuWeiT/QuWeiTAttrs.h.inc"

#define GET_OP_CLASSES
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h.inc"

#endif // QUWEIT_DIALECT_QUWEIT_QUWEITOPS_H
