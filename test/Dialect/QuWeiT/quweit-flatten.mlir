// RUN: quweit-opt %s --quweit-flatten | FileCheck %s

// The flat form: no region ops, and LUT simplifications applied across what
// used to be an FFN boundary.
// CHECK-LABEL: func.func @flatten
// CHECK-NOT: quweit.transformer_block
// CHECK-NOT: quweit.lut_ffn
// CHECK: %[[T:.*]] = quweit.thermometer %arg0
// CHECK-NEXT: %[[S:.*]] = quweit.group_sum %[[T]]
// CHECK-NEXT: %[[R:.*]] = quweit.scale_counts %[[S]]
// CHECK-NEXT: %[[H:.*]] = arith.addf %arg0, %[[R]]
// CHECK-NEXT: return %[[H]]
func.func @flatten(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %y = quweit.transformer_block "b0" (%x) : (tensor<?x1xf32>) -> tensor<?x1xf32> {
  ^bb0(%in: tensor<?x1xf32>):
    %f = quweit.lut_ffn %in : tensor<?x1xf32> -> tensor<?x1xf32> {
    ^bb0(%a: tensor<?x1xf32>):
      %t = quweit.thermometer %a thresholds(dense<[[0.0, 1.0]]> : tensor<1x2xf32>) : tensor<?x1xf32> -> tensor<?x2xi1>
      // An identity layer: folds away once the FFN is expanded.
      %l = quweit.lut_layer %t mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<[[false, true], [false, true]]> : tensor<2x2xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
      %s = quweit.group_sum %l : tensor<?x2xi1> -> tensor<?x1xi32>
      %r = quweit.scale_counts %s tau(2.0) : tensor<?x1xi32> -> tensor<?x1xf32>
      quweit.yield %r : tensor<?x1xf32>
    }
    %h = arith.addf %in, %f : tensor<?x1xf32>
    quweit.yield %h : tensor<?x1xf32>
  }
  return %y : tensor<?x1xf32>
}
