//===- ScratchAllocator.h - temporaries kept across calls ------*- C++ -*-===//

#ifndef QUWEIT_LIB_TARGET_CPU_SCRATCHALLOCATOR_H
#define QUWEIT_LIB_TARGET_CPU_SCRATCHALLOCATOR_H

#include "llvm/ADT/StringRef.h"

namespace llvm {
class Module;
} // namespace llvm

namespace quweit {

/// The allocation functions that finalize-memref-to-llvm calls with
/// `use-generic-functions`.
inline constexpr llvm::StringLiteral kScratchAllocName = "_mlir_memref_to_llvm_alloc";
inline constexpr llvm::StringLiteral kScratchFreeName = "_mlir_memref_to_llvm_free";

/// Defines the allocation functions of the lowered code (internal to the
/// object) as a lock-free cache of freed blocks over malloc/free, and the
/// exported `void <prefix>release_scratch(void)` that frees the cached blocks.
void addScratchAllocator(llvm::Module &module, llvm::StringRef symbolPrefix);

} // namespace quweit

#endif
