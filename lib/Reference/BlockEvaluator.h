//===- BlockEvaluator.h - the reference interpreter (internal) --*- C++ -*-===//

#ifndef QUWEIT_LIB_REFERENCE_BLOCKEVALUATOR_H
#define QUWEIT_LIB_REFERENCE_BLOCKEVALUATOR_H

#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"
#include "quweit/Reference/Evaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"

namespace quweit::reference {

using namespace mlir;

/// Evaluates the ops of one block in order.
class BlockEvaluator {
public:
  explicit BlockEvaluator(const EvaluationOptions &options)
      : options(options) {}

  /// Binds the block arguments, runs the ops, and returns the terminator's
  /// operand values.
  FailureOr<std::vector<Tensor>> run(Block &block, ArrayRef<Tensor> arguments);

private:
  LogicalResult evaluate(Operation *op);
  LogicalResult evaluateConstant(arith::ConstantOp op);
  LogicalResult evaluateThermometer(ThermometerOp op);
  LogicalResult evaluateLutLayer(LutLayerOp op);
  LogicalResult evaluateGroupSum(GroupSumOp op);
  LogicalResult evaluateScaleCounts(ScaleCountsOp op);
  LogicalResult evaluateArgMax(ArgMaxOp op);
  LogicalResult evaluatePack(PackBitsOp op);
  LogicalResult evaluatePackedLutLayer(PackedLutLayerOp op);
  LogicalResult evaluateDim(tensor::DimOp op);
  LogicalResult evaluateUnpack(UnpackBitsOp op);
  LogicalResult evaluateRegionOp(Operation *op);
  /// scf.if (quweit-pack-bits' run-time layout dispatch): runs the taken
  /// branch's ops and binds the results to its yield.
  LogicalResult evaluateIf(scf::IfOp op);
  /// arith.cmpi on index/integer scalars (the dispatch's batch-size test).
  LogicalResult evaluateScalarCompare(arith::CmpIOp op);

  // The float parts of hybrid models (StandardOps.cpp): tensor, linalg,
  // arith and math ops as the Python exporter and hand-written IR use them.
  LogicalResult evaluateStandard(Operation *op);
  /// Any linalg structured op on tensors, by its maps and scalar body.
  LogicalResult evaluateLinalg(Operation *op);
  LogicalResult evaluateElementwise(Operation *op);
  /// The value of an index operand (a scalar computed earlier).
  int64_t indexValue(Value value) { return values[value].ints.at(0); }

  /// Allocates the result tensor of `value` with the given shape after
  /// checking it against the static dims of its type and the size limit.
  FailureOr<Tensor *> allocate(Operation *op, Value value,
                               std::vector<int64_t> shape);

  const EvaluationOptions &options;
  llvm::DenseMap<Value, Tensor> values;
};


} // namespace quweit::reference

#endif
