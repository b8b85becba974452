//===- FuzzSupport.h - shared parts of the libFuzzer targets ----*- C++ -*-===//
//
// Each fuzz input gets a fresh MLIRContext (so that attributes uniqued by
// one input cannot pile up over millions of runs) that knows the dialects a
// QuWeiT model may use. Inputs go through the same checked parser as the
// tools (quweit/Support/InputLimits.h). Diagnostics are swallowed unless
// QUWEIT_FUZZ_VERBOSE is set, which helps when reproducing a crash.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_FUZZ_FUZZSUPPORT_H
#define QUWEIT_FUZZ_FUZZSUPPORT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>

namespace quweit::fuzz {

/// Separates the model from the bytes that fill the evaluator's inputs
/// (fuzz-evaluate); the other targets read only the part before it.
constexpr llvm::StringLiteral kInputsMarker = "\n#inputs#\n";

/// A context with the model dialects (quweit, lutarray, func, arith, tensor,
/// linalg, math) registered, threading off and diagnostics swallowed.
std::unique_ptr<mlir::MLIRContext> makeContext();

/// Parses (text or bytecode) and verifies `bytes` with the input limits the
/// tools apply; null when anything fails.
mlir::OwningOpRef<mlir::ModuleOp> parse(llvm::StringRef bytes,
                                        mlir::MLIRContext &context);

/// True when no static shape in `module` holds more than `maxElements`
/// elements: larger models are valid but only make runs slow.
bool isSmall(mlir::ModuleOp module, int64_t maxElements);

/// The function to evaluate or compile: 'main', else the first public
/// function with a body; null if none.
mlir::func::FuncOp findEntry(mlir::ModuleOp module);

/// Aborts with `message` (libFuzzer then saves the input as a crash): for
/// invariants that must hold on every verified model.
[[noreturn]] void fail(const char *message);

} // namespace quweit::fuzz

#endif
