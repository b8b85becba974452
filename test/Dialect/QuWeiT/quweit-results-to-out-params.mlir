// RUN: quweit-opt %s --split-input-file --quweit-results-to-out-params --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @two_results(%arg0: tensor<?x2xf32>, %arg1: memref<?x2xf32>, %arg2: memref<?xi64>) {
// CHECK: bufferization.materialize_in_destination %arg0 in restrict writable %arg1 : (tensor<?x2xf32>, memref<?x2xf32>) -> ()
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %arg2
// CHECK-NEXT: return{{$}}
func.func @two_results(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?xi64>) {
  %c = quweit.argmax %x : tensor<?x2xf32> -> tensor<?xi64>
  return %x, %c : tensor<?x2xf32>, tensor<?xi64>
}

// Private functions keep their results.
// CHECK-LABEL: func.func private @helper(%arg0: tensor<2xf32>) -> tensor<2xf32>
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// expected-error @+1 {{cannot compile result of type 'f32': results must be ranked tensors}}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}
