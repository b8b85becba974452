//===- Compile.h - compile a QuWeiT model to a native object ----*- C++ -*-===//
//
// The CPU backend's driver: lowers a verified module with the quweit-to-llvm
// pipeline, translates it to LLVM IR, adds one plain-C entry point per public
// function (docs/abi.md), optimises and emits a relocatable object with the
// in-process LLVM TargetMachine, and writes the matching C header.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_TARGET_CPU_COMPILE_H
#define QUWEIT_TARGET_CPU_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <string>

namespace quweit {

struct CompileOptions {
  /// LLVM optimisation level 0..3.
  unsigned optLevel = 2;
  /// Target CPU: "native", "generic", or an LLVM CPU name (x86-64-v3, ...).
  std::string cpu = "native";
  /// Bit layout of LUT layers (see quweit-to-llvm).
  std::string layout = "auto";
  /// Bits per packed word of the bit-sliced layout (8 to 512, a power of
  /// two), or 0: the target's widest SIMD register (512 with AVX-512F, 256
  /// with AVX2, 128 with SSE2, else 64).
  unsigned wordBits = 0;
  /// Bit-sliced LUT code generation: auto, table or specialise
  /// (convert-quweit-to-linalg's lut-codegen).
  std::string lutCodegen = "auto";
  /// With lutCodegen "auto": specialise up to this many bit-sliced LUTs.
  int64_t specialiseMaxLuts = 2048;
  /// Threads a call splits its batch over (1: the caller's thread only).
  /// Needs functions whose rows are independent (quweit ops only) and whose
  /// every argument and result has a dynamic batch dimension.
  unsigned threads = 1;
  /// How threads are used: "batch" (the entry point splits the batch over
  /// pthreads; row-independent functions only) or "openmp" (every op's
  /// parallel loops, rows and LUTs alike, run on OpenMP threads; any model,
  /// batch 1 included; the object then needs libomp).
  std::string parallel = "batch";
  /// Lowering of f32 matmuls: "vectorize" (register-tiled FMA loops; the
  /// default), "blas" (cblas_sgemm calls: link the object with a CBLAS
  /// library such as -lopenblas) or "loops".
  std::string matmul = "vectorize";
  /// Keep the optimised LLVM IR as text in CompiledModel::llvmIR (costly
  /// for large models: hundreds of MB of text for a million LUTs).
  bool keepLLVMIR = false;
  /// Prefix of the exported C entry points.
  std::string symbolPrefix = "quweit_";
  /// Name written in the header's comments.
  std::string sourceName = "model";
  /// When set (quweit-compile --time-passes), each phase (MLIR passes one by
  /// one, translation to LLVM IR, LLVM optimisation, code generation) is
  /// timed as a child of this scope, and LLVM's own pass timers run too.
  mlir::TimingScope *timing = nullptr;
};

struct CompiledModel {
  llvm::SmallVector<char, 0> object; // bytes of the relocatable object
  std::string header; // the C header
  std::string llvmIR; // the optimised LLVM IR, if keepLLVMIR (--emit-llvm)
  /// JSON description of the entry points (names, symbols, ports with
  /// numpy dtype names and shapes, -1 for the batch), for runtimes that load
  /// the object without parsing C.
  std::string signature;
};

/// Compiles `module` (consumed: it is lowered in place). Errors are
/// returned with a message; diagnostics on the IR go to the context's
/// handler.
llvm::Expected<CompiledModel> compileModel(mlir::ModuleOp module,
                                           const CompileOptions &options);

} // namespace quweit

#endif
