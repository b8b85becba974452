//===- Passes.h - QuWeiT dialect passes -------------------------*- C++ -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_PASSES_H
#define QUWEIT_DIALECT_QUWEIT_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "quweit/Dialect/QuWeiT/QuWeiTDialect.h"

namespace quweit {

#define GEN_PASS_DECL
#include "quweit/Dialect/QuWeiT/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quweit/Dialect/QuWeiT/Passes.h.inc"

} // namespace quweit

#endif // QUWEIT_DIALECT_QUWEIT_PASSES_H
