//===- InitAll.cpp - register every QuWeiT dialect and pass ---------------===//

#include "quweit/InitAll.h"
#include "quweit/Config.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTDialect.h"

#include "llvm/Config/llvm-config.h"

void quweit::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<QuWeiTDialect>();
}

void quweit::registerAllPasses() { registerQuWeiTPasses(); }

const char *quweit::versionString() {
  return "quweit " QUWEIT_VERSION " (built against MLIR/LLVM " LLVM_VERSION_STRING ")";
}
