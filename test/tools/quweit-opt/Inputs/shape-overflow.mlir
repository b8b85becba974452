// The argument describes 2^124 bits: any size computed from it overflows.
func.func @main(%x: tensor<4611686018427387904x4611686018427387904xi1>) -> tensor<4611686018427387904x2xi1> {
  %0 = quweit.lut_layer %x mapping(dense<0> : tensor<2x2xi32>) tables(dense<true> : tensor<2x4xi1>) : tensor<4611686018427387904x4611686018427387904xi1> -> tensor<4611686018427387904x2xi1>
  return %0 : tensor<4611686018427387904x2xi1>
}
