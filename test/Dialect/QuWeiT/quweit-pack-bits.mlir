// RUN: quweit-opt %s --split-input-file --quweit-pack-bits=layout=batch-sliced --canonicalize | FileCheck %s --check-prefix=SLICED
// RUN: quweit-opt %s --split-input-file --quweit-pack-bits=layout=feature-packed --canonicalize | FileCheck %s --check-prefix=PACKED
// RUN: quweit-opt %s --split-input-file --quweit-pack-bits | FileCheck %s --check-prefix=AUTO
// RUN: not quweit-opt %s --split-input-file --quweit-pack-bits=layout=diagonal 2>&1 | FileCheck %s --check-prefix=BAD

// A chain of two layers is packed once and unpacked once.
// SLICED-LABEL: func.func @chain
// SLICED: %[[DIM:.*]] = tensor.dim %arg0, %c0
// SLICED: %[[W:.*]] = quweit.pack_bits %arg0 layout(<batch_sliced>) : tensor<?x4xi1> -> tensor<?x4xi64>
// SLICED: %[[L1:.*]] = quweit.packed_lut_layer %[[W]] layout(<batch_sliced>) num_inputs(4) {{.*}} : tensor<?x4xi64> -> tensor<?x3xi64>
// SLICED: %[[L2:.*]] = quweit.packed_lut_layer %[[L1]] layout(<batch_sliced>) num_inputs(3) {{.*}} : tensor<?x3xi64> -> tensor<?x2xi64>
// SLICED: %[[U:.*]] = quweit.unpack_bits %[[L2]] layout(<batch_sliced>) size(%[[DIM]]) : tensor<?x2xi64> -> tensor<?x2xi1>
// SLICED: quweit.group_sum %[[U]]
// SLICED-NOT: quweit.unpack_bits
// PACKED-LABEL: func.func @chain
// PACKED: quweit.pack_bits %arg0 layout(<feature_packed>) : tensor<?x4xi1> -> tensor<?x1xi64>
// PACKED: quweit.packed_lut_layer %{{.*}} layout(<feature_packed>) num_inputs(4) {{.*}} : tensor<?x1xi64> -> tensor<?x1xi64>
// PACKED: quweit.packed_lut_layer %{{.*}} layout(<feature_packed>) num_inputs(3) {{.*}} : tensor<?x1xi64> -> tensor<?x1xi64>
// PACKED: quweit.unpack_bits %{{.*}} layout(<feature_packed>) : tensor<?x1xi64> -> tensor<?x2xi1>
// A dynamic batch picks the bit-sliced layout.
// AUTO-LABEL: func.func @chain
// AUTO: layout(<batch_sliced>)
// BAD: unknown layout 'diagonal' (use batch-sliced, feature-packed or auto)
func.func @chain(%x: tensor<?x4xi1>) -> tensor<?x1xi32> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2], [2, 3]]> : tensor<3x2xi32>)
      tables(dense<[[false, true, true, false], [false, false, false, true], [true, false, false, true]]> : tensor<3x4xi1>) : tensor<?x4xi1> -> tensor<?x3xi1>
  %1 = quweit.lut_layer %0 mapping(dense<[[0, 1], [1, 2]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [false, true, true, true]]> : tensor<2x4xi1>) : tensor<?x3xi1> -> tensor<?x2xi1>
  %2 = quweit.group_sum %1 : tensor<?x2xi1> -> tensor<?x1xi32>
  return %2 : tensor<?x1xi32>
}

// -----

// A small static batch picks the feature-packed layout.
// SLICED-LABEL: func.func @small_batch
// AUTO-LABEL: func.func @small_batch
// AUTO: quweit.pack_bits %arg0 layout(<feature_packed>) : tensor<2x4xi1> -> tensor<2x1xi64>
func.func @small_batch(%x: tensor<2x4xi1>) -> tensor<2x1xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1]]> : tensor<1x2xi32>) tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>) : tensor<2x4xi1> -> tensor<2x1xi1>
  return %0 : tensor<2x1xi1>
}
