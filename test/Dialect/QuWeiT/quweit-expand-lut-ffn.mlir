// RUN: quweit-opt %s --quweit-expand-lut-ffn | FileCheck %s

// CHECK-LABEL: func.func @expand
// CHECK-NOT: quweit.lut_ffn
// CHECK: %[[T:.*]] = quweit.thermometer %arg0
// CHECK-NEXT: %[[L:.*]] = quweit.lut_layer %[[T]]
// CHECK-NEXT: %[[S:.*]] = quweit.group_sum %[[L]]
// CHECK-NEXT: %[[R:.*]] = quweit.scale_counts %[[S]]
// CHECK-NEXT: %[[A:.*]] = quweit.argmax %[[R]]
// CHECK-NEXT: return %[[R]], %[[A]]
func.func @expand(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?xi64>) {
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 1]]> : tensor<3x2xi32>)
        tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>)
        : tensor<?x4xi1> -> tensor<?x3xi1>
    %s = quweit.group_sum %l : tensor<?x3xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  %c = quweit.argmax %y : tensor<?x2xf32> -> tensor<?xi64>
  return %y, %c : tensor<?x2xf32>, tensor<?xi64>
}

// An FFN nested in a transformer block expands in place.
// CHECK-LABEL: func.func @nested
// CHECK: quweit.transformer_block "b0"
// CHECK-NOT: quweit.lut_ffn
// CHECK: quweit.thermometer
// CHECK: arith.addf
// CHECK: quweit.yield
func.func @nested(%x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  %y = quweit.transformer_block "b0" (%x) : (tensor<4x1xf32>) -> tensor<4x1xf32> {
  ^bb0(%in: tensor<4x1xf32>):
    %f = quweit.lut_ffn %in : tensor<4x1xf32> -> tensor<4x1xf32> {
    ^bb0(%a: tensor<4x1xf32>):
      %t = quweit.thermometer %a thresholds(dense<[[0.0]]> : tensor<1x1xf32>) : tensor<4x1xf32> -> tensor<4x1xi1>
      %l = quweit.lut_layer %t mapping(dense<[[0]]> : tensor<1x1xi32>) tables(dense<[[true, false]]> : tensor<1x2xi1>) : tensor<4x1xi1> -> tensor<4x1xi1>
      %s = quweit.group_sum %l : tensor<4x1xi1> -> tensor<4x1xi32>
      %r = quweit.scale_counts %s tau(1.0) : tensor<4x1xi32> -> tensor<4x1xf32>
      quweit.yield %r : tensor<4x1xf32>
    }
    %h = arith.addf %in, %f : tensor<4x1xf32>
    quweit.yield %h : tensor<4x1xf32>
  }
  return %y : tensor<4x1xf32>
}
