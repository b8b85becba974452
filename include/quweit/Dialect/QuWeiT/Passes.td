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

    Layouts: `batch-sliced` (W samples per word; every LUT becomes word-wide
    Boolean logic: throughput), `feature-packed` (one sample's bits together:
    batch-1 latency), or `auto`, which picks `feature-packed` when the batch
    size is static and below `feature-packed-rows` (64) and `batch-sliced`
    otherwise.

    With `auto` and `runtime-dispatch`, a dynamic batch is decided at run
    time: each chain of layers (each layer's output read only by the next),
    with the thermometer before it and the group sum after it when they have
    no other user, is cloned into both branches of an `scf.if` on
    `tensor.dim < feature-packed-rows`, feature-packed in the `then` branch
    and batch-sliced in the `else` branch. Both are compiled; a transformer
    at batch 1 (50 token rows) then evaluates its LUTs with LUTs across SIMD
    lanes instead of filling 50 of a bit-sliced word's 512 lanes.
    `quweit-compile` enables it when the target has AVX-512 VBMI (without it
    the feature-packed kernel evaluates one LUT at a time and does not pay).
  }];
  let options = [
    Option<"layout", "layout", "std::string", /*default=*/"\"auto\"",
           "batch-sliced, feature-packed or auto">,
    Option<"wordBits", "word-bits", "unsigned", /*default=*/"64",
           "bits per packed word: 8 to 512, a power of two (the samples per "
           "word of bit-sliced evaluation; feature-packed words use at most "
           "64)">,
    Option<"featurePackedRows", "feature-packed-rows", "int64_t",
           /*default=*/"64",
           "with layout=auto: batches of fewer rows than this are packed "
           "feature-packed">,
    Option<"runtimeDispatch", "runtime-dispatch", "bool", /*default=*/"false",
           "with layout=auto: choose the layout of a dynamic batch at run "
           "time (scf.if on the batch size, both layouts compiled)">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect"];
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

//===----------------------------------------------------------------------===//
// Conversion of dense MLPs into LUT FFNs (docs/transforms.md)
//===----------------------------------------------------------------------===//

def ConvertMLPToLUT : Pass<"quweit-convert-mlp-to-lut", "::mlir::ModuleOp"> {
  let summary = "replace the dense MLPs of a transformer by quweit.lut_ffn ops";
  let description = [{
    Finds the MLP sublayers of a model written in linalg/tensor/arith/math:
    a *linear* (a linalg contraction - `linalg.matmul`, `linalg.batch_matmul`
    or a `linalg.generic` contraction - of the activations `[..., D]` with a
    weight `D x H` that does not vary over the rows: computed from constants,
    or from function arguments the activations are not computed from),
    elementwise
    ops (bias adds and the activation, as `linalg.generic`s, named linalg
    elementwise ops or arith/math ops on tensors), a second linear `H -> k`
    and its optional bias add. The elementwise part is identified by
    evaluating it per hidden unit: it must be `g(y + b_j)` with `g` exact
    (erf) GELU, tanh GELU or ReLU (biases passed as arguments are checked
    with two arbitrary values). Every hidden value must be used only
    inside the MLP. Attention (contractions of two activations), norms and
    residual adds are never part of a match.

    Each MLP is replaced by the `quweit.lut_ffn` of the same name from the
    `tables` file: an MLIR module of `func.func @"NAME"(tensor<?xDxf32>) ->
    tensor<?xkxf32>` whose body is one `quweit.lut_ffn` of the argument and
    its return (written by `python -m quweit.tables` from a trained QuWeiT
    checkpoint or by `python -m quweit.fit` from a dense one). An MLP's
    names, tried in order: the common dotted prefix of the two linears'
    location names (`loc("blocks.3.ffn.fc1")` and `...fc2` give
    `blocks.3.ffn`) and the first linear's location name; for an MLP without
    location names, the name of the enclosing `quweit.transformer_block`
    (when it holds one MLP), else `mlpI` (the I-th MLP of the module, from
    0). A named MLP never falls back to a position. Inputs of rank > 2 are
    collapsed to rows and expanded back. The new op gets
    `quweit.dense_hidden = H` (for the cost report's dense twin) and
    `quweit.mlp = NAME`.

    Errors (located at the MLP, with a note at the table): no table for an
    MLP (unless `allow-missing`), a table whose widths differ from the
    MLP's, a tables file that does not parse or is not of that form.
    Without `tables` nothing is converted (with `remarks`, the MLPs found
    and their names are listed). With `remarks`, one remark per MLP
    converted and per MLP-shaped pattern left alone (with the reason), and
    a summary remark on the module.
  }];
  let options = [
    Option<"tablesFile", "tables", "std::string", /*default=*/"\"\"",
           "MLIR file of named quweit.lut_ffn tables (func.func per MLP)">,
    Option<"allowMissing", "allow-missing", "bool", /*default=*/"false",
           "leave MLPs without tables dense (with a remark) instead of "
           "failing">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark per MLP converted or left alone, and a summary">
  ];
  let statistics = [
    Statistic<"numConverted", "mlps-converted", "MLPs replaced by LUT FFNs">,
    Statistic<"numLeft", "mlps-left", "MLP-shaped patterns left dense">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Exact optimisations of LUT networks (docs/transforms.md)
//===----------------------------------------------------------------------===//

def EliminateDeadLuts : Pass<"quweit-eliminate-dead-luts"> {
  let summary = "delete LUTs whose output reaches no group sum or result";
  let description = [{
    Deletes the LUTs of a layer that no user needs: a LUT is needed if a LUT
    layer reads it through a slot its table does not ignore, or if a
    `quweit.group_sum` counts it. A group sum counts every bit, so under one
    only constant-0 LUTs go (a constant-1 LUT adds one to its group and
    stays); the group sum then gets an explicit `group_index` in place of
    contiguous groups. Layers with any other user (a function result, an op
    of another dialect) keep all their LUTs. Applied to a fixed point, so
    deletions propagate towards the thermometer. Results are unchanged bit
    for bit. A layer keeps at least one LUT.
  }];
  let options = [
    Option<"acrossGroupSums", "across-group-sums", "bool", /*default=*/"true",
           "also delete constant-0 LUTs counted by a group sum (making its "
           "groups explicit)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"numLutsRemoved", "luts-removed", "LUTs deleted">,
    Statistic<"numGroupSumsIndexed", "group-sums-indexed",
              "contiguous group sums given an explicit group_index">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

def FoldConstantLuts : Pass<"quweit-fold-constant-luts"> {
  let summary = "substitute constant LUTs into the tables that read them";
  let description = [{
    A LUT whose table is constant outputs the same bit for every input. Its
    value is substituted into the tables of the layers that read it, so that
    the reading slots become ignored (`quweit-drop-ignored-inputs` then
    drops them, `quweit-eliminate-dead-luts` deletes the constant LUT). A
    layer whose LUTs are all constant, or whose input is constant, folds to
    an `arith.constant` when the batch size is static. Exact.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"numReadsFolded", "reads-folded",
              "slots reading a constant LUT that now ignore it">,
    Statistic<"numLayersFolded", "layers-folded",
              "LUT layers folded to constants">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect",
                           "::mlir::arith::ArithDialect"];
}

def DropIgnoredInputs : Pass<"quweit-drop-ignored-inputs"> {
  let summary = "remove the LUT inputs that a table does not depend on";
  let description = [{
    When a table does not depend on slot l (`T[a] == T[a ^ (1 << l)]` for
    every address a), the slot is moved above the used ones and pointed at
    input 0; when every LUT of a layer ignores its top slot, the layer's
    fan-in shrinks (fan-in is uniform per layer, so this is how one LUT
    "drops" an input). Exact. This is the canonicalization pattern of
    `quweit.lut_layer`, run alone.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"numSlotsRemoved", "slots-removed",
              "mapping entries removed by fan-in shrinking">,
    Statistic<"numTableBitsRemoved", "table-bits-removed",
              "table bits removed by fan-in shrinking">,
    Statistic<"numIgnoredSlots", "ignored-slots",
              "slots that tables ignore (before the pass)">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

def MergeIdenticalLuts : Pass<"quweit-merge-identical-luts"> {
  let summary = "merge LUTs with the same inputs and table";
  let description = [{
    LUTs of one layer with the same mapping row and table compute the same
    bit. Readers of a duplicate read the first such LUT instead, and the
    duplicate is deleted unless a `quweit.group_sum` counts it (a group sum
    counts both copies, so they stay for it). Unread LUTs that are not
    duplicates are left to `quweit-eliminate-dead-luts`. Exact.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"numLutsMerged", "luts-merged", "duplicate LUTs deleted">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

def PruneThermometer : Pass<"quweit-prune-thermometer"> {
  let summary = "drop thermometer bits (and thresholds) that no LUT reads";
  let description = [{
    A thermometer whose users are all LUT layers keeps, for each feature,
    only the bits some LUT reads through a slot its table does not ignore
    (with their thresholds, in order), and the readers' mappings are
    renumbered. Thresholds are an `F x T` array, so T shrinks to the largest
    number of bits any feature keeps; a feature with fewer kept bits is
    padded with copies of its last kept threshold (equal thresholds are
    allowed), and a feature with no bit read keeps T copies of its largest
    threshold. Padding bits are never read. The input features themselves
    are not removed (that would need a gather of the input). Exact.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"numBitsRemoved", "bits-removed",
              "thermometer bits (= thresholds) removed">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

def ReorderMapping : Pass<"quweit-reorder-mapping"> {
  let summary = "reorder LUTs and slots so that evaluation reads inputs in order";
  let description = [{
    Two exact permutations for memory locality in the CPU layouts:
    1. the used slots of every LUT are sorted by input index (the table's
       address bits are permuted accordingly; ignored slots stay where they
       are);
    2. the LUTs of a layer whose users are LUT layers (or group sums with an
       explicit `group_index`) are renumbered in the order in which the
       users first read them, and the users' mappings (and group indices)
       are renumbered to match. LUTs feeding a contiguous group sum are never
       reordered, since their position decides their group.
    Layers are renumbered from the last to the first, then slots are sorted.
    The statistic is the read distance (sum of |jumps| between consecutive
    reads) before and after.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"readDistanceBefore", "read-distance-before",
              "sum of |input jumps| between consecutive reads, before">,
    Statistic<"readDistanceAfter", "read-distance-after",
              "sum of |input jumps| between consecutive reads, after">,
    Statistic<"numLayersRenumbered", "layers-renumbered",
              "layers whose LUTs were permuted">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect"];
}

def Optimize : Pass<"quweit-optimize"> {
  let summary = "run every exact LUT optimisation to a fixed point";
  let description = [{
    Applies the patterns of `quweit-fold-constant-luts`,
    `quweit-drop-ignored-inputs`, `quweit-merge-identical-luts`,
    `quweit-eliminate-dead-luts` and `quweit-prune-thermometer` together
    until none applies (each removal can enable the others), then, with
    `reorder` (default), `quweit-reorder-mapping` once. Exact.
  }];
  let options = [
    Option<"reorder", "reorder", "bool", /*default=*/"true",
           "reorder LUTs and slots for locality at the end">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark on the root op saying what the pass changed (the "
           "statistics need an LLVM built with statistics enabled)">
  ];
  let statistics = [
    Statistic<"numLutsRemoved", "luts-removed", "LUTs removed">,
    Statistic<"numSlotsRemoved", "slots-removed", "mapping entries removed">,
    Statistic<"numTableBitsRemoved", "table-bits-removed", "table bits removed">,
    Statistic<"numThermometerBitsRemoved", "thermometer-bits-removed",
              "thermometer bits (= thresholds) removed">
  ];
  let dependentDialects = ["::quweit::QuWeiTDialect",
                           "::mlir::arith::ArithDialect"];
}

def CostReport : Pass<"quweit-cost-report", "::mlir::ModuleOp"> {
  let summary = "print operation counts, parameter bytes and energy per function and block";
  let description = [{
    For every function and every `quweit.transformer_block`, counts the
    multiplications of matmuls and convolutions, the elementwise
    multiplications (norms, softmax scaling, GELU), additions (and group-sum
    additions apart), comparisons, exp/div and other transcendental
    operations, LUT lookups and parameter bytes; the same for the dense twin
    (each `quweit.lut_ffn` of width D replaced by a D -> H -> D MLP with GELU,
    H = 4D unless the FFN has a `quweit.dense_hidden` integer attribute); the
    fraction of multiplications replaced; and an energy estimate from
    Horowitz's 45 nm figures (docs/cost-model.md). The IR is not changed.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"",
           "text or json">,
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "arithmetic of the energy table: fp32 or int8">,
    Option<"lutLookupPJ", "lut-pj", "double", /*default=*/"-1.0",
           "energy of one LUT lookup in pJ (default: a 64-bit read of an "
           "8 KB SRAM, 10 pJ)">,
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "where to write the report (- for stdout)">
  ];
}

#endif // QUWEIT_DIALECT_QUWEIT_PASSES_TD
