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

#inputs#
