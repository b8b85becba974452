// A table for "mlp0" of the wrong width (6 features, the tests' MLPs take 4).
module {
  func.func @"mlp0"(%x: tensor<?x6xf32>) -> tensor<?x4xf32> {
    %y = quweit.lut_ffn %x : tensor<?x6xf32> -> tensor<?x4xf32> {
    ^bb0(%in: tensor<?x6xf32>):
      %t = quweit.thermometer %in thresholds(dense<0.0> : tensor<6x1xf32>) : tensor<?x6xf32> -> tensor<?x6xi1>
      %l = quweit.lut_layer %t mapping(dense<[[0], [1], [2], [3]]> : tensor<4x1xi32>)
          tables(dense<[[false, true], [false, true], [true, false], [true, false]]> : tensor<4x2xi1>)
          : tensor<?x6xi1> -> tensor<?x4xi1>
      %s = quweit.group_sum %l : tensor<?x4xi1> -> tensor<?x4xi32>
      %r = quweit.scale_counts %s tau(1.0) : tensor<?x4xi32> -> tensor<?x4xf32>
      quweit.yield %r : tensor<?x4xf32>
    }
    return %y : tensor<?x4xf32>
  }
}
