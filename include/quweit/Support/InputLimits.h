//===- InputLimits.h - checks on model input before and after parsing ----===//
//
// The packaged MLIR is built without assertions and its parser recurses once
// per nested region, attribute or type, so some hostile inputs would crash
// inside MLIR or make our lowerings compute sizes that overflow int64. These
// checks run before MLIR sees the bytes (nesting) and right after parsing
// (sizes), and turn such inputs into located diagnostics. Every tool that
// reads a model, and every fuzz target, goes through them.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_SUPPORT_INPUTLIMITS_H
#define QUWEIT_SUPPORT_INPUTLIMITS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace quweit {

/// Deepest bracket nesting ('(', '[', '{', '<') accepted in textual input.
/// Real models nest less than 20 deep; the parser's stack frames are large
/// (larger still under AddressSanitizer), so this keeps it far from the
/// 8 MiB stack.
constexpr unsigned kMaxNestingDepth = 256;

/// Largest size in bytes that one static shape may describe (i1 counted as
/// one byte, dynamic and zero dimensions as 1): 2^48 bytes. Larger shapes cannot be
/// allocated anyway, and every size the lowerings compute from them (packed
/// words, strides, byte offsets) then fits in int64 with room to spare.
constexpr int64_t kMaxStaticBytes = int64_t(1) << 48;

/// Largest alignment accepted for a resource blob in text (MLIR writes the
/// element type's alignment: at most 64 in practice).
constexpr uint32_t kMaxBlobAlignment = 1u << 16;

struct InputProblem {
  size_t offset;       // byte offset into the buffer
  std::string message; // what is wrong
};

/// Checks textual IR for brackets nested deeper than `maxDepth`, skipping
/// comments and string literals. Bytecode (which starts with "ML\xEFR") is
/// not scanned: its reader does not recurse per nesting level of regions.
std::optional<InputProblem> checkTextNesting(llvm::StringRef buffer,
                                             unsigned maxDepth = kMaxNestingDepth);

/// Checks textual IR for custom-form spellings that crash MLIR's own parser
/// (libMLIR has no assertions): linalg.transpose's `permutation`,
/// linalg.broadcast's and linalg.reduce's `dimensions` must be a list of
/// 64-bit integers, because their parsers do not check that the list parsed
/// before storing it (a null attribute, dereferenced); and a resource blob's
/// alignment (its first 4 bytes) must be in [1, kMaxBlobAlignment], because
/// alignment 0 makes the blob allocator abort. Located at the first
/// character that breaks the rule. Bytecode is not scanned: its reader does
/// not call custom parsers, and it runs in a child process.
std::optional<InputProblem> checkUnsafeSyntax(llvm::StringRef buffer);

/// checkTextNesting, then checkUnsafeSyntax: everything checked on text
/// before MLIR parses it.
std::optional<InputProblem> checkTextInput(llvm::StringRef buffer,
                                           unsigned maxDepth = kMaxNestingDepth);

/// Checks that no operation of `module` sits more than `maxDepth` regions
/// deep. Bytecode is not scanned before parsing, and its reader does not
/// recurse, but the printer and every recursive walk do.
mlir::LogicalResult checkRegionDepth(mlir::ModuleOp module,
                                     unsigned maxDepth = kMaxNestingDepth);

/// Runs checkRegionDepth, then checks every shaped type in `module`
/// (results, block arguments and the types inside attributes, function
/// signatures included) against kMaxStaticBytes. Emits a located error at
/// the first offender. The module pass below and parseCheckedModel run it.
mlir::LogicalResult checkShapeSizes(mlir::ModuleOp module);

/// MLIR's bytecode reader trusts what it reads: a corrupted block count
/// makes it allocate until memory runs out, a corrupted offset corrupts the
/// heap (both found by limits.test's corrupted files). No check short of a
/// second reader can vet bytecode, so a forked child reads it (with a time
/// and a memory limit) and prints the module as text with its locations;
/// the caller parses that text, and MLIR's bytecode reader never touches
/// untrusted bytes in the caller's process. On failure `problem` says why,
/// or is empty when the child rejected the file with located diagnostics
/// (already printed on stderr).
mlir::FailureOr<std::string> bytecodeToText(llvm::StringRef buffer,
                                            llvm::StringRef name,
                                            mlir::MLIRContext *context,
                                            std::string &problem,
                                            unsigned seconds = 0);

/// The child reader's time limit when bytecodeToText is given none: 5 s plus
/// 1 s per MiB. A valid model reads in a fraction of that, while corrupt
/// files can keep MLIR's reader busy for minutes (a 527-byte file found by
/// fuzz-parse: more than 60 s in upstream mlir-opt too).
unsigned bytecodeReadSeconds(size_t bytes);

/// Parses the main buffer of `sourceMgr` (text or bytecode) as a module,
/// with checkTextInput (text) or bytecodeToText (bytecode) before and
/// checkShapeSizes after; every problem is
/// a located diagnostic on `context` and a null result.
mlir::OwningOpRef<mlir::ModuleOp> parseCheckedModel(llvm::SourceMgr &sourceMgr,
                                                    mlir::MLIRContext *context);

/// Emits checkTextInput's problem, if any, as a located error on
/// `context`; returns failure then.
mlir::LogicalResult checkNesting(llvm::SourceMgr &sourceMgr,
                                 mlir::MLIRContext *context);

/// A module pass running checkShapeSizes, for drivers (quweit-opt) that
/// cannot call it between parsing and the pipeline.
std::unique_ptr<mlir::Pass> createCheckShapeSizesPass();

} // namespace quweit

#endif
