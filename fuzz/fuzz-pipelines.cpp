//===- fuzz-pipelines.cpp - fuzz the compiler's pipelines -----------------===//
//
// Runs the main pipelines on every input that parses and verifies: the CPU
// backend (quweit-to-llvm, LLVM IR, entry points, object code), the
// optimizer, the hardware lowering with Verilog and interface emission, and
// the cost model. A pipeline may reject a model with a diagnostic; it must
// never crash, and what a pass produces must verify. The options (layout,
// word size, threads, pipelining) are drawn from a hash of the input.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "quweit/Analysis/CostModel.h"
#include "quweit/InitAll.h"
#include "quweit/Target/CPU/Compile.h"
#include "quweit/Target/Verilog/EmitVerilog.h"

#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace quweit::fuzz;

/// Runs `pipeline` on a clone of `module`; the result, when the pipeline
/// succeeds, must verify.
static OwningOpRef<ModuleOp> runPipeline(ModuleOp module,
                                         const std::string &pipeline) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module->getContext());
  if (failed(parsePassPipeline(pipeline, pm)))
    fail("a pipeline of the fuzz target does not parse");
  pm.enableVerifier(true);
  if (failed(pm.run(*copy)))
    return {};
  return copy;
}

/// FNV-1a: the same options for the same input in every process.
static uint64_t hashBytes(llvm::StringRef bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : bytes)
    hash = (hash ^ uint8_t(c)) * 1099511628211ull;
  return hash;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  mlir::registerAllPasses();
  quweit::registerAllPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  bytes = bytes.split(kInputsMarker).first;
  std::unique_ptr<MLIRContext> context = makeContext();
  OwningOpRef<ModuleOp> module = parse(bytes, *context);
  // Large models are valid but only slow the search down.
  if (!module || !isSmall(*module, 1 << 14))
    return 0;
  // Passes create ops of the upstream dialects they lower to.
  DialectRegistry full;
  registerAllDialects(full);
  registerAllExtensions(full);
  context->appendDialectRegistry(full);
  uint64_t pick = hashBytes(bytes);

  // Cost model: pure analysis of the verified module.
  for (const quweit::FunctionCost &cost : quweit::analyzeCosts(*module))
    (void)quweit::energyPicojoules(
        cost.total.hybrid, quweit::EnergyTable::horowitz45nm(
                               pick & 1 ? "int8" : "fp32"));

  // Optimizer.
  (void)runPipeline(*module, "quweit-optimize");

  // Hardware: lutarray, then Verilog and the interface JSON.
  const char *thermometer = (pick >> 1) & 1 ? "comparators" : "ports";
  std::string hw = std::string("convert-quweit-to-lutarray{thermometer=") +
                   thermometer + " max-lut-inputs=" +
                   std::to_string(4 + (pick >> 2) % 3) +
                   " pipeline-every=" + std::to_string((pick >> 4) % 3) +
                   " wrapper=" + ((pick >> 6) & 1 ? "true" : "false") + "}";
  if (OwningOpRef<ModuleOp> lowered = runPipeline(*module, hw)) {
    std::string text;
    llvm::raw_string_ostream os(text);
    (void)quweit::emitVerilog(*lowered, os);
    (void)quweit::emitInterfaceJson(*lowered, os);
  }

  // CPU: the whole compiler, object code included (O0 to keep runs fast).
  static const char *layouts[] = {"batch-sliced", "feature-packed", "auto", "none"};
  quweit::CompileOptions options;
  options.optLevel = 0;
  options.cpu = "generic";
  options.layout = layouts[(pick >> 7) % 4];
  options.wordBits = 8u << ((pick >> 9) % 4);
  options.threads = 1 + (pick >> 11) % 2;
  options.parallel = (pick >> 12) & 1 ? "openmp" : "batch";
  static const char *codegens[] = {"auto", "table", "specialise"};
  options.lutCodegen = codegens[(pick >> 13) % 3];
  static const char *matmuls[] = {"vectorize", "blas", "loops"};
  options.matmul = matmuls[(pick >> 15) % 3];
  OwningOpRef<ModuleOp> copy = module->clone();
  llvm::Expected<quweit::CompiledModel> compiled =
      quweit::compileModel(*copy, options);
  if (!compiled)
    llvm::consumeError(compiled.takeError());
  else if (compiled->object.empty() || compiled->header.empty())
    fail("compileModel succeeded without an object or a header");
  return 0;
}
