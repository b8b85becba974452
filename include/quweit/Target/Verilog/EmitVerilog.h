//===- EmitVerilog.h - lutarray to SystemVerilog ----------------*- C++ -*-===//

#ifndef QUWEIT_TARGET_VERILOG_EMITVERILOG_H
#define QUWEIT_TARGET_VERILOG_EMITVERILOG_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace quweit {

/// Prints every lutarray.module of `module` as synthesizable SystemVerilog
/// (generic constructs only: readable by Verilator, Icarus and Yosys).
mlir::LogicalResult emitVerilog(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Prints the I/O contract of every lutarray.module as JSON: ports with
/// widths and meaning, latency, and what the host computes from the counts.
mlir::LogicalResult emitInterfaceJson(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Registers --emit-verilog, --emit-hw-interface and --emit-testbench with
/// mlir-translate.
void registerVerilogTranslations();

} // namespace quweit

#endif
