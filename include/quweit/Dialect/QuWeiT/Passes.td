//===- Passes.td - QuWeiT dialect passes --------------------*- tablegen -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_PASSES_TD
#define QUWEIT_DIALECT_QUWEIT_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandLutFFN : Pass<"quweit-expand-lut-ffn"> {
  let summary = "replace every quweit.lut_ffn by the ops of its body";
  let description = [{
    Inlines the body of each `quweit.lut_ffn` (thermometer, LUT layers, group
    sum, scaling) in place of the op, so that later passes and lowerings see
    the individual ops. Results are unchanged.
  }];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

def InlineTransformerBlocks : Pass<"quweit-inline-blocks"> {
  let summary = "replace every quweit.transformer_block by the ops of its body";
  let description = [{
    Inlines the body of each `quweit.transformer_block`, substituting the
    block's operands for its arguments and its yielded values for its results.
    Used before lowerings that do not know the region op. Results are unchanged.
  }];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

#endif // QUWEIT_DIALECT_QUWEIT_PASSES_TD
