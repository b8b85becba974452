//===- FuzzSupport.cpp - shared parts of the libFuzzer targets ------------===//

#include "FuzzSupport.h"

#include "quweit/InitAll.h"
#include "quweit/Reference/Evaluator.h"
#include "quweit/Support/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;

std::unique_ptr<MLIRContext> quweit::fuzz::makeContext() {
  DialectRegistry registry;
  quweit::reference::registerEvaluatorDialects(registry);
  quweit::registerAllDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry,
                                               MLIRContext::Threading::DISABLED);
  static const bool verbose = std::getenv("QUWEIT_FUZZ_VERBOSE") != nullptr;
  context->getDiagEngine().registerHandler([](Diagnostic &diagnostic) {
    if (verbose)
      llvm::errs() << diagnostic.getLocation() << ": " << diagnostic << "\n";
    return success();
  });
  // Printing the op into every diagnostic would dominate the run time.
  context->printOpOnDiagnostic(false);
  return context;
}

OwningOpRef<ModuleOp> quweit::fuzz::parse(llvm::StringRef bytes,
                                          MLIRContext &context) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(bytes, "fuzz-input"), llvm::SMLoc());
  return parseCheckedModel(sourceMgr, &context);
}

bool quweit::fuzz::isSmall(ModuleOp module, int64_t maxElements) {
  bool small = true;
  auto check = [&](Type root) {
    root.walk([&](ShapedType type) {
      if (!type.hasRank())
        return;
      int64_t elements = 1;
      for (int64_t dim : type.getShape())
        if (!ShapedType::isDynamic(dim))
          elements = std::min(elements * std::max<int64_t>(dim, 1),
                              maxElements + 1); // dims <= 2^48: no overflow
      if (elements > maxElements)
        small = false;
    });
  };
  auto checkAttr = [&](Attribute attr) {
    if (auto typed = dyn_cast<TypedAttr>(attr))
      check(typed.getType());
  };
  module->walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      check(type);
    op->getRawDictionaryAttrs().walk(check, checkAttr);
    if (Attribute props = op->getPropertiesAsAttribute())
      props.walk(check, checkAttr);
  });
  return small;
}

func::FuncOp quweit::fuzz::findEntry(ModuleOp module) {
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    if (!main.isExternal())
      return main;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isPrivate() && !func.isExternal())
      return func;
  return {};
}

void quweit::fuzz::fail(const char *message) {
  llvm::errs() << "quweit fuzz invariant violated: " << message << "\n";
  std::abort();
}
