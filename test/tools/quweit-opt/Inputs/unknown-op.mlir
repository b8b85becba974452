func.func @f(%x: tensor<4xi1>) {
  %0 = quweit.frobnicate %x : tensor<4xi1>
  return
}
