// RUN: quweit-opt %s | FileCheck %s
// Round trip through the generic form:
// RUN: quweit-opt %s --mlir-print-op-generic | quweit-opt | FileCheck %s
// Round trip through bytecode:
// RUN: quweit-opt %s --emit-bytecode | quweit-opt | FileCheck %s
// The custom form reparses to the same text:
// RUN: quweit-opt %s | quweit-opt | FileCheck %s

// CHECK-LABEL: func.func @thermometer
// CHECK: quweit.thermometer %{{.*}} thresholds(dense<{{\[\[}}0.000000e+00, 5.000000e-01], [-1.000000e+00, -1.000000e+00]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
func.func @thermometer(%x: tensor<?x2xf32>) -> tensor<?x4xi1> {
  %0 = quweit.thermometer %x thresholds(dense<[[0.0, 0.5], [-1.0, -1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
  return %0 : tensor<?x4xi1>
}

// CHECK-LABEL: func.func @lut_layer
// CHECK: quweit.lut_layer %{{.*}} mapping(dense<{{\[\[}}0, 1], [1, 1]]> : tensor<2x2xi32>) tables(dense<{{\[\[}}false, false, false, true], [false, true, true, false]]> : tensor<2x4xi1>) : tensor<8x2xi1> -> tensor<8x2xi1>
// CHECK: quweit.lut_layer %{{.*}} mapping(dense<0> : tensor<1x1xi64>) tables(dense<{{\[\[}}true, false]]> : tensor<1x2xi1>)
func.func @lut_layer(%x: tensor<8x2xi1>) -> (tensor<8x2xi1>, tensor<8x1xi1>) {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 1]]> : tensor<2x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, false]]> : tensor<2x4xi1>)
      : tensor<8x2xi1> -> tensor<8x2xi1>
  %1 = quweit.lut_layer %x mapping(dense<0> : tensor<1x1xi64>) tables(dense<[[true, false]]> : tensor<1x2xi1>)
      : tensor<8x2xi1> -> tensor<8x1xi1>
  return %0, %1 : tensor<8x2xi1>, tensor<8x1xi1>
}

// CHECK-LABEL: func.func @lut_layer_resources
// CHECK: quweit.lut_layer %{{.*}} mapping(dense_resource<map> : tensor<2x2xi32>) tables(dense_resource<tab> : tensor<2x4xi1>)
func.func @lut_layer_resources(%x: tensor<?x3xi1>) -> tensor<?x2xi1> {
  %0 = quweit.lut_layer %x mapping(dense_resource<map> : tensor<2x2xi32>)
      tables(dense_resource<tab> : tensor<2x4xi1>) : tensor<?x3xi1> -> tensor<?x2xi1>
  return %0 : tensor<?x2xi1>
}

// CHECK-LABEL: func.func @group_sum
// CHECK: quweit.group_sum %{{.*}} : tensor<?x7xi1> -> tensor<?x3xi8>
// CHECK: quweit.group_sum %{{.*}} group_index(dense<[0, 1, 0, 1, 1, 0, 0]> : tensor<7xi32>) : tensor<?x7xi1> -> tensor<?x2xi32>
func.func @group_sum(%x: tensor<?x7xi1>) -> (tensor<?x3xi8>, tensor<?x2xi32>) {
  %0 = quweit.group_sum %x : tensor<?x7xi1> -> tensor<?x3xi8>
  %1 = quweit.group_sum %x group_index(dense<[0, 1, 0, 1, 1, 0, 0]> : tensor<7xi32>) : tensor<?x7xi1> -> tensor<?x2xi32>
  return %0, %1 : tensor<?x3xi8>, tensor<?x2xi32>
}

// CHECK-LABEL: func.func @scale_counts
// CHECK: quweit.scale_counts %{{.*}} tau(3.33333325) : tensor<?x2xi32> -> tensor<?x2xf32>
// CHECK: quweit.scale_counts %{{.*}} tau(2.000000e+00) scale(dense<[1.000000e+00, 5.000000e-01]> : tensor<2xf32>) bias(dense<[0.000000e+00, -1.000000e+00]> : tensor<2xf32>)
func.func @scale_counts(%s: tensor<?x2xi32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %0 = quweit.scale_counts %s tau(3.33333325) : tensor<?x2xi32> -> tensor<?x2xf32>
  %1 = quweit.scale_counts %s tau(2.0) scale(dense<[1.0, 0.5]> : tensor<2xf32>) bias(dense<[0.0, -1.0]> : tensor<2xf32>) : tensor<?x2xi32> -> tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @argmax
// CHECK: quweit.argmax %{{.*}} : tensor<?x10xi32> -> tensor<?xi64>
// CHECK: quweit.argmax %{{.*}} : tensor<4x10xf32> -> tensor<4xi32>
func.func @argmax(%s: tensor<?x10xi32>, %f: tensor<4x10xf32>) -> (tensor<?xi64>, tensor<4xi32>) {
  %0 = quweit.argmax %s : tensor<?x10xi32> -> tensor<?xi64>
  %1 = quweit.argmax %f : tensor<4x10xf32> -> tensor<4xi32>
  return %0, %1 : tensor<?xi64>, tensor<4xi32>
}

// CHECK-LABEL: func.func @packing
// CHECK: quweit.pack_bits %{{.*}} layout(<batch_sliced>) : tensor<100x8xi1> -> tensor<2x8xi64>
// CHECK: quweit.unpack_bits %{{.*}} layout(<batch_sliced>) : tensor<2x8xi64> -> tensor<100x8xi1>
// CHECK: quweit.pack_bits %{{.*}} layout(<feature_packed>) : tensor<?x70xi1> -> tensor<?x3xi32>
// CHECK: quweit.unpack_bits %{{.*}} layout(<batch_sliced>) size(%{{.*}}) : tensor<?x70xi64> -> tensor<?x70xi1>
func.func @packing(%x: tensor<100x8xi1>, %y: tensor<?x70xi1>, %w: tensor<?x70xi64>, %n: index)
    -> (tensor<100x8xi1>, tensor<?x3xi32>, tensor<?x70xi1>) {
  %0 = quweit.pack_bits %x layout(<batch_sliced>) : tensor<100x8xi1> -> tensor<2x8xi64>
  %1 = quweit.unpack_bits %0 layout(<batch_sliced>) : tensor<2x8xi64> -> tensor<100x8xi1>
  %2 = quweit.pack_bits %y layout(<feature_packed>) : tensor<?x70xi1> -> tensor<?x3xi32>
  %3 = quweit.unpack_bits %w layout(<batch_sliced>) size(%n) : tensor<?x70xi64> -> tensor<?x70xi1>
  return %1, %2, %3 : tensor<100x8xi1>, tensor<?x3xi32>, tensor<?x70xi1>
}

// CHECK-LABEL: func.func @packed_lut_layer
// CHECK: quweit.packed_lut_layer %{{.*}} layout(<batch_sliced>) num_inputs(3) mapping(dense<{{\[\[}}0, 2]]> : tensor<1x2xi32>) tables(dense<{{\[\[}}false, true, true, false]]> : tensor<1x4xi1>) : tensor<?x3xi64> -> tensor<?x1xi64>
// CHECK: quweit.packed_lut_layer %{{.*}} layout(<feature_packed>) num_inputs(70) {{.*}} : tensor<?x2xi64> -> tensor<?x1xi64>
func.func @packed_lut_layer(%w: tensor<?x3xi64>, %v: tensor<?x2xi64>) -> (tensor<?x1xi64>, tensor<?x1xi64>) {
  %0 = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3) mapping(dense<[[0, 2]]> : tensor<1x2xi32>)
      tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>) : tensor<?x3xi64> -> tensor<?x1xi64>
  %1 = quweit.packed_lut_layer %v layout(<feature_packed>) num_inputs(70) mapping(dense<[[69, 0]]> : tensor<1x2xi32>)
      tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>) : tensor<?x2xi64> -> tensor<?x1xi64>
  return %0, %1 : tensor<?x1xi64>, tensor<?x1xi64>
}

// CHECK-LABEL: func.func @lut_ffn
// CHECK: quweit.lut_ffn %{{.*}} : tensor<?x2xf32> -> tensor<?x2xf32> {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<?x2xf32>):
// CHECK-NEXT: quweit.thermometer %[[IN]]
// CHECK-NEXT: quweit.lut_layer
// CHECK-NEXT: quweit.lut_layer
// CHECK-NEXT: quweit.group_sum
// CHECK-NEXT: quweit.scale_counts
// CHECK-NEXT: quweit.yield %{{.*}} : tensor<?x2xf32>
func.func @lut_ffn(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 1]]> : tensor<3x2xi32>)
        tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>)
        : tensor<?x4xi1> -> tensor<?x3xi1>
    %m = quweit.lut_layer %l mapping(dense<[[0], [1], [2], [0]]> : tensor<4x1xi32>)
        tables(dense<[[false, true], [true, false], [false, true], [true, false]]> : tensor<4x2xi1>)
        : tensor<?x3xi1> -> tensor<?x4xi1>
    %s = quweit.group_sum %m : tensor<?x4xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  return %y : tensor<?x2xf32>
}

// CHECK-LABEL: func.func @transformer_block
// CHECK: quweit.transformer_block "block0"(%{{.*}}, %{{.*}}) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> {
// CHECK: linalg.matmul
// CHECK: quweit.yield %{{.*}} : tensor<4x2xf32>
func.func @transformer_block(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) -> tensor<4x2xf32> {
  %y = quweit.transformer_block "block0" (%x, %w) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x2xf32>, %weight: tensor<2x2xf32>):
    %zero = arith.constant dense<0.0> : tensor<4x2xf32>
    %mm = linalg.matmul ins(%in, %weight : tensor<4x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<4x2xf32>) -> tensor<4x2xf32>
    %h = arith.addf %in, %mm : tensor<4x2xf32>
    quweit.yield %h : tensor<4x2xf32>
  }
  return %y : tensor<4x2xf32>
}

// CHECK-LABEL: func.func @permute_bytes
// CHECK: quweit.permute_bytes %arg0[%arg1] : vector<128xi8>, vector<64xi8>
func.func @permute_bytes(%table: vector<128xi8>, %index: vector<64xi8>) -> vector<64xi8> {
  %0 = quweit.permute_bytes %table[%index] : vector<128xi8>, vector<64xi8>
  return %0 : vector<64xi8>
}

{-#
  dialect_resources: {
    builtin: {
      map: "0x0400000000000000010000000100000002000000",
      tab: "0x010000000000000101000100"
    }
  }
#-}
