// quweit-translate carries upstream's LLVM IR export for lowered modules.
// RUN: quweit-translate --mlir-to-llvmir %s | FileCheck %s
// CHECK: define i64 @add(i64 %0, i64 %1)
// CHECK: add i64
llvm.func @add(%a: i64, %b: i64) -> i64 {
  %0 = llvm.add %a, %b : i64
  llvm.return %0 : i64
}
