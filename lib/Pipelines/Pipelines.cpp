//===- Pipelines.cpp - named QuWeiT pass pipelines ------------------------===//

#include "quweit/Pipelines/Pipelines.h"
#include "quweit/InitAll.h"
#include "quweit/Dialect/QuWeiT/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string quweit::validate(const ToLLVMOptions &options) {
  const std::string &layout = options.layout;
  if (layout != "auto" && layout != "batch-sliced" &&
      layout != "feature-packed" && layout != "none")
    return "unknown layout '" + layout +
           "' (use batch-sliced, feature-packed, auto or none)";
  unsigned bits = options.wordBits;
  if (!llvm::isPowerOf2_32(bits) || bits < 8 || bits > 512)
    return "word-bits must be 8, 16, 32, 64, 128, 256 or 512, got " +
           std::to_string(bits);
  const std::string &codegen = options.lutCodegen;
  if (codegen != "auto" && codegen != "table" && codegen != "specialise")
    return "unknown lut-codegen '" + codegen +
           "' (use auto, table or specialise)";
  if (options.specialiseMaxLuts < 0)
    return "specialise-max-luts must not be negative";
  const std::string &matmul = options.matmul;
  if (matmul != "vectorize" && matmul != "blas" && matmul != "loops")
    return "unknown matmul '" + matmul + "' (use vectorize, blas or loops)";
  if (options.matmulTileN < 1 || options.matmulTileN > 256)
    return "matmul-tile-n must be in [1, 256], got " +
           std::to_string(options.matmulTileN);
  if (options.threads < 1 || options.threads > 256)
    return "threads must be in [1, 256], got " + std::to_string(options.threads);
  return "";
}

LogicalResult quweit::buildToLLVMPipeline(OpPassManager &pm,
                                          const ToLLVMOptions &options) {
  // An unknown layout reaches quweit-pack-bits, which reports it.
  buildFlattenPipeline(pm);
  std::string pipeline;
  if (options.layout.getValue() != "none") {
    // A dynamic batch picks its layout at run time only where small batches
    // have the fast feature-packed kernel (LUTs across lanes, VBMI).
    bool vbmi = StringRef(options.targetFeatures.getValue()).contains("+avx512vbmi");
    pipeline += "quweit-pack-bits{layout=" + options.layout.getValue() +
                " word-bits=" + std::to_string(options.wordBits) +
                " runtime-dispatch=" + (vbmi ? "1" : "0") + "},canonicalize,";
  }
  // Results become caller buffers before bufferization, so that one-shot
  // bufferization writes into them directly (docs/abi.md).
  pipeline +=
      "quweit-results-to-out-params,"
      "convert-quweit-to-linalg{lut-codegen=" + options.lutCodegen.getValue() +
      " specialise-max-luts=" + std::to_string(options.specialiseMaxLuts) +
      (options.targetFeatures.getValue().empty()
           ? std::string()
           : " target-features=" + options.targetFeatures.getValue()) +
      "},"
      "func.func(convert-elementwise-to-linalg),"
      // Ops whose output is a tensor.empty written into a result then write
      // straight into the caller's buffer instead of a copy of it.
      "eliminate-empty-tensors,"
      "one-shot-bufferize{bufferize-function-boundaries=1 "
      "function-boundary-type-conversion=identity-layout-map},"
      // Folds the self-copies left behind by empty-tensor elimination.
      "canonicalize,"
      "quweit-specialise-lut-kernels,"
      // Strided memref.copy (from tensor.concat, slices) would call the
      // memrefCopy runtime function; copy with loops instead.
      "quweit-lower-strided-copies,";
  // Matmuls: BLAS calls where asked, then register-tiled FMA loops for the
  // contractions left; the rest becomes loops below.
  if (options.matmul.getValue() == "blas")
    pipeline += "quweit-contractions-to-blas,";
  if (options.matmul.getValue() != "loops")
    pipeline += "func.func(quweit-vectorize-contractions{tile-n=" +
                std::to_string(options.matmulTileN) + " parallel=" +
                (options.threads > 1 ? "1" : "0") + "}),";
  pipeline += "buffer-deallocation-pipeline,";
  // After deallocation: vpermi2b intrinsic calls have no memory-effect model.
  pipeline += "quweit-lower-permute-bytes{target-features=" +
              options.targetFeatures.getValue() + "},";
  if (options.threads > 1)
    pipeline += "convert-linalg-to-parallel-loops,"
                "convert-scf-to-openmp{num-threads=" +
                std::to_string(options.threads) + "},";
  else
    pipeline += "convert-linalg-to-loops,";
  // memref (alloca scopes from the OpenMP conversion included) is lowered
  // while scf regions are still single blocks.
  pipeline +=
      "expand-strided-metadata,"
      "lower-affine,"
      "finalize-memref-to-llvm{use-generic-functions=" +
      std::string(options.genericAlloc ? "1" : "0") + "},"
      "convert-scf-to-cf,"
      // erf and friends have no LLVM intrinsic: call libm (erff, ...).
      "convert-math-to-libm,"
      "convert-math-to-llvm,"
      "convert-to-llvm,"
      "reconcile-unrealized-casts,"
      // Specialised LUT kernels are defined last, as LLVM dialect code, so
      // that no other pass sees their thousands of operations per layer.
      "quweit-emit-lut-kernels{ternlog=" +
      std::string(options.ternlog ? "1" : "0") + "}";
  return parsePassPipeline(pipeline, pm);
}

LogicalResult
quweit::buildDenseToHybridPipeline(OpPassManager &pm,
                                   const DenseToHybridOptions &options) {
  ConvertMLPToLUTOptions convert;
  convert.tablesFile = options.tables;
  convert.allowMissing = options.allowMissing;
  convert.remarks = options.remarks;
  pm.addPass(createConvertMLPToLUT(convert));
  if (options.optimize) {
    OptimizeOptions optimize;
    optimize.remarks = options.remarks;
    pm.addPass(createOptimize(optimize));
  }
  if (options.report.getValue() != "none") {
    CostReportOptions report;
    report.format = options.report;
    report.outputFile = options.reportOutput;
    report.precision = options.precision;
    pm.addPass(createCostReport(report));
  }
  return success();
}

void quweit::registerPipelines() {
  // Registered directly (not with PassPipelineRegistration) so that bad
  // options fail the pipeline with a message.
  registerPassPipeline(
      "quweit-dense-to-hybrid",
      "Turn a dense transformer (linalg) into a hybrid QuWeiT model: replace "
      "its MLPs by the LUT FFNs of a tables file, optimise the LUT networks, "
      "and print the cost report",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        DenseToHybridOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        const std::string &report = options.report;
        if (report != "text" && report != "json" && report != "none")
          return errorHandler("quweit-dense-to-hybrid: unknown report '" +
                              report + "' (use text, json or none)");
        if (options.tables.empty())
          return errorHandler("quweit-dense-to-hybrid: give the LUT FFN "
                              "tables (tables=FILE)");
        return buildDenseToHybridPipeline(pm, options);
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(DenseToHybridOptions());
      });
  PassPipelineRegistration<>(
      "quweit-flatten",
      "Inline transformer blocks, expand LUT FFNs, then canonicalize and CSE: "
      "the flat form that lowerings start from",
      buildFlattenPipeline);
  PassPipelineRegistration<ToLLVMOptions>(
      "quweit-to-llvm",
      "Lower a QuWeiT model (quweit ops and the linalg/tensor/arith parts of "
      "a hybrid model) to the LLVM dialect for the CPU",
      [](OpPassManager &pm, const ToLLVMOptions &options) {
        (void)buildToLLVMPipeline(pm, options);
      });
}
