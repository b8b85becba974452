// RUN: quweit-opt %s --quweit-merge-identical-luts -split-input-file | FileCheck %s
// RUN: quweit-opt %s --quweit-merge-identical-luts=remarks=true -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// LUTs 0 and 2 of %a are identical: %b reads LUT 0 in both slots and LUT 2 goes.
// REMARK: remark: quweit-merge-identical-luts: luts-merged=1
// CHECK-LABEL: func.func @merge
// CHECK: %[[A:.*]] = quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0, 1], [1, 2]]> : tensor<2x2xi32>) {{.*}} -> tensor<?x2xi1>
// CHECK: quweit.lut_layer %[[A]] mapping(dense<{{\[\[}}1, 0]]> : tensor<1x2xi32>)
func.func @merge(%x: tensor<?x3xi1>) -> tensor<?x1xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2], [0, 1]]> : tensor<3x2xi32>)
      tables(dense<[[false, true, true, false], [false, false, false, true], [false, true, true, false]]> : tensor<3x4xi1>)
      : tensor<?x3xi1> -> tensor<?x3xi1>
  %b = quweit.lut_layer %a mapping(dense<[[1, 2]]> : tensor<1x2xi32>)
      tables(dense<[[false, true, true, true]]> : tensor<1x4xi1>)
      : tensor<?x3xi1> -> tensor<?x1xi1>
  return %b : tensor<?x1xi1>
}

// -----

// Under a group sum both copies are counted: nothing merges.
// REMARK: remark: quweit-merge-identical-luts: luts-merged=0
// CHECK-LABEL: func.func @counted
// CHECK: quweit.lut_layer {{.*}} -> tensor<?x2xi1>
// CHECK: quweit.group_sum %{{.*}} : tensor<?x2xi1> -> tensor<?x1xi32>
func.func @counted(%x: tensor<?x2xi1>) -> tensor<?x1xi32> {
  %a = quweit.lut_layer %x mapping(dense<[[0, 1], [0, 1]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [false, true, true, false]]> : tensor<2x4xi1>)
      : tensor<?x2xi1> -> tensor<?x2xi1>
  %s = quweit.group_sum %a : tensor<?x2xi1> -> tensor<?x1xi32>
  return %s : tensor<?x1xi32>
}
