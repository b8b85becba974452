// No elements, but the strides of the other dimensions overflow.
func.func @main(%x: tensor<0x4611686018427387904x4611686018427387904xi1>) -> tensor<0x4611686018427387904x4611686018427387904xi1> {
  return %x : tensor<0x4611686018427387904x4611686018427387904xi1>
}
