//===- LutArray.h - the LUT-array hardware dialect --------------*- C++ -*-===//

#ifndef QUWEIT_DIALECT_LUTARRAY_LUTARRAY_H
#define QUWEIT_DIALECT_LUTARRAY_LUTARRAY_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "quweit/Dialect/LutArray/LutArrayDialect.h.inc"

#define GET_OP_CLASSES
#include "quweit/Dialect/LutArray/LutArray.h.inc"

#endif
