// RUN: quweit-opt %s --split-input-file --quweit-pack-bits=layout=batch-sliced --canonicalize | FileCheck %s --check-prefix=SLICED
// RUN: quweit-opt %s --split-input-file --quweit-pack-bits=layout=feature-packed --canonicalize | FileCheck %s --check-prefix=PACKED
// RUN: quweit-opt %s --split-input-file --quweit-pack-bits | FileCheck %s --check-prefix=AUTO
// RUN: not quweit-opt %s --split-input-file --quweit-pack-bits=layout=diagonal 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: quweit-opt %s --split-input-file --quweit-pack-bits=runtime-dispatch=1 | FileCheck %s --check-prefix=DISPATCH
// RUN: quweit-opt %s --split-input-file --quweit-pack-bits="runtime-dispatch=1 feature-packed-rows=2" | FileCheck %s --check-prefix=ROWS
// RUN: not quweit-opt %s --split-input-file --quweit-pack-bits=feature-packed-rows=-1 2>&1 | FileCheck %s --check-prefix=NEGATIVE

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
// NEGATIVE: feature-packed-rows must not be negative, got -1
// With run-time dispatch, the chain and its group sum move into both branches
// of an scf.if on the batch size.
// DISPATCH-LABEL: func.func @chain
// DISPATCH: %[[N:.*]] = tensor.dim %arg0, %c0 : tensor<?x4xi1>
// DISPATCH: %[[SMALL:.*]] = arith.cmpi ult, %[[N]], %c64 : index
// DISPATCH: %[[R:.*]] = scf.if %[[SMALL]] -> (tensor<?x1xi32>) {
// DISPATCH:   quweit.pack_bits %arg0 layout(<feature_packed>)
// DISPATCH:   quweit.packed_lut_layer {{.*}} layout(<feature_packed>) num_inputs(4)
// DISPATCH:   quweit.packed_lut_layer {{.*}} layout(<feature_packed>) num_inputs(3)
// DISPATCH:   %[[S1:.*]] = quweit.group_sum
// DISPATCH:   scf.yield %[[S1]] : tensor<?x1xi32>
// DISPATCH: } else {
// DISPATCH:   quweit.pack_bits %arg0 layout(<batch_sliced>)
// DISPATCH:   quweit.packed_lut_layer {{.*}} layout(<batch_sliced>) num_inputs(4)
// DISPATCH:   quweit.packed_lut_layer {{.*}} layout(<batch_sliced>) num_inputs(3)
// DISPATCH:   %[[S2:.*]] = quweit.group_sum
// DISPATCH:   scf.yield %[[S2]] : tensor<?x1xi32>
// DISPATCH: }
// DISPATCH: return %[[R]]
// ROWS-LABEL: func.func @chain
// ROWS: arith.cmpi ult, %{{.*}}, %c2 : index
func.func @chain(%x: tensor<?x4xi1>) -> tensor<?x1xi32> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2], [2, 3]]> : tensor<3x2xi32>)
      tables(dense<[[false, true, true, false], [false, false, false, true], [true, false, false, true]]> : tensor<3x4xi1>) : tensor<?x4xi1> -> tensor<?x3xi1>
  %1 = quweit.lut_layer %0 mapping(dense<[[0, 1], [1, 2]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [false, true, true, true]]> : tensor<2x4xi1>) : tensor<?x3xi1> -> tensor<?x2xi1>
  %2 = quweit.group_sum %1 : tensor<?x2xi1> -> tensor<?x1xi32>
  return %2 : tensor<?x1xi32>
}

// -----

// A small static batch picks the feature-packed layout, with or without
// dispatch (static batches are decided at compile time).
// DISPATCH-LABEL: func.func @small_batch
// DISPATCH-NOT: scf.if
// DISPATCH: layout(<feature_packed>)
// ROWS-LABEL: func.func @small_batch
// ROWS: layout(<batch_sliced>)
// SLICED-LABEL: func.func @small_batch
// AUTO-LABEL: func.func @small_batch
// AUTO: quweit.pack_bits %arg0 layout(<feature_packed>) : tensor<2x4xi1> -> tensor<2x1xi64>
func.func @small_batch(%x: tensor<2x4xi1>) -> tensor<2x1xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1]]> : tensor<1x2xi32>) tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>) : tensor<2x4xi1> -> tensor<2x1xi1>
  return %0 : tensor<2x1xi1>
}

// -----

// A layer whose output has two readers ends its chain: each chain (and the
// thermometer that only the first reads) gets its own dispatch, and the
// shared value crosses between them unpacked.
// DISPATCH-LABEL: func.func @fork
// DISPATCH: scf.if
// DISPATCH:   quweit.thermometer
// DISPATCH:   layout(<feature_packed>)
// DISPATCH: scf.if
// DISPATCH-NOT: quweit.thermometer
// DISPATCH:   layout(<feature_packed>)
// DISPATCH: scf.if
// DISPATCH:   layout(<feature_packed>)
// DISPATCH: return
func.func @fork(%x: tensor<?x2xf32>) -> (tensor<?x1xi1>, tensor<?x1xi1>) {
  %t = quweit.thermometer %x thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
  %0 = quweit.lut_layer %t mapping(dense<[[0, 1], [2, 3]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [false, false, false, true]]> : tensor<2x4xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  %1 = quweit.lut_layer %0 mapping(dense<[[0, 1]]> : tensor<1x2xi32>)
      tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>) : tensor<?x2xi1> -> tensor<?x1xi1>
  %2 = quweit.lut_layer %0 mapping(dense<[[1, 0]]> : tensor<1x2xi32>)
      tables(dense<[[true, true, true, false]]> : tensor<1x4xi1>) : tensor<?x2xi1> -> tensor<?x1xi1>
  return %1, %2 : tensor<?x1xi1>, tensor<?x1xi1>
}
