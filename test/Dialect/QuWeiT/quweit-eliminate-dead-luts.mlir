// RUN: quweit-opt %s --quweit-eliminate-dead-luts -split-input-file | FileCheck %s
// RUN: quweit-opt %s --quweit-eliminate-dead-luts=remarks=true -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: quweit-opt %s --quweit-eliminate-dead-luts=across-group-sums=false -split-input-file | FileCheck %s --check-prefix=NOSUM

// LUT 1 of %a is read only through a slot that %b's table ignores, LUT 2 by
// nothing: both go, and %b's ignored slot points at input 0.
// REMARK: remark: quweit-eliminate-dead-luts: luts-removed=2, group-sums-indexed=0
// CHECK-LABEL: func.func @unread
// CHECK: %[[A:.*]] = quweit.lut_layer %{{.*}} mapping(dense<{{\[\[}}0, 1]]> : tensor<1x2xi32>) tables(dense<{{\[\[}}false, true, true, false]]> : tensor<1x4xi1>) : tensor<?x3xi1> -> tensor<?x1xi1>
// CHECK: quweit.lut_layer %[[A]] mapping(dense<0> : tensor<1x2xi32>) tables(dense<{{\[\[}}false, true, false, true]]> : tensor<1x4xi1>) : tensor<?x1xi1> -> tensor<?x1xi1>
func.func @unread(%x: tensor<?x3xi1>) -> tensor<?x1xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2], [0, 2]]> : tensor<3x2xi32>)
      tables(dense<[[false, true, true, false], [false, false, false, true], [true, false, false, true]]> : tensor<3x4xi1>)
      : tensor<?x3xi1> -> tensor<?x3xi1>
  %b = quweit.lut_layer %a mapping(dense<[[0, 1]]> : tensor<1x2xi32>)
      tables(dense<[[false, true, false, true]]> : tensor<1x4xi1>)
      : tensor<?x3xi1> -> tensor<?x1xi1>
  return %b : tensor<?x1xi1>
}

// -----

// Under a group sum only the constant-0 LUT goes (the constant-1 LUT adds one
// to its group); the contiguous groups become an explicit group_index.
// REMARK: remark: quweit-eliminate-dead-luts: luts-removed=1, group-sums-indexed=1
// CHECK-LABEL: func.func @under_group_sum
// CHECK: quweit.lut_layer %{{.*}} mapping(dense<{{\[\[}}1], [0], [1]]> : tensor<3x1xi32>) tables(dense<{{\[\[}}false, true], [true, true], [true, false]]> : tensor<3x2xi1>)
// CHECK: quweit.group_sum %{{.*}} group_index(dense<[0, 1, 1]> : tensor<3xi32>) : tensor<?x3xi1> -> tensor<?x2xi32>
// Without across-group-sums, the layer under the group sum is left alone:
// NOSUM-LABEL: func.func @under_group_sum
// NOSUM: quweit.lut_layer {{.*}} -> tensor<?x4xi1>
// NOSUM: quweit.group_sum %{{.*}} : tensor<?x4xi1> -> tensor<?x2xi32>
func.func @under_group_sum(%x: tensor<?x2xi1>) -> tensor<?x2xi32> {
  %a = quweit.lut_layer %x mapping(dense<[[0], [1], [0], [1]]> : tensor<4x1xi32>)
      tables(dense<[[false, false], [false, true], [true, true], [true, false]]> : tensor<4x2xi1>)
      : tensor<?x2xi1> -> tensor<?x4xi1>
  %s = quweit.group_sum %a : tensor<?x4xi1> -> tensor<?x2xi32>
  return %s : tensor<?x2xi32>
}

// -----

// A layer returned from the function keeps every LUT.
// REMARK: remark: quweit-eliminate-dead-luts: luts-removed=0
// CHECK-LABEL: func.func @result
// CHECK: quweit.lut_layer {{.*}} -> tensor<?x2xi1>
func.func @result(%x: tensor<?x2xi1>) -> tensor<?x2xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>)
      tables(dense<[[false, false], [false, true]]> : tensor<2x2xi1>)
      : tensor<?x2xi1> -> tensor<?x2xi1>
  return %a : tensor<?x2xi1>
}
