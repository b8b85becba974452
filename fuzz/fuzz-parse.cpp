//===- fuzz-parse.cpp - fuzz parsing and verifying models -----------------===//
//
// Parses an input as text or bytecode with the model dialects registered and
// verifies it, through the tools' checked parser (so fuzzed bytecode is read
// in a child process, as the tools read it). What verifies must also round-trip: printed as text and
// written as bytecode, it parses and verifies again (our custom assembly
// formats and verifiers must agree with each other).
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace quweit::fuzz;

static void reparse(llvm::StringRef bytes, const char *what) {
  std::unique_ptr<MLIRContext> context = makeContext();
  if (!parse(bytes, *context))
    fail(what);
}

/// Bytecode we wrote ourselves is trusted: read it in-process (the tools
/// read untrusted bytecode in a child process, which costs a fork).
static void reparseOwnBytecode(llvm::StringRef bytes) {
  std::unique_ptr<MLIRContext> context = makeContext();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(bytes, "own-bytecode"), llvm::SMLoc());
  if (!parseSourceFile<ModuleOp>(sourceMgr, context.get()))
    fail("a verified module written as bytecode does not parse back");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  std::unique_ptr<MLIRContext> context = makeContext();
  OwningOpRef<ModuleOp> module = parse(bytes, *context);
  if (!module)
    return 0;

  std::string text;
  llvm::raw_string_ostream textStream(text);
  module->print(textStream);
  reparse(text, "a verified module printed as text does not parse back");

  std::string bytecode;
  llvm::raw_string_ostream bytecodeStream(bytecode);
  if (failed(writeBytecodeToFile(*module, bytecodeStream)))
    fail("a verified module cannot be written as bytecode");
  reparseOwnBytecode(bytecode);
  return 0;
}
