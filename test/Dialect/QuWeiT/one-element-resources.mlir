// RUN: quweit-opt %s --split-input-file --verify-diagnostics | FileCheck %s
// One-element dense_resource constants report isSplat(), but getSplatValue
// on them reached llvm_unreachable in the verifiers (found by fuzz-evaluate).
// They are read like any other blob now.

// CHECK-LABEL: func.func @main
// CHECK: quweit.lut_layer
func.func @main(%x: tensor<?x1xf32>) -> tensor<?x1xi32> {
  %b = quweit.thermometer %x thresholds(dense_resource<th> : tensor<1x1xf32>) : tensor<?x1xf32> -> tensor<?x1xi1>
  %l = quweit.lut_layer %b mapping(dense_resource<map> : tensor<1x1xi32>) tables(dense_resource<tab> : tensor<1x2xi1>) : tensor<?x1xi1> -> tensor<?x1xi1>
  %c = quweit.group_sum %l : tensor<?x1xi1> -> tensor<?x1xi32>
  return %c : tensor<?x1xi32>
}
{-#
  dialect_resources: {
    builtin: {
      th: "0x040000000000003F",
      map: "0x0400000000000000",
      tab: "0x010000000001"
    }
  }
#-}

// -----

func.func @out_of_range(%x: tensor<?x1xi1>) -> tensor<?x1xi1> {
  // expected-error @+1 {{'mapping' value 3 at [0, 0] is out of range [0, 1)}}
  %l = quweit.lut_layer %x mapping(dense_resource<map3> : tensor<1x1xi32>) tables(dense<false> : tensor<1x2xi1>) : tensor<?x1xi1> -> tensor<?x1xi1>
  return %l : tensor<?x1xi1>
}
{-#
  dialect_resources: {
    builtin: {
      map3: "0x0400000003000000"
    }
  }
#-}

// -----

func.func @nan_threshold(%x: tensor<?x1xf32>) -> tensor<?x1xi1> {
  // expected-error @+1 {{threshold [0, 0] is not finite (nan)}}
  %b = quweit.thermometer %x thresholds(dense_resource<thnan> : tensor<1x1xf32>) : tensor<?x1xf32> -> tensor<?x1xi1>
  return %b : tensor<?x1xi1>
}
{-#
  dialect_resources: {
    builtin: {
      thnan: "0x040000000000C07F"
    }
  }
#-}
