// LUT FFN tables for quweit-convert-mlp-to-lut.mlir: 4 features -> 4 outputs,
// one thermometer bit per feature, 8 LUTs of fan-in 2, 4 groups of 2.
// The same table under every name the tests use.
module {
  func.func @"mlp0"(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = quweit.lut_ffn %x : tensor<?x4xf32> -> tensor<?x4xf32> {
    ^bb0(%in: tensor<?x4xf32>):
      %t = quweit.thermometer %in thresholds(dense<[[0.0], [0.5], [-0.5], [1.0]]> : tensor<4x1xf32>) : tensor<?x4xf32> -> tensor<?x4xi1>
      %l = quweit.lut_layer %t mapping(dense<[[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [1, 3], [0, 3], [1, 0]]> : tensor<8x2xi32>)
          tables(dense<[[false, false, false, true], [false, true, true, false], [true, false, false, true], [false, true, true, true],
                        [true, true, false, false], [false, false, true, true], [true, false, true, false], [false, true, false, true]]> : tensor<8x4xi1>)
          : tensor<?x4xi1> -> tensor<?x8xi1>
      %s = quweit.group_sum %l : tensor<?x8xi1> -> tensor<?x4xi32>
      %r = quweit.scale_counts %s tau(2.0) : tensor<?x4xi32> -> tensor<?x4xf32>
      quweit.yield %r : tensor<?x4xf32>
    }
    return %y : tensor<?x4xf32>
  }
  func.func @"blocks.0.ffn"(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = quweit.lut_ffn %x : tensor<?x4xf32> -> tensor<?x4xf32> {
    ^bb0(%in: tensor<?x4xf32>):
      %t = quweit.thermometer %in thresholds(dense<[[0.0], [0.0], [0.0], [0.0]]> : tensor<4x1xf32>) : tensor<?x4xf32> -> tensor<?x4xi1>
      %l = quweit.lut_layer %t mapping(dense<[[0], [1], [2], [3]]> : tensor<4x1xi32>)
          tables(dense<[[false, true], [false, true], [true, false], [true, false]]> : tensor<4x2xi1>)
          : tensor<?x4xi1> -> tensor<?x4xi1>
      %s = quweit.group_sum %l : tensor<?x4xi1> -> tensor<?x4xi32>
      %r = quweit.scale_counts %s tau(1.0) : tensor<?x4xi32> -> tensor<?x4xf32>
      quweit.yield %r : tensor<?x4xf32>
    }
    return %y : tensor<?x4xf32>
  }
  func.func @"block7"(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = quweit.lut_ffn %x : tensor<?x4xf32> -> tensor<?x4xf32> {
    ^bb0(%in: tensor<?x4xf32>):
      %t = quweit.thermometer %in thresholds(dense<[[0.0], [0.0], [0.0], [0.0]]> : tensor<4x1xf32>) : tensor<?x4xf32> -> tensor<?x4xi1>
      %l = quweit.lut_layer %t mapping(dense<[[0], [1], [2], [3]]> : tensor<4x1xi32>)
          tables(dense<[[true, false], [true, false], [true, false], [true, false]]> : tensor<4x2xi1>)
          : tensor<?x4xi1> -> tensor<?x4xi1>
      %s = quweit.group_sum %l : tensor<?x4xi1> -> tensor<?x4xi32>
      %r = quweit.scale_counts %s tau(1.0) : tensor<?x4xi32> -> tensor<?x4xf32>
      quweit.yield %r : tensor<?x4xf32>
    }
    return %y : tensor<?x4xf32>
  }
}
