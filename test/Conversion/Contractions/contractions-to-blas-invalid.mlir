// RUN: quweit-opt %s --quweit-contractions-to-blas --verify-diagnostics

// The CBLAS name is taken by a function of another type: refuse rather than
// call it with the wrong arguments.
// expected-error @below {{quweit-contractions-to-blas: the symbol 'cblas_sgemm' is taken by something other than the CBLAS function}}
func.func private @cblas_sgemm(i32) -> ()

func.func @matmul(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x4xf32>) {
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  return
}
