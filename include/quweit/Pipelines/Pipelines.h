//===- Pipelines.h - named QuWeiT pass pipelines ----------------*- C++ -*-===//

#ifndef QUWEIT_PIPELINES_PIPELINES_H
#define QUWEIT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace quweit {

struct ToLLVMOptions : mlir::PassPipelineOptions<ToLLVMOptions> {
  Option<std::string> layout{
      *this, "layout",
      llvm::cl::desc("Bit layout of LUT layers: batch-sliced, feature-packed, "
                     "auto (feature-packed for static batches below 64) or "
                     "none (evaluate on i1 tensors)"),
      llvm::cl::init("auto")};
  Option<unsigned> wordBits{
      *this, "word-bits",
      llvm::cl::desc("Bits per packed word (8 to 512, a power of two; words "
                     "above 64 bits are SIMD vectors)"),
      llvm::cl::init(64)};
  Option<std::string> lutCodegen{
      *this, "lut-codegen",
      llvm::cl::desc("Bit-sliced LUT code generation: auto, table (tables "
                     "as data) or specialise (tables compiled into logic)"),
      llvm::cl::init("auto")};
  Option<int64_t> specialiseMaxLuts{
      *this, "specialise-max-luts",
      llvm::cl::desc("With lut-codegen=auto, specialise tables up to this "
                     "many bit-sliced LUTs"),
      llvm::cl::init(2048)};
  Option<bool> ternlog{
      *this, "ternlog",
      llvm::cl::desc("Specialised LUT kernels use AVX-512 vpternlog for words "
                     "of 128..512 bits (quweit-emit-lut-kernels; 128 and 256 "
                     "need AVX-512VL)"),
      llvm::cl::init(false)};
  Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("Comma-separated LLVM target features the LUT kernels "
                     "may use (+avx512vbmi: feature-packed LUT layers with "
                     "byte-permute gathers); quweit-compile sets them from "
                     "--mcpu"),
      llvm::cl::init("")};
  Option<std::string> matmul{
      *this, "matmul",
      llvm::cl::desc("Lowering of f32 matmuls and other contractions: "
                     "vectorize (register-tiled FMA loops, "
                     "quweit-vectorize-contractions), blas (cblas_sgemm calls "
                     "for matmul/batch_matmul, quweit-contractions-to-blas; "
                     "the object then needs a CBLAS library) or loops "
                     "(plain loops)"),
      llvm::cl::init("vectorize")};
  Option<int64_t> matmulTileN{
      *this, "matmul-tile-n",
      llvm::cl::desc("Columns of the register block of vectorised "
                     "contractions (two SIMD registers of f32: 32 for "
                     "AVX-512, 16 for AVX2)"),
      llvm::cl::init(32)};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("OpenMP threads for the parallel loops of every op "
                     "(rows and LUTs); 1 lowers to sequential loops and "
                     "needs no OpenMP runtime"),
      llvm::cl::init(1)};
  Option<bool> genericAlloc{
      *this, "generic-alloc",
      llvm::cl::desc("Allocate temporaries with _mlir_memref_to_llvm_alloc/"
                     "_free instead of malloc/free (quweit-compile defines "
                     "them as a cache of freed blocks, docs/abi.md)"),
      llvm::cl::init(false)};
};

struct DenseToHybridOptions : mlir::PassPipelineOptions<DenseToHybridOptions> {
  Option<std::string> tables{
      *this, "tables",
      llvm::cl::desc("Tables file of named LUT FFNs (python -m quweit.tables "
                     "or python -m quweit.fit)"),
      llvm::cl::init("")};
  Option<bool> allowMissing{
      *this, "allow-missing",
      llvm::cl::desc("Leave MLPs without tables dense instead of failing"),
      llvm::cl::init(false)};
  Option<bool> remarks{
      *this, "remarks",
      llvm::cl::desc("Remarks: each MLP converted or left (with the reason), "
                     "what the optimisations removed"),
      llvm::cl::init(false)};
  Option<bool> optimize{
      *this, "optimize",
      llvm::cl::desc("Run quweit-optimize on the LUT networks"),
      llvm::cl::init(true)};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Cost report: text, json or none"),
      llvm::cl::init("text")};
  Option<std::string> reportOutput{
      *this, "report-output",
      llvm::cl::desc("Where to write the cost report (- for stdout)"),
      llvm::cl::init("-")};
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("Arithmetic of the report's energy table: fp32 or int8"),
      llvm::cl::init("fp32")};
};

/// quweit-dense-to-hybrid: convert the dense MLPs to LUT FFNs
/// (quweit-convert-mlp-to-lut), optimise the LUT networks (quweit-optimize),
/// and print the cost report (quweit-cost-report).
mlir::LogicalResult buildDenseToHybridPipeline(
    mlir::OpPassManager &pm, const DenseToHybridOptions &options);

/// Checks the options; returns an error message or "".
std::string validate(const ToLLVMOptions &options);

/// quweit-to-llvm: flatten regions, pack bits, lower quweit ops to linalg,
/// make public functions write results into caller-provided buffers,
/// bufferize, and lower everything (quweit and the hybrid model's
/// linalg/tensor/arith/math parts alike) to the LLVM dialect.
mlir::LogicalResult buildToLLVMPipeline(mlir::OpPassManager &pm,
                                        const ToLLVMOptions &options);

/// Registers `quweit-to-llvm` (and `quweit-flatten`) for quweit-opt.
void registerPipelines();

} // namespace quweit

#endif
