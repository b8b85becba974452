//===- ModelFile.h - open and parse a model file for a tool -----*- C++ -*-===//

#ifndef QUWEIT_SUPPORT_MODELFILE_H
#define QUWEIT_SUPPORT_MODELFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>

namespace quweit {

/// A model file (text or bytecode) opened and parsed for a command-line
/// tool. While the object lives, diagnostics on the module (from the parser,
/// the verifier and any later pass) are printed with file:line:column.
class ModelFile {
public:
  ModelFile(llvm::StringRef path, mlir::MLIRContext &context);

  /// The parsed module, or null when the file could not be opened (see
  /// openError()) or did not parse/verify (diagnostics already printed).
  mlir::ModuleOp module() { return parsed.get(); }
  const std::string &openError() const { return error; }

private:
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> parsed;
  std::string error;
};

} // namespace quweit

#endif
