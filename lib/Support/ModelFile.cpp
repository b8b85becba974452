//===- ModelFile.cpp - open and parse a model file for a tool -------------===//

#include "quweit/Support/ModelFile.h"
#include "quweit/Support/InputLimits.h"

#include "mlir/Support/FileUtilities.h"

using namespace mlir;

quweit::ModelFile::ModelFile(llvm::StringRef path, MLIRContext &context) {
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &error);
  if (!file)
    return;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  diagnostics = std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr, &context);
  parsed = parseCheckedModel(sourceMgr, &context);
}
