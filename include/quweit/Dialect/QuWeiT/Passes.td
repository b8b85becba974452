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

def PackBits : Pass<"quweit-pack-bits"> {
  let summary = "rewrite LUT layers on i1 tensors into packed form";
  let description = [{
    Replaces each `quweit.lut_layer` by `quweit.pack_bits` ->
    `quweit.packed_lut_layer` -> `quweit.unpack_bits` in the chosen layout,
    with words of `word-bits` bits (64 by default). Consecutive layers share their packed words: a layer
    that reads another packed layer's output reads its words directly, so a
    chain of layers is packed once and unpacked once. Results are unchanged.

    Layouts: `batch-sliced` (64 samples per word; every LUT becomes word-wide
    Boolean logic: throughput), `feature-packed` (one sample's bits together:
    batch-1 latency), or `auto`, which picks `feature-packed` when the batch
    size is static and below 64 and `batch-sliced` otherwise.
  }];
  let options = [
    Option<"layout", "layout", "std::string", /*default=*/"\"auto\"",
           "batch-sliced, feature-packed or auto">,
    Option<"wordBits", "word-bits", "unsigned", /*default=*/"64",
           "bits per packed word: 8, 16, 32 or 64 (the SIMD lane width of "
           "bit-sliced evaluation)">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect", "::mlir::tensor::TensorDialect"];
}

def ResultsToOutParams : Pass<"quweit-results-to-out-params", "::mlir::ModuleOp"> {
  let summary = "make public functions write their tensor results into caller buffers";
  let description = [{
    Appends one memref argument (identity layout, the result's shape) per
    tensor result of every public function with a body, stores each result
    into its argument with `bufferization.materialize_in_destination`, and
    removes the results. After one-shot bufferization the function writes its
    outputs into memory the caller owns: the C ABI of compiled models
    (docs/abi.md). Fails with a diagnostic on results that are not ranked
    tensors.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // QUWEIT_DIALECT_QUWEIT_PASSES_TD
