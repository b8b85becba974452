// Per-class scale: argmax of the scores is not argmax of the counts.
func.func @main(%x: tensor<?x2xi1>) -> tensor<?x2xf32> {
  %l = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<[[false, true], [true, false]]> : tensor<2x2xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
  %s = quweit.group_sum %l : tensor<?x2xi1> -> tensor<?x2xi32>
  %r = quweit.scale_counts %s tau(1.0) scale(dense<[1.0, -1.0]> : tensor<2xf32>) : tensor<?x2xi32> -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}
