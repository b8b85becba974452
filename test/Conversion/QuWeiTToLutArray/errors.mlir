// RUN: not quweit-opt %s --convert-quweit-to-lutarray=decompose=false 2>&1 | FileCheck %s
// CHECK: fan-in 7 exceeds 6-input LUT cells and decomposition is off (decompose=false)
func.func @wide(%x: tensor<?x7xi1>) -> tensor<?x1xi32> {
  %l = quweit.lut_layer %x mapping(dense<[[0, 1, 2, 3, 4, 5, 6]]> : tensor<1x7xi32>)
      tables(dense<true> : tensor<1x128xi1>) : tensor<?x7xi1> -> tensor<?x1xi1>
  %s = quweit.group_sum %l : tensor<?x1xi1> -> tensor<?x1xi32>
  return %s : tensor<?x1xi32>
}
