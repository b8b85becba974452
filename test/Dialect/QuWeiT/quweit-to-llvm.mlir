// The whole CPU pipeline leaves only the LLVM dialect, for every layout.
// RUN: quweit-opt %s --quweit-to-llvm | FileCheck %s
// RUN: quweit-opt %s --quweit-to-llvm=layout=feature-packed | FileCheck %s
// RUN: quweit-opt %s --quweit-to-llvm=layout=none | FileCheck %s
// RUN: quweit-opt %s --quweit-to-llvm | mlir-opt > /dev/null

// CHECK-NOT: quweit.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK: llvm.func @main(
// CHECK-NOT: quweit.
func.func @main(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?xi64>) {
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 1]]> : tensor<3x2xi32>) tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>) : tensor<?x4xi1> -> tensor<?x3xi1>
    %s = quweit.group_sum %l : tensor<?x3xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  %c = quweit.argmax %y : tensor<?x2xf32> -> tensor<?xi64>
  return %y, %c : tensor<?x2xf32>, tensor<?xi64>
}
