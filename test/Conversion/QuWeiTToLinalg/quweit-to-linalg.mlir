// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @thermometer
// CHECK: %[[THR:.*]] = arith.constant dense<{{.*}}> : tensor<2x3xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x6xi1>)
// CHECK: %[[F:.*]] = arith.divui %{{.*}}, %c3
// CHECK: %[[K:.*]] = arith.remui %{{.*}}, %c3
// CHECK: %[[X:.*]] = tensor.extract %arg0[%{{.*}}, %[[F]]]
// CHECK: %[[T:.*]] = tensor.extract %[[THR]][%[[F]], %[[K]]]
// CHECK: arith.cmpf ogt, %[[X]], %[[T]] : f32
func.func @thermometer(%x: tensor<?x2xf32>) -> tensor<?x6xi1> {
  %0 = quweit.thermometer %x thresholds(dense<[[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]]> : tensor<2x3xf32>) : tensor<?x2xf32> -> tensor<?x6xi1>
  return %0 : tensor<?x6xi1>
}

// -----

// The address is built least significant slot first; tables are read as bytes.
// CHECK-LABEL: func.func @lut_layer
// CHECK: %[[TAB:.*]] = arith.constant dense<{{\[\[}}0, 0, 0, 1]]> : tensor<1x4xi8>
// CHECK: linalg.generic
// CHECK: arith.shli %{{.*}}, %c0
// CHECK: arith.shli %{{.*}}, %c1
// CHECK: %[[B:.*]] = tensor.extract %[[TAB]]
// CHECK: arith.cmpi ne, %[[B]], %c0_i8
func.func @lut_layer(%x: tensor<?x3xi1>) -> tensor<?x1xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[2, 0]]> : tensor<1x2xi32>) tables(dense<[[false, false, false, true]]> : tensor<1x4xi1>) : tensor<?x3xi1> -> tensor<?x1xi1>
  return %0 : tensor<?x1xi1>
}

// -----

// Bit-sliced LUTs become a mux tree of word logic over the packed table word.
// CHECK-LABEL: func.func @packed_batch_sliced
// CHECK: arith.constant dense<8> : tensor<1x1xi64>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x1xi64>)
// CHECK-COUNT-3: arith.xori
// CHECK-NOT: scf.for
// CHECK: linalg.yield
func.func @packed_batch_sliced(%w: tensor<?x3xi64>) -> tensor<?x1xi64> {
  %0 = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3) mapping(dense<[[0, 1]]> : tensor<1x2xi32>) tables(dense<[[false, false, false, true]]> : tensor<1x4xi1>) : tensor<?x3xi64> -> tensor<?x1xi64>
  return %0 : tensor<?x1xi64>
}

// -----

// Above fan-in 6 a loop runs over the 64-entry table words.
// CHECK-LABEL: func.func @packed_fan_in_8
// CHECK: tensor<1x4xi64>
// CHECK: linalg.generic
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c4
func.func @packed_fan_in_8(%w: tensor<?x8xi64>) -> tensor<?x1xi64> {
  %0 = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(8) mapping(dense<[[0, 1, 2, 3, 4, 5, 6, 7]]> : tensor<1x8xi32>) tables(dense<true> : tensor<1x256xi1>) : tensor<?x8xi64> -> tensor<?x1xi64>
  return %0 : tensor<?x1xi64>
}

// -----

// CHECK-LABEL: func.func @group_sum_and_scale
// CHECK: scf.for {{.*}} iter_args
// CHECK: arith.extui %{{.*}} : i1 to i32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @group_sum_and_scale(%x: tensor<?x5xi1>) -> tensor<?x2xf32> {
  %0 = quweit.group_sum %x : tensor<?x5xi1> -> tensor<?x2xi32>
  %1 = quweit.scale_counts %0 tau(2.0) scale(dense<[1.0, 2.0]> : tensor<2xf32>) bias(dense<[0.0, 1.0]> : tensor<2xf32>) : tensor<?x2xi32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @argmax
// CHECK: scf.for
// CHECK: arith.cmpf ogt
// CHECK: arith.index_cast %{{.*}} : index to i64
func.func @argmax(%x: tensor<?x4xf32>) -> tensor<?xi64> {
  %0 = quweit.argmax %x : tensor<?x4xf32> -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @packing
// CHECK: arith.ceildivui %{{.*}}, %c64
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x8xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x8xi1>)
// CHECK: arith.trunci %{{.*}} : i64 to i1
func.func @packing(%x: tensor<?x8xi1>, %n: index) -> tensor<?x8xi1> {
  %0 = quweit.pack_bits %x layout(<batch_sliced>) : tensor<?x8xi1> -> tensor<?x8xi64>
  %1 = quweit.unpack_bits %0 layout(<batch_sliced>) size(%n) : tensor<?x8xi64> -> tensor<?x8xi1>
  return %1 : tensor<?x8xi1>
}
