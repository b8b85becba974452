//===- quweit-translate.cpp - the QuWeiT translation driver ---------------===//
//
// mlir-translate with upstream translations (among them --mlir-to-llvmir for
// modules lowered to the LLVM dialect) and the QuWeiT ones: --emit-verilog
// and --emit-hw-interface for lutarray modules.
//
//===----------------------------------------------------------------------===//

#include "quweit/InitAll.h"
#include "quweit/Target/Verilog/EmitVerilog.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  quweit::registerVerilogTranslations();
  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << quweit::versionString() << '\n'; });
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "QuWeiT translation driver"));
}
