// RUN: quweit-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(quweit-vectorize-contractions))' | FileCheck %s
// RUN: quweit-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(quweit-vectorize-contractions{tile-m=4 tile-n=16}))' | FileCheck %s --check-prefix=SMALL
// RUN: quweit-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(quweit-vectorize-contractions{parallel=1}))' | FileCheck %s --check-prefix=PAR

// A matmul with a dynamic number of rows: 8 x 32 blocks, the row loop peeled
// (full blocks first, then the last partial rows as a linalg op on
// subviews); in a full block the 8 result rows stay in registers across the
// k loop (iter_args), each k step is 8 broadcasts of A and 8 FMAs with one
// row of B.
// CHECK-LABEL: func.func @matmul_dynamic_rows
// CHECK: %[[FULL:.*]] = affine.apply
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[FULL]] step %c8
// CHECK:   scf.for %[[J:.*]] = %{{.*}} to %c64 step %c32
// CHECK:     %[[C:.*]] = memref.subview %{{.*}}[%[[I]], %[[J]]] [8, 32] [1, 1]
// CHECK-COUNT-8: vector.load %[[C]]{{.*}} vector<32xf32>
// CHECK:     %[[ACC:.*]]:8 = scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args
// CHECK:       vector.load {{.*}} : memref<1x32xf32, {{.*}}>, vector<32xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK:       scf.yield
// CHECK:     vector.store %[[ACC]]#0, %[[C]]
// CHECK-COUNT-7: vector.store %[[ACC]]#
// CHECK: scf.for %{{.*}} = %[[FULL]] to %{{.*}} step %c8
// CHECK:   linalg.matmul ins({{.*}} : memref<?x1xf32, {{.*}}>, memref<1x32xf32, {{.*}}>) outs({{.*}} : memref<?x32xf32, {{.*}}>)
// CHECK-NOT: linalg.matmul
// With parallel=1 both row loops (full blocks and the peeled rest) are
// scf.parallel, the loops inside them stay sequential.
// PAR-LABEL: func.func @matmul_dynamic_rows
// PAR: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%c8)
// PAR:   scf.for
// PAR:     scf.for {{.*}} iter_args
// PAR: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%c8)
// PAR:   linalg.matmul
// SMALL-LABEL: func.func @matmul_dynamic_rows
// SMALL: step %c4
// SMALL: step %c16
// SMALL-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// SMALL-NOT: vector.fma
func.func @matmul_dynamic_rows(%a: memref<?x16xf32>, %b: memref<16x64xf32>, %c: memref<?x64xf32>) {
  linalg.matmul ins(%a, %b : memref<?x16xf32>, memref<16x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// Attention's scores: 50 columns. A 32-column block would leave 18 of them
// to the edge, so the block is 16 wide (3 full blocks, 2 edge columns); the
// batch loop has step 1. Edge blocks of static size are vectorised too.
// CHECK-LABEL: func.func @batch_matmul_scores
// SMALL-LABEL: func.func @batch_matmul_scores
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK:   scf.for %{{.*}} = %c0 to %c48 step %c8
// CHECK:     scf.for %{{.*}} = %c0 to %c48 step %c16
// CHECK:       scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args
// CHECK-COUNT-8: vector.fma {{.*}} : vector<16xf32>
// CHECK:     memref.subview %arg2[%{{.*}}, %{{.*}}, 48] [1, 8, 2]
// CHECK-COUNT-8: vector.fma {{.*}} : vector<2xf32>
// CHECK:   memref.subview %arg2[%{{.*}}, 48, %{{.*}}] [1, 2, 16]
// CHECK-COUNT-2: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @batch_matmul_scores(%q: memref<?x50x32xf32>, %k: memref<?x32x50xf32>, %s: memref<?x50x50xf32>) {
  linalg.batch_matmul ins(%q, %k : memref<?x50x32xf32>, memref<?x32x50xf32>) outs(%s : memref<?x50x50xf32>)
  return
}

// -----

// A contraction written as a generic (the ViT's class token + positions:
// t[b, s, d] += sel[s, p] * patch[b, p, d]), with the input that holds the
// block's columns listed first: it is vectorised like a matmul, with the
// inputs swapped so that rows of `patch` are the FMA vectors.
// CHECK-LABEL: func.func @generic_contraction
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.*}} = %c0 to %c49 step %c1 iter_args
// CHECK: memref.subview %arg0{{.*}} [1, 1, 32]
// CHECK: vector.load {{.*}} : memref<1x1x32xf32, {{.*}}>, vector<32xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// The last 2 of the 50 rows: a static edge block, vectorised too.
// CHECK-COUNT-2: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: linalg.contract
func.func @generic_contraction(%patch: memref<?x49x64xf32>, %sel: memref<50x49xf32>, %t: memref<?x50x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, s, d, p) -> (b, p, d)>, affine_map<(b, s, d, p) -> (s, p)>, affine_map<(b, s, d, p) -> (b, s, d)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%patch, %sel : memref<?x49x64xf32>, memref<50x49xf32>) outs(%t : memref<?x50x64xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %m = arith.mulf %w, %x : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Left alone: other element types, tensors (not yet bufferized), and
// reductions that are not contractions.
// CHECK-LABEL: func.func @untouched
// CHECK: linalg.matmul ins(%arg0, %arg1 : memref<8x8xi32>, memref<8x8xi32>)
// CHECK: linalg.matmul ins(%arg3, %arg4 : tensor<8x32xf32>, tensor<32x32xf32>)
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @untouched(%a: memref<8x8xi32>, %b: memref<8x8xi32>, %c: memref<8x8xi32>,
                     %ta: tensor<8x32xf32>, %tb: tensor<32x32xf32>, %tc: tensor<8x32xf32>,
                     %x: memref<8x32xf32>, %sum: memref<8xf32>) -> tensor<8x32xf32> {
  linalg.matmul ins(%a, %b : memref<8x8xi32>, memref<8x8xi32>) outs(%c : memref<8x8xi32>)
  %r = linalg.matmul ins(%ta, %tb : tensor<8x32xf32>, tensor<32x32xf32>) outs(%tc : tensor<8x32xf32>) -> tensor<8x32xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x32xf32>) outs(%sum : memref<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.mulf %v, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return %r : tensor<8x32xf32>
}
