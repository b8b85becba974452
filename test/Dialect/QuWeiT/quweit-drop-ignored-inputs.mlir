// RUN: quweit-opt %s --quweit-drop-ignored-inputs -split-input-file | FileCheck %s
// RUN: quweit-opt %s --quweit-drop-ignored-inputs=remarks=true -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Both LUTs ignore their slot 1 (the tables repeat with period 2 in it):
// the fan-in shrinks from 3 to 2.
// REMARK: remark: quweit-drop-ignored-inputs: ignored-slots=2, slots-removed=2, table-bits-removed=8
// CHECK-LABEL: func.func @shrink
// CHECK: quweit.lut_layer %arg0 mapping(dense<{{\[\[}}0, 2], [3, 1]]> : tensor<2x2xi32>) tables(dense<{{\[\[}}false, true, true, true], [true, false, false, false]]> : tensor<2x4xi1>)
func.func @shrink(%x: tensor<?x4xi1>) -> tensor<?x2xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[0, 1, 2], [3, 2, 1]]> : tensor<2x3xi32>)
      tables(dense<[[false, true, false, true, true, true, true, true],
                    [true, false, true, false, false, false, false, false]]> : tensor<2x8xi1>)
      : tensor<?x4xi1> -> tensor<?x2xi1>
  return %a : tensor<?x2xi1>
}

// -----

// Only LUT 0 ignores slot 0: the slot moves to the top and reads input 0; the
// fan-in stays (LUT 1 needs both).
// REMARK: remark: quweit-drop-ignored-inputs: ignored-slots=1, slots-removed=0, table-bits-removed=0
// CHECK-LABEL: func.func @one_lut
// CHECK: quweit.lut_layer %arg0 mapping(dense<{{\[\[}}2, 0], [1, 2]]> : tensor<2x2xi32>) tables(dense<{{\[\[}}false, true, false, true], [false, true, true, false]]> : tensor<2x4xi1>)
func.func @one_lut(%x: tensor<?x4xi1>) -> tensor<?x2xi1> {
  %a = quweit.lut_layer %x mapping(dense<[[3, 2], [1, 2]]> : tensor<2x2xi32>)
      tables(dense<[[false, false, true, true], [false, true, true, false]]> : tensor<2x4xi1>)
      : tensor<?x4xi1> -> tensor<?x2xi1>
  return %a : tensor<?x2xi1>
}
