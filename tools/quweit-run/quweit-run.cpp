//===- quweit-run.cpp - run a model with the reference evaluator ----------===//
//
// quweit-run model.mlir --input x.npy [--input ...] [--output y.npy ...]
//
// Parses a model (text or bytecode), evaluates one function with the
// reference evaluator on .npy inputs, and prints the results or writes them
// as .npy files. Every failure is a located diagnostic or a clear message and
// a non-zero exit; output files are written atomically, and only after every
// result has been computed.
//
//===----------------------------------------------------------------------===//

#include "quweit/InitAll.h"
#include "quweit/Support/ModelFile.h"
#include "quweit/Reference/Evaluator.h"
#include "quweit/Reference/Npy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace quweit::reference;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("quweit-run options");
static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<model.mlir|model.mlirbc>"),
                                          cl::Required, cl::cat(runCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Function to run (default: 'main', or the only "
                       "public function)"),
              cl::cat(runCategory));
static cl::list<std::string>
    inputFiles("input", cl::desc("Argument as a .npy file (repeat, in order)"),
               cl::cat(runCategory));
static cl::list<std::string>
    outputFiles("output",
                cl::desc("Write result i to this .npy file (repeat, in order)"),
                cl::cat(runCategory));
static cl::opt<unsigned>
    printRows("print-rows",
              cl::desc("Rows of each result to print when no --output is "
                       "given (0: all)"),
              cl::init(20), cl::cat(runCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "quweit-run") << message << "\n";
  return 1;
}

static func::FuncOp findEntry(ModuleOp module, std::string &error) {
  if (!entryName.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func)
      error = "no function named '" + entryName + "'";
    return func;
  }
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    return main;
  func::FuncOp only;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    if (only) {
      error = "several public functions; choose one with --entry";
      return {};
    }
    only = func;
  }
  if (!only)
    error = "no public function to run";
  return only;
}

static void printTensor(llvm::raw_ostream &os, const Tensor &tensor,
                        unsigned maxRows) {
  int64_t rows = tensor.shape.empty() ? 1 : tensor.shape[0];
  int64_t rowSize = rows == 0 ? 0 : tensor.numElements() / rows;
  int64_t shown = maxRows == 0 ? rows : std::min<int64_t>(rows, maxRows);
  for (int64_t r = 0; r < shown; ++r) {
    os << "  [";
    for (int64_t c = 0; c < rowSize; ++c) {
      int64_t i = r * rowSize + c;
      if (c)
        os << ", ";
      if (tensor.isBits())
        os << int(tensor.bits[i]);
      else if (tensor.isFloat())
        os << llvm::format("%.9g", tensor.floats[i]);
      else
        os << tensor.ints[i];
    }
    os << "]\n";
  }
  if (shown < rows)
    os << "  ... (" << rows - shown << " more rows; --print-rows=0 shows all)\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(runCategory);
  cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << quweit::versionString() << '\n'; });
  cl::ParseCommandLineOptions(
      argc, argv,
      "QuWeiT reference runner: evaluates a model on .npy inputs exactly as "
      "docs/semantics.md defines it\n");

  DialectRegistry registry;
  quweit::reference::registerEvaluatorDialects(registry);
  quweit::registerAllDialects(registry);
  MLIRContext context(registry);

  quweit::ModelFile model(inputFilename, context);
  if (!model.openError().empty())
    return fail(model.openError());
  ModuleOp module = model.module();
  if (!module)
    return 1; // The parser or verifier reported where.

  std::string entryError;
  func::FuncOp entry = findEntry(module, entryError);
  if (!entry)
    return fail(inputFilename + ": " + entryError);

  std::vector<Tensor> arguments;
  for (const std::string &path : inputFiles) {
    llvm::Expected<Tensor> tensor = readNpyFile(path);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));
    arguments.push_back(std::move(*tensor));
  }
  if (arguments.size() != entry.getNumArguments())
    return fail("'" + entry.getSymName() + "' takes " +
                llvm::Twine(entry.getNumArguments()) + " argument(s), " +
                llvm::Twine(arguments.size()) + " --input given");
  for (auto [index, tensor] : llvm::enumerate(arguments)) {
    std::string problem = checkArgument(tensor, entry.getArgumentTypes()[index]);
    if (!problem.empty())
      return fail(inputFiles[index] + ": argument " + llvm::Twine(index) +
                  " of '" + entry.getSymName() + "': " + problem);
  }

  FailureOr<std::vector<Tensor>> results = evaluate(entry, arguments);
  if (failed(results))
    return 1;

  if (!outputFiles.empty()) {
    if (outputFiles.size() != results->size())
      return fail("'" + entry.getSymName() + "' returns " +
                  llvm::Twine(results->size()) + " result(s), " +
                  llvm::Twine(outputFiles.size()) + " --output given");
    for (auto [path, tensor] : llvm::zip(outputFiles, *results))
      if (llvm::Error error = writeNpyFile(path, tensor))
        return fail("cannot write '" + path + "': " +
                    llvm::toString(std::move(error)));
    return 0;
  }
  for (auto [index, tensor] : llvm::enumerate(*results)) {
    llvm::outs() << "result " << index << ": tensor<" << tensor.typeString()
                 << ">\n";
    printTensor(llvm::outs(), tensor, printRows);
  }
  return 0;
}
