//===- InitAll.h - register every QuWeiT dialect and pass -------*- C++ -*-===//

#ifndef QUWEIT_INITALL_H
#define QUWEIT_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace quweit {

/// Adds the project's dialects to `registry`.
void registerAllDialects(mlir::DialectRegistry &registry);
/// Registers the project's passes and pass pipelines (once per process).
void registerAllPasses();
/// Adds the `quweit-flatten` pipeline: inline transformer blocks, expand LUT
/// FFNs, canonicalize, CSE.
void buildFlattenPipeline(mlir::OpPassManager &pm);
/// "quweit <version> (MLIR/LLVM <version>)".
const char *versionString();

} // namespace quweit

#endif // QUWEIT_INITALL_H
