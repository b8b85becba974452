// RUN: quweit-opt %s --split-input-file --quweit-contractions-to-blas | FileCheck %s

// A matmul becomes one cblas_sgemm call (row-major, no transposes, alpha =
// beta = 1: it accumulates into C like linalg.matmul), guarded by a check
// that every size and leading dimension fits the LP64 int; otherwise the
// linalg op runs as before.
// CHECK: func.func private @cblas_sgemm(i32, i32, i32, i32, i32, i32, f32, !llvm.ptr, i32, !llvm.ptr, i32, f32, !llvm.ptr, i32)
// CHECK-LABEL: func.func @matmul
// CHECK: %[[M:.*]] = memref.dim %arg2, %c0
// CHECK: %[[LIMIT:.*]] = arith.constant 2147483647 : index
// CHECK: arith.cmpi ule, %[[M]], %[[LIMIT]]
// CHECK: arith.andi
// CHECK: scf.if %{{.*}} {
// CHECK:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[MI:.*]] = arith.index_cast %[[M]] : index to i32
// CHECK:   memref.extract_aligned_pointer_as_index %arg0
// CHECK:   %[[A:.*]] = llvm.inttoptr
// CHECK:   memref.extract_aligned_pointer_as_index %arg1
// CHECK:   memref.extract_aligned_pointer_as_index %arg2
// CHECK:   %[[ORDER:.*]] = arith.constant 101 : i32
// CHECK:   %[[NOTRANS:.*]] = arith.constant 111 : i32
// CHECK:   func.call @cblas_sgemm(%[[ORDER]], %[[NOTRANS]], %{{.*}}, %[[MI]], %{{.*}}, %{{.*}}, %[[ONE]], %[[A]], %{{.*}}, %{{.*}}, %{{.*}}, %[[ONE]], %{{.*}}, %{{.*}})
// CHECK: } else {
// CHECK:   linalg.matmul ins(%arg0, %arg1 : memref<?x64xf32>, memref<64x48xf32>)
// CHECK: }
func.func @matmul(%a: memref<?x64xf32>, %b: memref<64x48xf32>, %c: memref<?x48xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x48xf32>) outs(%c : memref<?x48xf32>)
  return
}

// -----

// A batch_matmul: one call per batch element, each operand's pointer moved
// by the element's offset (its outer stride).
// CHECK-LABEL: func.func @batch_matmul
// CHECK: scf.if
// CHECK:   scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:     %{{.*}}, %[[OFF:.*]], %{{.*}}:3, %[[STRIDES:.*]]:3 = memref.extract_strided_metadata %arg0
// CHECK:     %[[SKIP:.*]] = arith.muli %[[B]], %[[STRIDES]]#0
// CHECK:     arith.addi %[[OFF]], %[[SKIP]]
// CHECK:     func.call @cblas_sgemm
// CHECK:   }
// CHECK: } else {
// CHECK:   linalg.batch_matmul
func.func @batch_matmul(%q: memref<?x50x32xf32>, %k: memref<?x32x50xf32>, %s: memref<?x50x50xf32>) {
  linalg.batch_matmul ins(%q, %k : memref<?x50x32xf32>, memref<?x32x50xf32>) outs(%s : memref<?x50x50xf32>)
  return
}

// -----

// Left alone: f64, a transposed operand (user-defined maps), columns that are
// not contiguous, and tensors. No declaration is added then.
// CHECK-NOT: cblas_sgemm
// CHECK-LABEL: func.func @untouched
// CHECK-COUNT-3: linalg.matmul
// CHECK-NOT: cblas_sgemm
func.func @untouched(%a: memref<8x8xf64>, %b: memref<8x8xf64>, %c: memref<8x8xf64>,
                     %x: memref<8x8xf32, strided<[1, 8]>>, %y: memref<8x8xf32>, %z: memref<8x8xf32>,
                     %ta: tensor<8x8xf32>, %tc: tensor<8x8xf32>) -> tensor<8x8xf32> {
  linalg.matmul ins(%a, %b : memref<8x8xf64>, memref<8x8xf64>) outs(%c : memref<8x8xf64>)
  linalg.matmul ins(%x, %y : memref<8x8xf32, strided<[1, 8]>>, memref<8x8xf32>) outs(%z : memref<8x8xf32>)
  %r = linalg.matmul ins(%ta, %ta : tensor<8x8xf32>, tensor<8x8xf32>) outs(%tc : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}
