//===- ResultsToOutParams.cpp - tensor results into caller buffers --------===//

#include "quweit/Dialect/QuWeiT/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace quweit {
#define GEN_PASS_DEF_RESULTSTOOUTPARAMS
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;

namespace {

struct ResultsToOutParamsPass
    : quweit::impl::ResultsToOutParamsBase<ResultsToOutParamsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      if (failed(convert(func)))
        return signalPassFailure();
    }
  }

  LogicalResult convert(func::FuncOp func) {
    FunctionType type = func.getFunctionType();
    SmallVector<Type> outTypes;
    for (Type result : type.getResults()) {
      auto tensor = dyn_cast<RankedTensorType>(result);
      if (!tensor)
        return func.emitError() << "cannot compile result of type " << result
                                << ": results must be ranked tensors";
      outTypes.push_back(MemRefType::get(tensor.getShape(), tensor.getElementType()));
    }
    if (outTypes.empty())
      return success();
    unsigned first = func.getNumArguments();
    SmallVector<unsigned> positions(outTypes.size(), first);
    SmallVector<DictionaryAttr> attrs(outTypes.size());
    SmallVector<Location> locs(outTypes.size(), func.getLoc());
    if (failed(func.insertArguments(positions, outTypes, attrs, locs)))
      return func.emitError("cannot add out-parameters");
    WalkResult walk = func.walk([&](func::ReturnOp ret) {
      OpBuilder builder(ret);
      for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
        auto store = bufferization::MaterializeInDestinationOp::create(
            builder, ret.getLoc(), TypeRange{}, value,
            func.getArgument(first + index));
        store.setWritable(true);
        store.setRestrict(true);
      }
      ret->setOperands({});
      return WalkResult::advance();
    });
    (void)walk;
    func.setType(FunctionType::get(&getContext(),
                                   func.getFunctionType().getInputs(), {}));
    return success();
  }
};

} // namespace
