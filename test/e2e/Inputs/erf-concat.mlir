// math.erf (libm erff) and tensor.concat (strided copies) compile without
// runtime libraries beyond libc/libm; used by test/e2e/float-ops.test.
#id = affine_map<(i, j) -> (i, j)>
func.func @main(%x: tensor<?x3xf32>) -> tensor<?x6xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x3xf32>
  %e = tensor.empty(%n) : tensor<?x3xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x3xf32>) outs(%e : tensor<?x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.erf %a : f32
    linalg.yield %r : f32
  } -> tensor<?x3xf32>
  %cat = tensor.concat dim(1) %x, %g : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  return %cat : tensor<?x6xf32>
}
