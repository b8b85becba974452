//===- ConstantGlobals.h - large constants as raw bytes ---------*- C++ -*-===//
//
// Translating a large constant llvm.mlir.global the ordinary way builds one
// uniqued LLVM constant per innermost row (a tensor<1000000x6xi32> mapping
// becomes a million [6 x i32] arrays, each hashed, later walked by LLVM's call
// graph and emitted element by element by the assembler). Instead, the value
// of each large constant global is detached from the MLIR global before
// translation and attached afterwards as one flat [N x i8] array made from the
// attribute's raw bytes: one copy, emitted by the object writer as a block.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_LIB_TARGET_CPU_CONSTANTGLOBALS_H
#define QUWEIT_LIB_TARGET_CPU_CONSTANTGLOBALS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace quweit {

/// A constant global whose initializer was detached: its symbol and the bytes
/// of its value in target memory order (owned by the MLIR context).
struct DetachedConstant {
  std::string symbol;
  llvm::ArrayRef<char> bytes;
};

/// Constants smaller than this keep the ordinary translation.
inline constexpr size_t kDetachMinBytes = 4096;

/// Removes the value of every constant llvm.mlir.global of `module` that holds
/// at least kDetachMinBytes of non-splat integer or float data whose raw
/// storage is the target's memory image (little-endian host and target;
/// elements of 8 to 64 bits, no i1), and returns them.
std::vector<DetachedConstant> detachLargeConstants(mlir::ModuleOp module,
                                                   bool littleEndianTarget);

/// Gives each detached global of the translated `module` its value back, as
/// a [N x i8] initializer of the same bytes and at least the alignment the
/// original type had (the module's data layout must be set). Returns an
/// error message, or "" on success.
std::string attachLargeConstants(llvm::Module &module,
                                 llvm::ArrayRef<DetachedConstant> constants);

} // namespace quweit

#endif
