// An MLP without tables, and tables of the wrong width, are located errors
// (every error is reported; nothing is converted). Bad tables files are errors.
// RUN: not quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut="tables=%S/Inputs/mlp-tables.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut="tables=%S/Inputs/mlp-tables-wide.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=WIDE
// RUN: not quweit-opt %s --quweit-convert-mlp-to-lut="tables=%S/Inputs/mlp-tables-bad.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not quweit-opt %s --quweit-convert-mlp-to-lut="tables=%t.does-not-exist.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSINGFILE
// RUN: echo 'module { func.func @"mlp0"(' > %t.broken.mlir
// RUN: not quweit-opt %s --quweit-convert-mlp-to-lut="tables=%t.broken.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BROKEN
// The pipeline's own option errors.
// RUN: not quweit-opt %s --quweit-dense-to-hybrid -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPE-TABLES
// RUN: not quweit-opt %s --quweit-dense-to-hybrid="tables=%S/Inputs/mlp-tables.mlir report=xml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPE-REPORT
// PIPE-TABLES: quweit-dense-to-hybrid: give the LUT FFN tables (tables=FILE)
// PIPE-REPORT: quweit-dense-to-hybrid: unknown report 'xml' (use text, json or none)
// A failing run writes no output file.
// RUN: rm -f %t.out.mlir && not quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut="tables=%S/Inputs/mlp-tables-wide.mlir" -o %t.out.mlir 2>/dev/null; test ! -e %t.out.mlir

// MISSING: error: loc("blocks.9.ffn.fc1"): no LUT FFN tables for MLP 'blocks.9.ffn' (4 -> 8 -> 4, ReLU) in '{{.*}}mlp-tables.mlir' (names tried: 'blocks.9.ffn', 'blocks.9.ffn.fc1')
// MISSING-NOT: error
// WIDE: error: loc("blocks.9.ffn.fc1"): no LUT FFN tables for MLP 'blocks.9.ffn'
// WIDE: quweit-convert-mlp-to-lut-invalid.mlir:53:9: error: LUT FFN tables 'mlp0' map 6 -> 4 features but the MLP maps 4 -> 4
// WIDE: mlp-tables-wide.mlir:3:3: note: tables 'mlp0' defined here
// BAD: mlp-tables-bad.mlir:3:3: error: tables file: 'mlp0' must be a function of one tensor<?xDxf32> argument whose body is one quweit.lut_ffn of it and the return of its result
// MISSINGFILE: error: quweit-convert-mlp-to-lut: cannot open tables file '{{.*}}does-not-exist.mlir'
// BROKEN: broken.mlir:1:28: error: expected non-function type
// BROKEN: error: quweit-convert-mlp-to-lut: tables file '{{.*}}broken.mlir' does not parse

// The names tried: the linears' common prefix, the first linear's name, mlpI.
func.func @missing(%x: tensor<5x4xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %zeros = arith.constant dense<0.0> : tensor<5x8xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32> loc("blocks.9.ffn.fc1")
  %r = arith.maximumf %m1, %zeros : tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%r, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32> loc("blocks.9.ffn.fc2")
  return %m2 : tensor<5x4xf32>
}

// -----

// Unnamed, so it is "mlp0": the wide tables take 6 features, it reads 4.
func.func @mismatch(%x: tensor<5x4xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %zeros = arith.constant dense<0.0> : tensor<5x8xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %r = arith.maximumf %m1, %zeros : tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%r, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %m2 : tensor<5x4xf32>
}
