//===- Evaluator.h - reference evaluation of quweit functions ---*- C++ -*-===//
//
// Interprets a func.func made of quweit ops (and the few standard ops that
// glue them: arith.constant, func.return) on concrete tensors, exactly as
// docs/semantics.md defines them. It is the oracle for every lowering test and
// lets users run a model without compiling it (tools/quweit-run).
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_REFERENCE_EVALUATOR_H
#define QUWEIT_REFERENCE_EVALUATOR_H

#include "quweit/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include <vector>

namespace quweit::reference {

struct EvaluationOptions {
  /// Largest tensor (in elements) the evaluator will allocate; anything
  /// larger is refused with an error instead of exhausting memory.
  int64_t maxElements = int64_t(1) << 31;
};

/// Maps an MLIR element type to the evaluator's, if supported.
std::optional<ElementType> toElementType(mlir::Type type);

/// Checks that `tensor` can be passed where `type` is expected; returns an
/// empty string when it can, else the reason.
std::string checkArgument(const Tensor &tensor, mlir::Type type);

/// Evaluates `func` on `arguments`. On failure, an error has been emitted at
/// the location of the offending op (or the function) and failure returned.
mlir::FailureOr<std::vector<Tensor>>
evaluate(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> arguments,
         const EvaluationOptions &options = {});

/// Registers the dialects the evaluator reads: quweit and the upstream ones
/// of hybrid models and packed IR (func, arith, tensor, linalg, math, scf).
/// Tools that also parse other quweit dialects add registerAllDialects.
void registerEvaluatorDialects(mlir::DialectRegistry &registry);

} // namespace quweit::reference

#endif // QUWEIT_REFERENCE_EVALUATOR_H
