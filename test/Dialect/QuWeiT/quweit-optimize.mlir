// RUN: quweit-opt %s --quweit-optimize | FileCheck %s
// RUN: quweit-opt %s --quweit-optimize=remarks=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Inside a lut_ffn: LUT 1 of the first layer is constant 0 and LUT 2 copies
// LUT 0. After folding the constant into its reader, merging the copy and
// deleting what nothing reads, the first layer keeps one LUT of fan-in 1,
// the second layer (under the group sum) keeps its two LUTs, and only the
// thermometer bit the remaining LUT reads is left of each feature.
// REMARK: remark: quweit-optimize: luts=5, luts-removed=2, slots-removed=6, table-bits-removed=12, thermometer-bits-removed=2
// CHECK-LABEL: func.func @ffn
// CHECK: quweit.lut_ffn
// CHECK: %[[T:.*]] = quweit.thermometer %{{.*}} thresholds(dense<{{\[\[}}5.000000e-01], [0.000000e+00]]> : tensor<2x1xf32>) : tensor<4x2xf32> -> tensor<4x2xi1>
// CHECK: %[[A:.*]] = quweit.lut_layer %[[T]] mapping(dense<{{\[\[}}0, 1]]> : tensor<1x2xi32>) tables(dense<{{\[\[}}false, true, true, false]]> : tensor<1x4xi1>) : tensor<4x2xi1> -> tensor<4x1xi1>
// CHECK: %[[B:.*]] = quweit.lut_layer %[[A]] mapping(dense<0> : tensor<2x1xi32>) tables(dense<{{\[\[}}false, true], [true, false]]> : tensor<2x2xi1>) : tensor<4x1xi1> -> tensor<4x2xi1>
// CHECK: quweit.group_sum %[[B]] : tensor<4x2xi1> -> tensor<4x2xi32>
func.func @ffn(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %y = quweit.lut_ffn %x : tensor<4x2xf32> -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.5, 1.0], [0.0, 2.0]]> : tensor<2x2xf32>) : tensor<4x2xf32> -> tensor<4x4xi1>
    %a = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 2]]> : tensor<3x2xi32>)
        tables(dense<[[false, true, true, false], [false, false, false, false], [false, true, true, false]]> : tensor<3x4xi1>)
        : tensor<4x4xi1> -> tensor<4x3xi1>
    %b = quweit.lut_layer %a mapping(dense<[[0, 1], [2, 1]]> : tensor<2x2xi32>)
        tables(dense<[[false, true, false, true], [true, false, true, false]]> : tensor<2x4xi1>)
        : tensor<4x3xi1> -> tensor<4x2xi1>
    %s = quweit.group_sum %b : tensor<4x2xi1> -> tensor<4x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<4x2xi32> -> tensor<4x2xf32>
    quweit.yield %r : tensor<4x2xf32>
  }
  return %y : tensor<4x2xf32>
}
