//===- quweit-translate.cpp - the QuWeiT translation driver ---------------===//
//
// mlir-translate with upstream translations (among them --mlir-to-llvmir for
// modules lowered to the LLVM dialect) and the QuWeiT ones: --emit-verilog,
// --emit-hw-interface and --emit-testbench for lutarray modules.
//
// Not mlirTranslateMain: the input goes through the same checks as in the
// other tools before MLIR parses it (quweit/Support/InputLimits.h): text
// nested too deeply or spelling a construct that crashes MLIR's parser is
// refused, bytecode is read by a forked child that hands over the module as
// text. The QuWeiT translations also check shape sizes after parsing. The
// output is written to a temporary renamed into place, so a failed
// translation leaves no file.
//
//===----------------------------------------------------------------------===//

#include "quweit/InitAll.h"
#include "quweit/Support/InputLimits.h"
#include "quweit/Target/Verilog/EmitVerilog.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllTranslations.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllTranslations();
  quweit::registerVerilogTranslations();

  llvm::cl::opt<std::string> inputFilename(
      llvm::cl::Positional, llvm::cl::desc("<input file>"), llvm::cl::init("-"));
  llvm::cl::opt<std::string> outputFilename(
      "o", llvm::cl::desc("Output filename"), llvm::cl::value_desc("filename"),
      llvm::cl::init("-"));
  llvm::cl::opt<const Translation *, false, TranslationParser> translation(
      llvm::cl::desc("Translation to perform"), llvm::cl::Required);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerTranslationCLOptions();
  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << quweit::versionString() << '\n'; });
  llvm::cl::ParseCommandLineOptions(argc, argv, "QuWeiT translation driver\n");

  auto fail = [&](const llvm::Twine &message) {
    llvm::WithColor::error(llvm::errs(), "quweit-translate") << message << "\n";
    return 1;
  };
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file =
      translation->getInputAlignment()
          ? openInputFile(inputFilename, *translation->getInputAlignment(),
                          &error)
          : openInputFile(inputFilename, &error);
  if (!file)
    return fail(error);

  if (file->getBuffer().starts_with("ML\xEFR")) {
    // Bytecode is read by a child process; the translation gets its text.
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllExtensions(registry);
    quweit::registerAllDialects(registry);
    MLIRContext readerContext(registry, MLIRContext::Threading::DISABLED);
    std::string problem;
    FailureOr<std::string> text = quweit::bytecodeToText(
        file->getBuffer(), inputFilename, &readerContext, problem);
    if (failed(text))
      return problem.empty() ? 1 : fail(inputFilename + ": " + problem);
    file = llvm::MemoryBuffer::getMemBufferCopy(*text, inputFilename);
  }

  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  const llvm::MemoryBuffer *buffer = file.get();
  sourceMgr->AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  if (std::optional<quweit::InputProblem> problem =
          quweit::checkTextInput(buffer->getBuffer())) {
    sourceMgr->PrintMessage(
        llvm::SMLoc::getFromPointer(buffer->getBufferStart() + problem->offset),
        llvm::SourceMgr::DK_Error, problem->message);
    return 1;
  }

  MLIRContext context;
  SourceMgrDiagnosticHandler diagnostics(*sourceMgr, &context);
  std::string output;
  llvm::raw_string_ostream os(output);
  if (failed((*translation)(sourceMgr, os, &context)))
    return 1;
  if (llvm::Error err = llvm::writeToOutput(
          outputFilename, [&](llvm::raw_ostream &out) -> llvm::Error {
            out << output;
            return llvm::Error::success();
          }))
    return fail(llvm::toString(std::move(err)));
  return 0;
}
