// RUN: quweit-opt %s --quweit-fold-constant-luts -split-input-file | FileCheck %s
// RUN: quweit-opt %s --quweit-fold-constant-luts=remarks=true -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// LUT 1 of %a is constant 1: %b's table is rewritten as if slot 1 read 1, so
// that it ignores slot 1 (the constant LUT itself stays for other passes).
// REMARK: remark: quweit-fold-constant-luts: reads-folded=1, layers-folded=0
// CHECK-LABEL: func.func @constant
// CHECK: quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0], [1]]> : tensor<2x1xi32>) tables(dense<{{\[\[}}false, true], [true, true]]> : tensor<2x2xi1>)
// CHECK: quweit.lut_layer %{{.*}} mapping(dense<{{\[\[}}0, 1]]> : tensor<1x2xi32>) tables(dense<{{\[\[}}false, true, false, true]]> : tensor<1x4xi1>)
func.func @constant(%x: tensor<?x2xi1>) -> tensor<?x1xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>)
      tables(dense<[[false, true], [true, true]]> : tensor<2x2xi1>)
      : tensor<?x2xi1> -> tensor<?x2xi1>
  %b = quweit.lut_layer %a mapping(dense<[[0, 1]]> : tensor<1x2xi32>)
      tables(dense<[[false, false, false, true]]> : tensor<1x4xi1>)
      : tensor<?x2xi1> -> tensor<?x1xi1>
  return %b : tensor<?x1xi1>
}

// -----

// All LUTs constant and a static batch: the layer folds to a constant.
// REMARK: remark: quweit-fold-constant-luts: reads-folded=0, layers-folded=1
// CHECK-LABEL: func.func @all_constant
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}false, true], [false, true]]> : tensor<2x2xi1>
// CHECK-NEXT: return %[[C]]
func.func @all_constant(%x: tensor<2x2xi1>) -> tensor<2x2xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>)
      tables(dense<[[false, false], [true, true]]> : tensor<2x2xi1>)
      : tensor<2x2xi1> -> tensor<2x2xi1>
  return %a : tensor<2x2xi1>
}
