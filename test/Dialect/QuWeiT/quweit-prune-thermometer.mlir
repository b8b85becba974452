// RUN: quweit-opt %s --quweit-prune-thermometer -split-input-file | FileCheck %s
// RUN: quweit-opt %s --quweit-prune-thermometer=remarks=true -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Feature 0 keeps bits 0 and 2, feature 1 keeps bit 1 only (bit 2 is read
// through an ignored slot), feature 2 keeps nothing: T shrinks from 3 to 2.
// Feature 1 is padded with its kept threshold, feature 2 with its largest.
// REMARK: remark: quweit-prune-thermometer: bits-removed=3
// CHECK-LABEL: func.func @prune
// CHECK: %[[T:.*]] = quweit.thermometer %arg0 thresholds(dense<{{\[\[}}0.000000e+00, 2.000000e+00], [4.000000e+00, 4.000000e+00], [8.000000e+00, 8.000000e+00]]> : tensor<3x2xf32>) : tensor<?x3xf32> -> tensor<?x6xi1>
// CHECK: quweit.lut_layer %[[T]] mapping(dense<{{\[\[}}0, 1], [2, 0]]> : tensor<2x2xi32>) tables(dense<{{\[\[}}false, true, true, false], [false, true, false, true]]> : tensor<2x4xi1>) : tensor<?x6xi1> -> tensor<?x2xi1>
func.func @prune(%x: tensor<?x3xf32>) -> tensor<?x2xi1> {
  %t = quweit.thermometer %x thresholds(dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]> : tensor<3x3xf32>)
      : tensor<?x3xf32> -> tensor<?x9xi1>
  %a = quweit.lut_layer %t mapping(dense<[[0, 2], [4, 5]]> : tensor<2x2xi32>)
      tables(dense<[[false, true, true, false], [false, true, false, true]]> : tensor<2x4xi1>)
      : tensor<?x9xi1> -> tensor<?x2xi1>
  return %a : tensor<?x2xi1>
}
