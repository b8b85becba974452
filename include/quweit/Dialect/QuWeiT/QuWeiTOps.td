//===- QuWeiTOps.td - QuWeiT operations ---------------------*- tablegen -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_QUWEITOPS_TD
#define QUWEIT_DIALECT_QUWEIT_QUWEITOPS_TD

include "quweit/Dialect/QuWeiT/QuWeiTDialect.td"
include "quweit/Dialect/QuWeiT/QuWeiTAttrs.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QuWeiT_BitTensor : 2DTensorOf<[I1]>;
def QuWeiT_RealTensor : 2DTensorOf<[F32]>;
def QuWeiT_CountTensor : 2DTensorOf<[I8, I16, I32, I64]>;
def QuWeiT_WordTensor : 2DTensorOf<[I8, I16, I32, I64, I<128>, I<256>, I<512>]>;
def QuWeiT_ScoreTensor : 2DTensorOf<[F32, I8, I16, I32, I64]>;
def QuWeiT_IndexTensor : 1DTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

def QuWeiT_ThermometerOp : QuWeiT_Op<"thermometer", [Pure]> {
  let summary = "thermometer encoding of real features into bits";
  let description = [{
    Encodes each real feature with T thresholds into T bits:
    `output[b, f*T + k] = input[b, f] > thresholds[f, k]` (strictly greater;
    a NaN input gives 0 bits). The T bits of one feature are contiguous
    (feature-major). `thresholds` is an `F x T` f32 elements attribute (inline
    `dense` or a `dense_resource` blob) whose values are finite and
    non-decreasing along T; equal thresholds are allowed.

    Example:
    ```mlir
    %bits = quweit.thermometer %x thresholds(dense<[[0.0, 0.5], [-1.0, 1.0]]> : tensor<2x2xf32>)
        : tensor<?x2xf32> -> tensor<?x4xi1>
    ```
  }];
  let arguments = (ins QuWeiT_RealTensor:$input, ElementsAttr:$thresholds);
  let results = (outs QuWeiT_BitTensor:$output);
  let assemblyFormat = [{
    $input `thresholds` `(` $thresholds `)` attr-dict `:` type($input) `->` type($output)
  }];
  let extraClassDeclaration = [{
    int64_t getNumFeatures();
    int64_t getBitsPerFeature();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// LUT layer
//===----------------------------------------------------------------------===//

def QuWeiT_LutLayerOp : QuWeiT_Op<"lut_layer", [Pure]> {
  let summary = "a layer of M lookup tables of fan-in n over N input bits";
  let description = [{
    Evaluates M lookup tables on every row of the input bits. LUT `j` reads
    the input bits `mapping[j, 0..n-1]` and forms the address
    `addr = sum_l input[b, mapping[j, l]] << l` (the l-th mapped input is bit
    l of the address, least significant first; the opposite of
    `comb.truth_table`, which lists its inputs most significant first). The
    output bit is `output[b, j] = tables[j, addr]`.

    `mapping` is an `M x n` integer elements attribute (i16, i32 or i64) with
    values in `[0, N)`; a LUT may read one input in two slots. `tables` is an
    `M x 2^n` i1 elements attribute. The fan-in n is 1 to 16.

    Example (two LUTs of fan-in 2: an AND and an XOR):
    ```mlir
    %y = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2]]> : tensor<2x2xi32>)
        tables(dense<[[false, false, false, true], [false, true, true, false]]> : tensor<2x4xi1>)
        : tensor<?x3xi1> -> tensor<?x2xi1>
    ```
  }];
  let arguments = (ins QuWeiT_BitTensor:$input, ElementsAttr:$mapping,
                       ElementsAttr:$tables);
  let results = (outs QuWeiT_BitTensor:$output);
  let assemblyFormat = [{
    $input `mapping` `(` $mapping `)` `tables` `(` $tables `)` attr-dict
    `:` type($input) `->` type($output)
  }];
  let extraClassDeclaration = [{
    /// Number of input bits N.
    int64_t getNumInputs();
    /// Number of LUTs M.
    int64_t getNumLuts();
    /// Fan-in n of every LUT.
    int64_t getFanIn();
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$mapping,
                   "::llvm::ArrayRef<bool>":$tables, "int64_t":$numLuts,
                   "int64_t":$fanIn)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Group sum and scaling
//===----------------------------------------------------------------------===//

def QuWeiT_GroupSumOp : QuWeiT_Op<"group_sum", [Pure]> {
  let summary = "count the set bits of each group (popcount)";
  let description = [{
    Splits the M input bits of each row into k groups (k is the result's
    second dimension) and counts the ones in each group.

    Without `group_index`, groups are contiguous: M is padded with zero bits
    to a multiple of k and `output[b, g] = sum_{i < ceil(M/k)} input[b, g*ceil(M/k) + i]`.
    With `group_index` (a 1-D integer elements attribute of M values in
    `[0, k)`), bit i counts towards group `group_index[i]`; optimisations that
    merge or delete LUTs produce this form.

    The count element type must be wide enough for the largest group.

    ```mlir
    %s = quweit.group_sum %v : tensor<?x25xi1> -> tensor<?x10xi32>
    %t = quweit.group_sum %v group_index(dense<[0, 1, 0]> : tensor<3xi32>) : tensor<?x3xi1> -> tensor<?x2xi32>
    ```
  }];
  let arguments = (ins QuWeiT_BitTensor:$input,
                       OptionalAttr<ElementsAttr>:$group_index);
  let results = (outs QuWeiT_CountTensor:$output);
  let assemblyFormat = [{
    $input (`group_index` `(` $group_index^ `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
  let extraClassDeclaration = [{
    int64_t getNumGroups();
    /// ceil(M / k): the size of every contiguous group (with padding).
    int64_t getContiguousGroupSize();
  }];
  let hasVerifier = 1;
}

def QuWeiT_ScaleCountsOp : QuWeiT_Op<"scale_counts", [Pure]> {
  let summary = "turn group counts into reals: (float(s) / tau) * scale + bias";
  let description = [{
    Computes, in f32, `output[b, g] = (float(input[b, g]) / tau) * scale[g] + bias[g]`.
    `tau` is a positive finite f32; `scale` and `bias` are optional `k`-element
    f32 elements attributes (absent: scale 1, bias 0, and the multiply-add is
    not performed at all, so the result is exactly `float(s) / tau`).

    ```mlir
    %r = quweit.scale_counts %s tau(3.33333325) : tensor<?x10xi32> -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins QuWeiT_CountTensor:$input, F32Attr:$tau,
                       OptionalAttr<ElementsAttr>:$scale,
                       OptionalAttr<ElementsAttr>:$bias);
  let results = (outs QuWeiT_RealTensor:$output);
  let assemblyFormat = [{
    $input `tau` `(` $tau `)` (`scale` `(` $scale^ `)`)? (`bias` `(` $bias^ `)`)?
    attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QuWeiT_ArgMaxOp : QuWeiT_Op<"argmax", [Pure]> {
  let summary = "index of the largest score of each row (lowest index on ties)";
  let description = [{
    `output[b] = min { c : input[b, c] == max_c' input[b, c'] }`: the row is
    scanned from column 0, and a score replaces the best so far only if it
    compares strictly greater. For f32 scores containing NaN this means a NaN
    never replaces the best, while a NaN in column 0 is never replaced (no
    comparison with it is true); a row of NaNs gives 0.

    ```mlir
    %class = quweit.argmax %scores : tensor<?x10xi32> -> tensor<?xi64>
    ```
  }];
  let arguments = (ins QuWeiT_ScoreTensor:$input);
  let results = (outs QuWeiT_IndexTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Bit packing
//===----------------------------------------------------------------------===//

def QuWeiT_PackBitsOp : QuWeiT_Op<"pack_bits", [Pure]> {
  let summary = "pack an i1 tensor into integer words";
  let description = [{
    Packs `[B, N]` bits into words of W bits (W = the result's element width:
    8, 16, 32, 64, 128, 256 or 512; a word wider than 64 bits is one SIMD
    register of samples for the bit-sliced lowering).
    `batch_sliced`: result `[ceil(B/W), N]`, bit s of word `[w, i]` is
    `input[w*W + s, i]`. `feature_packed`: result `[B, ceil(N/W)]`, bit s of
    word `[b, w]` is `input[b, w*W + s]`. Padding bits are zero.

    ```mlir
    %w = quweit.pack_bits %bits layout(<batch_sliced>) : tensor<?x8xi1> -> tensor<?x8xi64>
    ```
  }];
  let arguments = (ins QuWeiT_BitTensor:$input, QuWeiT_BitLayoutAttr:$layout);
  let results = (outs QuWeiT_WordTensor:$output);
  let assemblyFormat = [{
    $input `layout` `(` $layout `)` attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QuWeiT_UnpackBitsOp : QuWeiT_Op<"unpack_bits", [Pure]> {
  let summary = "unpack integer words into an i1 tensor";
  let description = [{
    The inverse of `quweit.pack_bits` for the same layout; padding bits are
    dropped. When the unpacked dimension (B for `batch_sliced`, N for
    `feature_packed`) is dynamic in the result type, its size is given by the
    `size` operand; when it is static, `size` must be absent.

    ```mlir
    %bits = quweit.unpack_bits %w layout(<batch_sliced>) size(%b) : tensor<?x8xi64> -> tensor<?x8xi1>
    ```
  }];
  let arguments = (ins QuWeiT_WordTensor:$input, QuWeiT_BitLayoutAttr:$layout,
                       Optional<Index>:$size);
  let results = (outs QuWeiT_BitTensor:$output);
  let assemblyFormat = [{
    $input `layout` `(` $layout `)` (`size` `(` $size^ `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QuWeiT_PermuteBytesOp : QuWeiT_Op<"permute_bytes",
    [Pure, AllTypesMatch<["index", "result"]>]> {
  let summary = "look up bytes of a vector by per-lane indices";
  let description = [{
    A kernel-level op that the lowering of feature-packed LUT layers uses to
    gather each LUT's input bits (docs/performance.md, P1 at batch 1):
    `result[i] = table[index[i] mod T]`, the index read as an unsigned byte,
    for a table of T bytes (T a power of two, 2 to 256). It has no
    target-independent vector equivalent (`vector.shuffle` takes constant
    indices); `quweit-lower-permute-bytes` lowers it to one AVX-512 VBMI
    `vpermi2b` per 64 lanes of a 128-byte table, or to per-lane extracts.

    ```mlir
    %r = quweit.permute_bytes %table[%index] : vector<128xi8>, vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$table,
                       VectorOfRankAndType<[1], [I8]>:$index);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $table `[` $index `]` attr-dict `:` type($table) `,` type($index)
  }];
  let hasVerifier = 1;
}

def QuWeiT_PackedLutLayerOp : QuWeiT_Op<"packed_lut_layer", [Pure]> {
  let summary = "a LUT layer on packed words";
  let description = [{
    Computes exactly `quweit.lut_layer` (same `mapping`, same `tables`, same
    LSB-first addresses) on bits packed in the given layout
    (`quweit.pack_bits`): for `batch_sliced` the input is
    `[ceil(B/W), N]` words and the result `[ceil(B/W), M]`; for
    `feature_packed` the input is `[B, ceil(N/W)]` and the result
    `[B, ceil(M/W)]`. `num_inputs` is N. Padding bits of the result are
    unspecified (a padding sample of a bit-sliced word may evaluate to 1);
    `quweit.unpack_bits` and other packed LUT layers never read them.
    `--quweit-pack-bits` creates this op; lowerings choose how to evaluate it
    (word-wide Boolean logic for `batch_sliced`, per-sample for
    `feature_packed`).

    ```mlir
    %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3)
        mapping(dense<[[0, 1]]> : tensor<1x2xi32>) tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>)
        : tensor<?x3xi64> -> tensor<?x1xi64>
    ```
  }];
  let arguments = (ins QuWeiT_WordTensor:$input, QuWeiT_BitLayoutAttr:$layout,
                       I64Attr:$num_inputs, ElementsAttr:$mapping,
                       ElementsAttr:$tables);
  let results = (outs QuWeiT_WordTensor:$output);
  let assemblyFormat = [{
    $input `layout` `(` $layout `)` `num_inputs` `(` $num_inputs `)`
    `mapping` `(` $mapping `)` `tables` `(` $tables `)` attr-dict
    `:` type($input) `->` type($output)
  }];
  let extraClassDeclaration = [{
    int64_t getNumLuts();
    int64_t getFanIn();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Region ops: LUT feed-forward networks and hybrid transformer blocks
//===----------------------------------------------------------------------===//

def QuWeiT_LutFFNOp : QuWeiT_Op<"lut_ffn", [
    IsolatedFromAbove, RecursiveMemoryEffects, RecursivelySpeculatable,
    SingleBlock]> {
  let summary = "a LUT feed-forward network: thermometer, LUT layers, group sum, scaling";
  let description = [{
    A composite that replaces a transformer MLP (width D -> width k, usually
    k = D). Its single block takes the `[B, D]` f32 input and must contain
    exactly, in order: one `quweit.thermometer` of the block argument, one or
    more chained `quweit.lut_layer`s, one `quweit.group_sum`, one
    `quweit.scale_counts`, and a `quweit.yield` of the scaled result. Passes
    can treat the FFN as a unit (cost reports, scheduling, hardware) and
    `--quweit-expand-lut-ffn` replaces it by its body.

    ```mlir
    %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
    ^bb0(%in: tensor<?x2xf32>):
      %t = quweit.thermometer %in thresholds(...) : tensor<?x2xf32> -> tensor<?x4xi1>
      %l = quweit.lut_layer %t mapping(...) tables(...) : tensor<?x4xi1> -> tensor<?x4xi1>
      %s = quweit.group_sum %l : tensor<?x4xi1> -> tensor<?x2xi32>
      %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
      quweit.yield %r : tensor<?x2xf32>
    }
    ```
  }];
  let arguments = (ins QuWeiT_RealTensor:$input);
  let results = (outs QuWeiT_RealTensor:$output);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($output) $body
  }];
  let extraClassDeclaration = [{
    ThermometerOp getThermometer();
    ::llvm::SmallVector<LutLayerOp, 4> getLutLayers();
    GroupSumOp getGroupSum();
    ScaleCountsOp getScaleCounts();
  }];
  let hasRegionVerifier = 1;
}

def QuWeiT_TransformerBlockOp : QuWeiT_Op<"transformer_block", [
    IsolatedFromAbove, RecursiveMemoryEffects, SingleBlock]> {
  let summary = "one hybrid transformer block";
  let description = [{
    Groups the ops of one transformer block so that passes, cost reports and
    schedules can address it by name. The body computes, in the usual
    QuWeiT form, `h = x + Attention(LayerNorm1(x))` and
    `y = h + FFN(LayerNorm2(h))`, with attention and norms written in the
    standard dialects and the FFN either a dense MLP (linalg) or a
    `quweit.lut_ffn`. The block is isolated from above: its operands (the
    activations and, optionally, weights) become the block arguments, and it
    ends in a `quweit.yield` of its results. `--quweit-inline-blocks`
    replaces blocks by their bodies.

    ```mlir
    %y = quweit.transformer_block "block0" (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
    ^bb0(%in: tensor<4x8xf32>):
      ...
      quweit.yield %out : tensor<4x8xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$name, Variadic<AnyType>:$inputs);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $name `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasRegionVerifier = 1;
}

def QuWeiT_YieldOp : QuWeiT_Op<"yield", [
    Pure, ReturnLike, Terminator,
    ParentOneOf<["LutFFNOp", "TransformerBlockOp"]>]> {
  let summary = "terminator of quweit region ops";
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "($operands^ `:` type($operands))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
}

#endif // QUWEIT_DIALECT_QUWEIT_QUWEITOPS_TD
