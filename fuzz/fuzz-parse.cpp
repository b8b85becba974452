//===- fuzz-parse.cpp - fuzz parsing and verifying models -----------------===//
//
// Parses an input as text or bytecode with the model dialects registered and
// verifies it. What verifies must also round-trip: printed as text and
// written as bytecode, it parses and verifies again (our custom assembly
// formats and verifiers must agree with each other).
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace quweit::fuzz;

static void reparse(llvm::StringRef bytes, const char *what) {
  std::unique_ptr<MLIRContext> context = makeContext();
  if (!parse(bytes, *context))
    fail(what);
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
  reparse(bytecode, "a verified module written as bytecode does not parse back");
  return 0;
}
