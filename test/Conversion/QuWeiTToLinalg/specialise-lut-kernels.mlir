// Bit-sliced LUT tables compiled into Boolean logic on buffers.
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=specialise" \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map" \
// RUN:   --quweit-specialise-lut-kernels --canonicalize | FileCheck %s

// LUT 0 = in[2] & in[0] (address bit 0 is the first mapped input); LUT 1 =
// in[1] ^ in[2]; LUT 2 is constant 1. No generic is left.
// CHECK-LABEL: func.func @three_luts
// CHECK-SAME: (%[[IN:.*]]: memref<?x3xi64>) -> memref<?x3xi64>
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[ROW:.*]] =
// CHECK-DAG: %[[X2:.*]] = memref.load %[[IN]][%[[ROW]], %c2]
// CHECK-DAG: %[[X0:.*]] = memref.load %[[IN]][%[[ROW]], %c0]
// CHECK-DAG: %[[X1:.*]] = memref.load %[[IN]][%[[ROW]], %c1]
// CHECK-DAG: %[[AND:.*]] = arith.andi %[[X2]], %[[X0]]
// CHECK-DAG: memref.store %[[AND]], %{{.*}}[%[[ROW]], %c0]
// CHECK-DAG: %[[XOR:.*]] = arith.xori %{{.*}}, %{{.*}} : i64
// CHECK-DAG: memref.store %[[XOR]], %{{.*}}[%[[ROW]], %c1]
// CHECK-DAG: memref.store %c-1_i64, %{{.*}}[%[[ROW]], %c2]
func.func @three_luts(%w: tensor<?x3xi64>) -> tensor<?x3xi64> {
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3)
      mapping(dense<[[2, 0], [1, 2], [0, 0]]> : tensor<3x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>)
      : tensor<?x3xi64> -> tensor<?x3xi64>
  return %y : tensor<?x3xi64>
}

// -----

// i512 words: loads and stores of whole words, logic on vector<8xi64>.
// CHECK-LABEL: func.func @simd_words
// CHECK: memref.load {{.*}} : memref<?x2xi512>
// CHECK: vector.bitcast {{.*}} : vector<1xi512> to vector<8xi64>
// CHECK: arith.xori {{.*}} : vector<8xi64>
// CHECK: memref.store {{.*}} : memref<?x1xi512>
func.func @simd_words(%w: tensor<?x2xi512>) -> tensor<?x1xi512> {
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(2)
      mapping(dense<[[0, 1]]> : tensor<1x2xi32>) tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>)
      : tensor<?x2xi512> -> tensor<?x1xi512>
  return %y : tensor<?x1xi512>
}
