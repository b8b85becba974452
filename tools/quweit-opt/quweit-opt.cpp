//===- quweit-opt.cpp - the QuWeiT optimizer driver -----------------------===//
//
// mlir-opt with the QuWeiT dialects, passes and pipelines registered next to
// all of upstream MLIR's.
//
//===----------------------------------------------------------------------===//

#include "quweit/InitAll.h"
#include "quweit/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  quweit::registerAllPasses();
  quweit::registerPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  quweit::registerAllDialects(registry);

  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << quweit::versionString() << '\n'; });
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "QuWeiT optimizer driver\n", registry));
}
