// RUN: quweit-opt %s --quweit-reorder-mapping -split-input-file | FileCheck %s
// RUN: quweit-opt %s --quweit-reorder-mapping=remarks=true -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// %b reads %a's LUTs in the order 2, 0, 1 (after sorting its slots):
// %a is renumbered so that %b reads 0, 1, 2; slots are sorted by input and
// the tables' address bits permuted alike. %b feeds a contiguous group sum,
// so its own LUTs keep their order.
// REMARK: remark: quweit-reorder-mapping: read-distance-before=9, read-distance-after=8, layers-renumbered=1
// CHECK-LABEL: func.func @reorder
// CHECK: %[[A:.*]] = quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0, 2], [0, 1], [0, 1]]> : tensor<3x2xi32>) tables(dense<{{\[\[}}false, false, true, false], [false, true, true, false], [false, false, false, true]]> : tensor<3x4xi1>)
// CHECK: %[[B:.*]] = quweit.lut_layer %[[A]] mapping(dense<{{\[\[}}0, 1], [2, 1]]> : tensor<2x2xi32>) tables(dense<{{\[\[}}false, false, true, false], [false, false, true, true]]> : tensor<2x4xi1>)
// CHECK: quweit.group_sum %[[B]] : tensor<?x2xi1> -> tensor<?x1xi32>
func.func @reorder(%x: tensor<?x3xi1>) -> tensor<?x1xi32> {
  %a = quweit.lut_layer %x mapping(dense<[[2, 0], [1, 0], [0, 1]]> : tensor<3x2xi32>)
      tables(dense<[[false, true, false, false], [false, false, false, true], [false, true, true, false]]> : tensor<3x4xi1>)
      : tensor<?x3xi1> -> tensor<?x3xi1>
  %b = quweit.lut_layer %a mapping(dense<[[2, 0], [1, 2]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, false, false], [false, false, true, true]]> : tensor<2x4xi1>)
      : tensor<?x3xi1> -> tensor<?x2xi1>
  %s = quweit.group_sum %b : tensor<?x2xi1> -> tensor<?x1xi32>
  return %s : tensor<?x1xi32>
}
