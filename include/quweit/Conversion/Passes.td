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
    `feature_packed` layout evaluates one sample at a time. When the target
    has AVX-512 VBMI (`target-features` contains `+avx512vbmi`), LUTs are put
    across SIMD lanes: for each input slot, 64 LUTs' input bits are gathered
    with byte permutes (`vpermi2b`, an `llvm.call_intrinsic`) and bit tests,
    and a mux tree over the tables stored transposed (one 512-bit word per
    table entry for 512 LUTs) evaluates 512 LUTs per bit-select level
    (fan-in up to 8). Otherwise each LUT's address is built from its input
    bits and its table entry read, one LUT at a time.

    Words wider than 64 bits (i128/i256/i512) are computed as
    `vector<(W/64) x i64>` so that every Boolean operation is one SIMD
    instruction on the whole word.

    Bit-sliced code generation (`lut-codegen`):
    - `table`: tables are data. One `linalg.generic` iterates LUT-major, so
      the 2^n leaf words of a LUT's mux tree (each table bit spread over a
      word) are computed once per LUT and reused for every row of words;
      code size does not depend on the number of LUTs.
    - `specialise`: each table (fan-in up to 8) is compiled into its own
      logic (quweit-specialise-lut-kernels and quweit-emit-lut-kernels:
      `vpternlog` with computed immediates on AVX-512, Shannon expansion
      into and/or/xor elsewhere), 16 LUTs per straight-line function.
      Fastest, but code grows with the number of LUTs.
    - `auto` (default): `specialise` when the bit-sliced layers under the
      pass's operation (usually the module) hold at most `specialise-max-luts` LUTs in all, `table` otherwise.

    Two pairs of ops are lowered together, as one kernel each, when the first
    op's result has no other user: `pack_bits(thermometer(x))` in the
    `batch_sliced` layout compares 16 samples of a feature at a time with
    vector compares and assembles the compare masks into words, and
    `group_sum(unpack_bits(words))` (contiguous groups) adds each group's
    words as bit-sliced counters with a carry-save adder tree and reads each
    sample's count from the count planes; in the `feature_packed` layout,
    `group_sum(unpack_bits(words))` counts each group with one masked
    population count per word it touches. None of them materialises the
    one-byte-per-bit tensor between the pair. The bit-sliced kernels write into a
    `memref.alloc` wrapped by `bufferization.to_tensor restrict writable`:
    element-wise `tensor.insert` chains of that length make one-shot
    bufferization's analysis quadratic.
  }];
  let options = [
    Option<"lutCodegen", "lut-codegen", "std::string", /*default=*/"\"auto\"",
           "bit-sliced LUT code generation: auto, table or specialise">,
    Option<"specialiseMaxLuts", "specialise-max-luts", "int64_t",
           /*default=*/"2048",
           "with lut-codegen=auto, specialise tables when there are at most "
           "this many bit-sliced LUTs">,
    Option<"targetFeatures", "target-features", "std::string", /*default=*/"\"\"",
           "comma-separated LLVM target features the generated code may use "
           "(e.g. +avx512f,+avx512vbmi); kernels that need a missing feature "
           "fall back to portable code">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect", "::mlir::memref::MemRefDialect",
    "::mlir::bufferization::BufferizationDialect", "::mlir::LLVM::LLVMDialect"
  ];
}

def LowerPermuteBytes : Pass<"quweit-lower-permute-bytes"> {
  let summary = "lower quweit.permute_bytes to VBMI byte permutes or extracts";
  let description = [{
    Rewrites every `quweit.permute_bytes`. With `+avx512vbmi` in
    `target-features`, a 128-byte table and 64 index lanes become one
    `vpermi2b` (`llvm.call_intrinsic
    "llvm.x86.avx512.vpermi2var.qi.512"` on the table's two halves, which
    reads the low 7 bits of each index). Otherwise each lane is extracted,
    masked to the table size and looked up with `vector.extract` and
    `vector.insert`: correct on any target, but slow, which is why
    `convert-quweit-to-linalg` uses the op only when the target has VBMI.
    Runs after bufferization (the intrinsic call has no memory-effect
    interface that buffer deallocation would accept).
  }];
  let options = [
    Option<"targetFeatures", "target-features", "std::string", /*default=*/"\"\"",
           "comma-separated LLVM target features (+avx512vbmi enables vpermi2b)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SpecialiseLutKernels : Pass<"quweit-specialise-lut-kernels", "::mlir::ModuleOp"> {
  let summary = "outline bit-sliced LUT layers to be specialised into kernel calls, on buffers";
  let description = [{
    Runs after bufferization. Replaces every `linalg.generic` that
    `convert-quweit-to-linalg{lut-codegen=specialise}` marked with a
    `quweit.specialise` dictionary (the layer's `mapping` and `tables`; the
    generic itself is the table-driven evaluation, with the layer's input
    words as its input buffer) by a `func.call` of a new private function
    declaration `@__quweit_lut_kernel<k>(in, out)` that carries the layer as
    a `quweit.lut_kernel` dictionary: `mapping`, `tables`, `word_type`,
    `num_inputs`, `input_row_stride` and `output_row_stride` (words).
    `quweit-emit-lut-kernels` defines its body late, as LLVM dialect
    operations, after the conversion to LLVM: the per-LUT code (thousands of
    operations for a large layer) then skips every other pass of the
    pipeline, which would otherwise dominate the compile time.

    Generics still on tensors, or whose buffers are not rows of contiguous
    words with a static row stride, are left table-driven (the mark is
    dropped). A mark whose tables do not match the buffers is an error.
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"
  ];
}

def EmitLutKernels : Pass<"quweit-emit-lut-kernels", "::mlir::ModuleOp"> {
  let summary = "define specialised LUT kernels as LLVM dialect code";
  let description = [{
    Runs after the conversion to the LLVM dialect. Gives every `llvm.func`
    declaration that carries a `quweit.lut_kernel` dictionary (made by
    `quweit-specialise-lut-kernels`, whose memref arguments the conversion
    expanded into two memref descriptors: allocated and aligned pointer,
    offset, 2 sizes, 2 strides) an internal body: for each group of 16 LUTs,
    for each word row, a call (through a switch on the group) of the group's
    internal straight-line function `@<kernel>_luts<first>(input row, output
    words)`: loads of the LUTs' input words (each once), each truth table as
    logic, a store per LUT. Group-major order keeps a group's code in the
    instruction cache for all rows; no loops in the per-LUT code, and one loop
    nest in the kernel, keep LLVM's loop passes cheap. All of these
    functions carry the LLVM function attribute `quweit-lut-kernel`:
    quweit-compile keeps them out of LLVM's middle end (they are final code)
    and links them back for the code generator.

    The logic of a table has two forms:
    - `ternlog=1` (x86 with AVX-512; words of 128, 256 or 512 bits, the
      narrower two need AVX-512VL): each table is split by its inputs above
      the lowest three into 3-input cofactors; each cofactor is one
      `llvm.x86.avx512.pternlog.q.<W>` whose immediate is the cofactor's
      8-entry truth table, and a mux tree (one ternlog each, immediate 0xCA)
      over the higher inputs combines them: 8 + 7 = 15 instructions for a
      random 6-input table, fewer when cofactors are constant, literals or
      equal (shared). Ternlogs with constant operands are folded into their
      immediates.
    - otherwise (and for words of 64 bits or fewer): Shannon expansion on
      the highest input into `llvm.and/or/xor`, equal cofactors shared and
      constant/literal cofactors simplified; the backend fuses what it can.

    A declaration whose signature or dictionary does not match is an error.
  }];
  let options = [
    Option<"ternlog", "ternlog", "bool", /*default=*/"false",
           "emit AVX-512 vpternlog intrinsics (words of 128..512 bits)">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def ConvertQuWeiTToLutArray : Pass<"convert-quweit-to-lutarray", "::mlir::ModuleOp"> {
  let summary = "turn quweit functions into lutarray hardware modules";
  let description = [{
    Replaces every public `func.func` made of quweit ops by a
    `lutarray.module` of the same name: the circuit that computes the
    function's group-sum counts (docs/hardware.md gives the I/O contract).

    - The thermometer becomes either input ports carrying the thermometer
      bits (`thermometer=ports`) or one signed fixed-point input port per
      feature (`input-bits` wide, `frac-bits` fractional bits) with one
      comparator per bit (`thermometer=comparators`). Thresholds become
      `floor(t * 2^frac-bits)`, which is exact for every input that is a
      fixed-point value: `x_q / 2^F > t` iff `x_q > floor(t * 2^F)`.
      A function whose argument is already `i1` bits takes them as ports.
    - Each LUT of fan-in up to `max-lut-inputs` becomes one `lutarray.lut`;
      larger ones are decomposed into LUT6 cofactors and a tree of 2:1
      multiplexer LUTs, or rejected with a diagnostic when `decompose=false`.
    - Each group sum becomes a balanced tree of `lutarray.add`, each node as
      wide as its largest possible value (`group-sum=adders`), or a
      compressor tree (`group-sum=compressors`): columns of equal-weight bits
      reduced by counter LUTs (6 bits of a column -> their 3-bit count, one
      LUT6 per count bit; 3..5 bits likewise) until every column holds at
      most two bits, then one `lutarray.add` of the two rows. Each group is
      one output port.
      `quweit.scale_counts` and `quweit.argmax` after the group sum stay
      with the host (their parameters are listed in the interface JSON).
    - With `pipeline-every=K > 0`, registers are inserted so that no path
      has more than K logic levels (LUTs, comparators, adders) between
      registers, with every path from inputs to outputs delayed equally.
    - With `wrapper=true` the module also computes the class (argmax of the
      counts, lowest index on ties; only when the scores are a monotonic
      function of the counts: no per-class scale or bias) and talks
      valid/ready on both sides (`in_valid`/`in_ready`,
      `out_valid`/`out_ready`, AXI-Stream-like): the whole pipeline advances
      when the output is empty or accepted, and holds otherwise. The outputs
      are registered, so the latency is at least one cycle.
  }];
  let options = [
    Option<"thermometer", "thermometer", "std::string", /*default=*/"\"ports\"",
           "ports (thermometer bits are inputs) or comparators">,
    Option<"inputBits", "input-bits", "unsigned", /*default=*/"8",
           "width of each fixed-point feature input (comparators)">,
    Option<"fracBits", "frac-bits", "unsigned", /*default=*/"4",
           "fractional bits of each fixed-point feature input (comparators)">,
    Option<"maxLutInputs", "max-lut-inputs", "unsigned", /*default=*/"6",
           "largest LUT cell (2..6)">,
    Option<"decompose", "decompose", "bool", /*default=*/"true",
           "decompose LUTs larger than max-lut-inputs (else: diagnostic)">,
    Option<"groupSum", "group-sum", "std::string", /*default=*/"\"adders\"",
           "adders (balanced adder tree) or compressors (counter-LUT compressor "
           "tree and one final adder) for the group sums">,
    Option<"pipelineEvery", "pipeline-every", "unsigned", /*default=*/"0",
           "insert registers every K logic levels (0: combinational)">,
    Option<"wrapper", "wrapper", "bool", /*default=*/"false",
           "system wrapper: argmax in hardware (lowest index wins ties) and a "
           "valid/ready handshake on inputs and outputs (see docs/hardware.md)">
  ];
  let dependentDialects = ["::quweit::lutarray::LutArrayDialect"];
}

def LowerStridedCopies : Pass<"quweit-lower-strided-copies"> {
  let summary = "turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    The LLVM lowering turns a `memref.copy` between buffers with identity
    layouts into `llvm.memcpy`, but any other copy (a strided subview, as
    bufferized `tensor.concat` and `tensor.insert_slice` produce) into a call
    to `memrefCopy` from MLIR's C runner utilities, a runtime library compiled
    models must not need. This pass rewrites those copies as `linalg.copy`,
    which `convert-linalg-to-loops` turns into plain loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def VectorizeContractions : Pass<"quweit-vectorize-contractions"> {
  let summary = "tile f32 matmuls on buffers into register blocks of FMAs";
  let description = [{
    Runs after bufferization, before `convert-linalg-to-loops`. Every f32
    contraction on buffers (`linalg.matmul`, `linalg.batch_matmul`, and a
    `linalg.generic` that is a contraction) whose result's innermost
    dimension is a column of B is tiled with scf.for loops into blocks of
    `tile-m` rows by `tile-n` columns of the result, with every reduction
    loop innermost and of step 1; the loops whose last block may be partial
    are peeled. Each full block is vectorised into `vector.contract`, its
    result block is hoisted out of the reduction loop (kept in registers),
    and the contraction is lowered to outer products, i.e. one broadcast of
    an A element and one FMA with a row of B per result row and k step.
    Edge blocks stay `linalg` ops on subviews (scalar loops later). Other
    operations are left alone.

    Results differ from the plain loops only by rounding: the products are
    summed in the same order, but each with a fused multiply-add.
    `tile-n` is halved (down to 8) for a contraction whose static n extent
    would leave more than a quarter of its columns in the edge block.
    With `parallel`, the outermost loop of each tiled contraction (rows, or
    the batch of a batch_matmul) becomes an `scf.parallel`, whose iterations
    write disjoint blocks of the result.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", /*default=*/"8",
           "rows of the result block kept in registers">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"32",
           "columns of the result block (a multiple of the SIMD width in "
           "f32 lanes: 32 is two AVX-512 registers)">,
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "make the outermost loop of each tiled contraction an "
           "scf.parallel (for convert-scf-to-openmp)">
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ContractionsToBlas : Pass<"quweit-contractions-to-blas", "::mlir::ModuleOp"> {
  let summary = "call cblas_sgemm for f32 linalg.matmul and linalg.batch_matmul on buffers";
  let description = [{
    Runs after bufferization. Replaces every `linalg.matmul` and
    `linalg.batch_matmul` on f32 buffers whose rows are contiguous (unit
    innermost stride) by calls to the CBLAS function
    `cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1, A,
    lda, B, ldb, 1, C, ldc)` (one call per batch element for
    `batch_matmul`), which accumulates into C as the linalg ops do. The
    module gains the declaration `func.func private @cblas_sgemm`, so the
    object must be linked with a CBLAS library (OpenBLAS: `-lopenblas`;
    docs/abi.md). Sizes and leading dimensions are passed as 32-bit `int`
    (the LP64 CBLAS interface); an operation with any size of 2^31 or more
    at run time is computed by a plain loop nest instead. Matmuls with
    other element types or strided rows are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

#endif // QUWEIT_CONVERSION_PASSES_TD
