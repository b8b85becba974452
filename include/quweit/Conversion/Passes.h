//===- Passes.h - QuWeiT conversion passes ----------------------*- C++ -*-===//

#ifndef QUWEIT_CONVERSION_PASSES_H
#define QUWEIT_CONVERSION_PASSES_H

#include "quweit/Conversion/QuWeiTToLinalg/QuWeiTToLinalg.h"

#include "quweit/Dialect/LutArray/LutArray.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace quweit {

#define GEN_PASS_DECL
#include "quweit/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quweit/Conversion/Passes.h.inc"

} // namespace quweit

#endif // QUWEIT_CONVERSION_PASSES_H
