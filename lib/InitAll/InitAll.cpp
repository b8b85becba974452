//===- InitAll.cpp - register every QuWeiT dialect and pass ---------------===//

#include "quweit/InitAll.h"
#include "quweit/Config.h"
#include "quweit/Conversion/Passes.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/LutArray/LutArray.h"
#include "quweit/Dialect/QuWeiT/QuWeiTDialect.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Config/llvm-config.h"

void quweit::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<QuWeiTDialect, lutarray::LutArrayDialect>();
}

void quweit::buildFlattenPipeline(mlir::OpPassManager &pm) {
  pm.addPass(createInlineTransformerBlocks());
  pm.addPass(createExpandLutFFN());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
}

void quweit::registerAllPasses() {
  registerQuWeiTPasses();
  registerQuWeiTConversionPasses();
}

const char *quweit::versionString() {
  return "quweit " QUWEIT_VERSION " (built against MLIR/LLVM " LLVM_VERSION_STRING ")";
}
