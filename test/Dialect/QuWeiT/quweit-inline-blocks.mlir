// RUN: quweit-opt %s --quweit-inline-blocks | FileCheck %s

// CHECK-LABEL: func.func @two_blocks
// CHECK-NOT: quweit.transformer_block
// CHECK: %[[MM:.*]] = linalg.matmul ins(%arg0, %arg1
// CHECK: %[[H:.*]] = arith.addf %arg0, %[[MM]]
// CHECK: %[[H2:.*]] = arith.addf %[[H]], %[[H]]
// CHECK: return %[[H2]]
func.func @two_blocks(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) -> tensor<4x2xf32> {
  %y = quweit.transformer_block "block0" (%x, %w) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x2xf32>, %weight: tensor<2x2xf32>):
    %zero = arith.constant dense<0.0> : tensor<4x2xf32>
    %mm = linalg.matmul ins(%in, %weight : tensor<4x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<4x2xf32>) -> tensor<4x2xf32>
    %h = arith.addf %in, %mm : tensor<4x2xf32>
    quweit.yield %h : tensor<4x2xf32>
  }
  %z = quweit.transformer_block "block1" (%y) : (tensor<4x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x2xf32>):
    %h = arith.addf %in, %in : tensor<4x2xf32>
    quweit.yield %h : tensor<4x2xf32>
  }
  return %z : tensor<4x2xf32>
}
