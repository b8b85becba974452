//===- Passes.td - QuWeiT conversion passes -----------------*- tablegen -*-===//

#ifndef QUWEIT_CONVERSION_PASSES_TD
#define QUWEIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQuWeiTToLinalg : Pass<"convert-quweit-to-linalg"> {
  let summary = "lower quweit ops to linalg.generic on tensors";
  let description = [{
    Rewrites every quweit op (except the region ops, which
    `--quweit-flatten` removes first) into `linalg.generic` ops on tensors
    whose bodies compute one output element with arith, scf and
    `tensor.extract` of the op's constants. The result composes with the
    non-LUT parts of a hybrid model: both go through upstream bufferization
    and the loop and LLVM lowerings.

    `quweit.lut_layer` on `i1` evaluates one LUT per element. A
    `quweit.packed_lut_layer` in the `batch_sliced` layout evaluates a LUT on
    a whole word of samples with Boolean word logic: a mux tree over the
    table's bits, 6 address bits per 64-entry table word, and a loop over the
    table words (with a minterm selector) above fan-in 6. The
    `feature_packed` layout evaluates the W LUTs of one output word in a loop.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect"
  ];
}

#endif // QUWEIT_CONVERSION_PASSES_TD
