#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2xf32>, tensor<2x3xf32>, tensor<3x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e23 = tensor.empty() : tensor<3x2xf32>
  %xt = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%e23 : tensor<3x2xf32>) permutation = [1? 0]
  %e22 = tensor.empty() : tensor<2x2xf32>
  %z22 = linalg.fill ins(%zero : f32) outs(%e22 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %mm = linalg.matmul ins(%x, %xt : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z22 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %ones = linalg.fill ins(%one : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x3xf32>) outs(%ones : tensor<2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  %slice = tensor.extract_slice %x[0, 1] [2, 2] [1, 1] : tensor<2x3xf32> to tensor<2x2xf32>
  %e21 = tensor.empty() : tensor<2x1xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%e21 : tensor<2x1xf32>) -> tensor<2x1xf32>
  %exp = math.exp %zeros : tensor<2x1xf32>
  %half = arith.constant dense<0.5> : tensor<2x1xf32>
  %col = arith.mulf %exp, %half : tensor<2x1xf32>
  %cat = tensor.concat dim(1) %slice, %col : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %sq = arith.mulf %x, %x : tensor<2x3xf32>
  %abs = math.sqrt %sq : tensor<2x3xf32>
  %flat = tensor.collapse_shape %abs [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  %re = tensor.expand_shape %flat [[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
  return %mm, %sum, %cat, %re : tensor<2x2xf32>, tensor<2xf32>, tensor<2x3xf32>, tensor<3x2xf32>
}
