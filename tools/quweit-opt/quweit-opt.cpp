//===- quweit-opt.cpp - the QuWeiT optimizer driver -----------------------===//
//
// mlir-opt with the QuWeiT dialects, passes and pipelines registered next to
// all of upstream MLIR's. Input checks run around MLIR's parser
// (quweit/Support/InputLimits.h): text nested too deeply, or spelling
// one of the constructs that crash MLIR's parser, is refused before the parser
// sees it, bytecode is read by a forked child that hands over
// the module as text (MLIR's reader can hang or crash on corrupt files), and shapes too large for size
// arithmetic are refused before any pass runs.
//
//===----------------------------------------------------------------------===//

#include "quweit/InitAll.h"
#include "quweit/Pipelines/Pipelines.h"
#include "quweit/Support/InputLimits.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  quweit::registerAllPasses();
  quweit::registerPipelines();

  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  quweit::registerAllDialects(registry);

  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << quweit::versionString() << '\n'; });
  auto [inputFilename, outputFilename] = registerAndParseCLIOptions(
      argc, argv, "QuWeiT optimizer driver\n", registry);
  MlirOptMainConfig cliConfig = MlirOptMainConfig::createFromCLOptions();
  if (cliConfig.shouldShowDialects() || cliConfig.shouldListPasses())
    return asMainReturnCode(
        MlirOptMain(argc, argv, inputFilename, outputFilename, registry));

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(inputFilename, &error);
  if (!file) {
    llvm::WithColor::error(llvm::errs(), "quweit-opt") << error << "\n";
    return 1;
  }
  if (file->getBuffer().starts_with("ML\xEFR")) {
    // Bytecode is read by a child process; MLIR gets the text it prints.
    MLIRContext readerContext(registry, MLIRContext::Threading::DISABLED);
    std::string problem;
    FailureOr<std::string> text = quweit::bytecodeToText(
        file->getBuffer(), inputFilename, &readerContext, problem);
    if (failed(text)) {
      if (!problem.empty())
        llvm::WithColor::error(llvm::errs(), "quweit-opt")
            << inputFilename << ": " << problem << "\n";
      return 1;
    }
    file = llvm::MemoryBuffer::getMemBufferCopy(*text, inputFilename);
  }

  if (std::optional<quweit::InputProblem> problem =
          quweit::checkTextInput(file->getBuffer())) {
    llvm::SourceMgr sourceMgr;
    const char *at = file->getBufferStart() + problem->offset;
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(at),
                           llvm::SourceMgr::DK_Error, problem->message);
    return 1;
  }

  // The size check runs first in every pipeline, the empty one included.
  MlirOptMainConfig config = cliConfig;
  config.setPassPipelineSetupFn([cliConfig](PassManager &pm) {
    pm.addPass(quweit::createCheckShapeSizesPass());
    return cliConfig.setupPassPipeline(pm);
  });
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "quweit-opt") << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(file), registry, config)))
    return 1;
  output->keep();
  return 0;
}
