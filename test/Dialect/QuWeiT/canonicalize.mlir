// RUN: quweit-opt %s --canonicalize --split-input-file | FileCheck %s

// A table that ignores slot 0 (entries equal in pairs) drops that input: the
// used slot moves to position 0 and the fan-in shrinks to 1.
// CHECK-LABEL: func.func @drop_ignored_input
// CHECK: quweit.lut_layer %{{.*}} mapping(dense<3> : tensor<1x1xi32>) tables(dense<{{\[\[}}false, true]]> : tensor<1x2xi1>) : tensor<?x4xi1> -> tensor<?x1xi1>
func.func @drop_ignored_input(%x: tensor<?x4xi1>) -> tensor<?x1xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[1, 3]]> : tensor<1x2xi32>)
      tables(dense<[[false, false, true, true]]> : tensor<1x4xi1>) : tensor<?x4xi1> -> tensor<?x1xi1>
  return %0 : tensor<?x1xi1>
}

// -----

// Only one of two LUTs ignores a slot: the fan-in stays 2, the ignored slot
// moves to the top and points at input 0.
// CHECK-LABEL: func.func @canonical_ignored_slot
// CHECK: mapping(dense<{{\[\[}}3, 0], [1, 2]]> : tensor<2x2xi32>)
// CHECK-SAME: tables(dense<{{\[\[}}false, true, false, true], [false, false, false, true]]> : tensor<2x4xi1>)
func.func @canonical_ignored_slot(%x: tensor<?x4xi1>) -> tensor<?x2xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[1, 3], [1, 2]]> : tensor<2x2xi32>)
      tables(dense<[[false, false, true, true], [false, false, false, true]]> : tensor<2x4xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return %0 : tensor<?x2xi1>
}

// -----

// A constant LUT is substituted into the layer that reads it; that layer's
// table then ignores the slot, and the constant LUT, now unread, is deleted.
// CHECK-LABEL: func.func @propagate_constant_lut
// CHECK: %[[A:.*]] = quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0, 1]]> : tensor<1x2xi32>) tables(dense<{{\[\[}}false, true, true, false]]> : tensor<1x4xi1>) : tensor<?x3xi1> -> tensor<?x1xi1>
// CHECK: %[[B:.*]] = quweit.lut_layer %[[A]] mapping(dense<0> : tensor<1x1xi32>) tables(dense<{{\[\[}}true, false]]> : tensor<1x2xi1>) : tensor<?x1xi1> -> tensor<?x1xi1>
// CHECK: return %[[B]]
func.func @propagate_constant_lut(%x: tensor<?x3xi1>) -> tensor<?x1xi1> {
  // LUT 0 is XOR(x0, x1); LUT 1 is constant 1.
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [2, 2]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [true, true, true, true]]> : tensor<2x4xi1>) : tensor<?x3xi1> -> tensor<?x2xi1>
  // NAND(LUT0, LUT1) = NOT LUT0 because LUT1 = 1.
  %1 = quweit.lut_layer %0 mapping(dense<[[0, 1]]> : tensor<1x2xi32>)
      tables(dense<[[true, true, true, false]]> : tensor<1x4xi1>) : tensor<?x2xi1> -> tensor<?x1xi1>
  return %1 : tensor<?x1xi1>
}

// -----

// Two identical LUTs (same inputs, same table) read by a LUT layer merge.
// CHECK-LABEL: func.func @merge_identical
// CHECK: %[[A:.*]] = quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0, 1], [1, 2]]> : tensor<2x2xi32>) {{.*}} -> tensor<?x2xi1>
// CHECK: quweit.lut_layer %[[A]] mapping(dense<{{\[\[}}0, 1], [1, 0]]> : tensor<2x2xi32>)
func.func @merge_identical(%x: tensor<?x3xi1>) -> tensor<?x2xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2], [0, 1]]> : tensor<3x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, true], [false, false, false, true]]> : tensor<3x4xi1>)
      : tensor<?x3xi1> -> tensor<?x3xi1>
  %1 = quweit.lut_layer %0 mapping(dense<[[2, 1], [1, 0]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [false, false, false, true]]> : tensor<2x4xi1>) : tensor<?x3xi1> -> tensor<?x2xi1>
  return %1 : tensor<?x2xi1>
}

// -----

// Identical LUTs feeding a group sum must stay: each one counts.
// CHECK-LABEL: func.func @no_merge_into_group_sum
// CHECK: quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0, 1], [0, 1]]> : tensor<2x2xi32>)
func.func @no_merge_into_group_sum(%x: tensor<?x3xi1>) -> tensor<?x1xi32> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [0, 1]]> : tensor<2x2xi32>)
      tables(dense<[[false, false, false, true], [false, false, false, true]]> : tensor<2x4xi1>) : tensor<?x3xi1> -> tensor<?x2xi1>
  %1 = quweit.group_sum %0 : tensor<?x2xi1> -> tensor<?x1xi32>
  return %1 : tensor<?x1xi32>
}

// -----

// LUTs that no LUT reads are deleted and the reader's mapping renumbered.
// CHECK-LABEL: func.func @delete_unread
// CHECK: %[[A:.*]] = quweit.lut_layer %arg0 mapping(dense<{{\[\[}}2, 0]]> : tensor<1x2xi32>) {{.*}} -> tensor<?x1xi1>
// CHECK: quweit.lut_layer %[[A]] mapping(dense<0> : tensor<1x1xi32>)
func.func @delete_unread(%x: tensor<?x3xi1>) -> tensor<?x1xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [2, 0], [1, 2]]> : tensor<3x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, false], [true, false, false, false]]> : tensor<3x4xi1>)
      : tensor<?x3xi1> -> tensor<?x3xi1>
  %1 = quweit.lut_layer %0 mapping(dense<[[1]]> : tensor<1x1xi32>) tables(dense<[[true, false]]> : tensor<1x2xi1>)
      : tensor<?x3xi1> -> tensor<?x1xi1>
  return %1 : tensor<?x1xi1>
}

// -----

// With a static batch, a layer of constant tables folds to a constant.
// CHECK-LABEL: func.func @fold_constant_tables
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}true, false], [true, false]]> : tensor<2x2xi1>
// CHECK-NEXT: return %[[C]]
func.func @fold_constant_tables(%x: tensor<2x3xi1>) -> tensor<2x2xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 2]]> : tensor<2x2xi32>)
      tables(dense<[[true, true, true, true], [false, false, false, false]]> : tensor<2x4xi1>) : tensor<2x3xi1> -> tensor<2x2xi1>
  return %0 : tensor<2x2xi1>
}

// -----

// A layer over a constant input folds to its value.
// CHECK-LABEL: func.func @fold_constant_input
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}true], [false]]> : tensor<2x1xi1>
// CHECK-NEXT: return %[[C]]
func.func @fold_constant_input() -> tensor<2x1xi1> {
  %x = arith.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  // XOR
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1]]> : tensor<1x2xi32>)
      tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>) : tensor<2x2xi1> -> tensor<2x1xi1>
  return %0 : tensor<2x1xi1>
}

// -----

// Canonicalization reaches inside quweit.lut_ffn and keeps its shape legal.
// CHECK-LABEL: func.func @inside_ffn
// CHECK: quweit.lut_ffn
// CHECK: quweit.thermometer
// CHECK-NEXT: quweit.lut_layer %{{.*}} mapping(dense<0> : tensor<1x1xi32>) {{.*}} -> tensor<?x1xi1>
// CHECK-NEXT: quweit.lut_layer %{{.*}} mapping(dense<0> : tensor<1x1xi32>) tables(dense<{{\[\[}}false, true]]> : tensor<1x2xi1>)
// CHECK-NEXT: quweit.group_sum
func.func @inside_ffn(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %y = quweit.lut_ffn %x : tensor<?x1xf32> -> tensor<?x1xf32> {
  ^bb0(%in: tensor<?x1xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0]]> : tensor<1x2xf32>) : tensor<?x1xf32> -> tensor<?x2xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0, 1], [1, 0]]> : tensor<2x2xi32>)
        tables(dense<[[false, true, false, true], [false, false, false, false]]> : tensor<2x4xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
    %m = quweit.lut_layer %l mapping(dense<[[0, 1]]> : tensor<1x2xi32>)
        tables(dense<[[false, true, true, true]]> : tensor<1x4xi1>) : tensor<?x2xi1> -> tensor<?x1xi1>
    %s = quweit.group_sum %m : tensor<?x1xi1> -> tensor<?x1xi32>
    %r = quweit.scale_counts %s tau(1.0) : tensor<?x1xi32> -> tensor<?x1xf32>
    quweit.yield %r : tensor<?x1xf32>
  }
  return %y : tensor<?x1xf32>
}

// -----

// A layer that copies its input folds away.
// CHECK-LABEL: func.func @identity_layer
// CHECK-NEXT: return %arg0
func.func @identity_layer(%x: tensor<?x2xi1>) -> tensor<?x2xi1> {
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1], [1, 0]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, false, true], [false, true, false, true]]> : tensor<2x4xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
  return %0 : tensor<?x2xi1>
}

// -----

// Inside a lut_ffn the only LUT layer stays even when it is an identity, so
// that the composite remains thermometer -> lut_layer+ -> group_sum.
// CHECK-LABEL: func.func @identity_inside_ffn
// CHECK: quweit.thermometer
// CHECK-NEXT: quweit.lut_layer
// CHECK-NEXT: quweit.group_sum
func.func @identity_inside_ffn(%x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  %y = quweit.lut_ffn %x : tensor<4x1xf32> -> tensor<4x1xf32> {
  ^bb0(%in: tensor<4x1xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0]]> : tensor<1x2xf32>) : tensor<4x1xf32> -> tensor<4x2xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0], [1]]> : tensor<2x1xi32>)
        tables(dense<[[false, true], [false, true]]> : tensor<2x2xi1>) : tensor<4x2xi1> -> tensor<4x2xi1>
    %s = quweit.group_sum %l : tensor<4x2xi1> -> tensor<4x1xi32>
    %r = quweit.scale_counts %s tau(1.0) : tensor<4x1xi32> -> tensor<4x1xf32>
    quweit.yield %r : tensor<4x1xf32>
  }
  return %y : tensor<4x1xf32>
}
