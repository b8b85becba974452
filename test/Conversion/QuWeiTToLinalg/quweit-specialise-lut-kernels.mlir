// Bit-sliced layers to be specialised, outlined into kernel calls on buffers.
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=specialise" \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map" \
// RUN:   --quweit-specialise-lut-kernels --canonicalize | FileCheck %s

// Each marked layer becomes a call of a kernel declaration that carries the
// layer (quweit-emit-lut-kernels defines it after the conversion to LLVM).
// CHECK-LABEL: func.func @three_luts
// CHECK-SAME: (%[[IN:.*]]: memref<?x3xi64>) -> memref<?x3xi64>
// CHECK-NOT: linalg.generic
// CHECK: %[[OUT:.*]] = memref.alloc
// CHECK: call @__quweit_lut_kernel(%[[IN]], %[[OUT]]) : (memref<?x3xi64>, memref<?x3xi64>) -> ()
// CHECK: func.func private @__quweit_lut_kernel(memref<?x3xi64>, memref<?x3xi64>)
// CHECK-SAME: quweit.lut_kernel = {input_row_stride = 3 : i64,
// CHECK-SAME: mapping = dense<{{\[\[}}2, 0], [1, 2], [0, 0]]> : tensor<3x2xi32>, num_inputs = 3 : i64, output_row_stride = 3 : i64,
// CHECK-SAME: tables = dense<{{\[\[}}false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>, word_type = i64}
func.func @three_luts(%w: tensor<?x3xi64>) -> tensor<?x3xi64> {
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3)
      mapping(dense<[[2, 0], [1, 2], [0, 0]]> : tensor<3x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>)
      : tensor<?x3xi64> -> tensor<?x3xi64>
  return %y : tensor<?x3xi64>
}

// -----

// Two layers in one module get two kernels; i512 words.
// CHECK-LABEL: func.func @simd_words
// CHECK: call @__quweit_lut_kernel(%{{.*}}, %[[MID:.*]]) : (memref<?x2xi512>, memref<?x1xi512>) -> ()
// CHECK: call @__quweit_lut_kernel_0(%[[MID]], %{{.*}}) : (memref<?x1xi512>, memref<?x1xi512>) -> ()
// CHECK: func.func private @__quweit_lut_kernel(memref<?x2xi512>, memref<?x1xi512>)
// CHECK-SAME: word_type = i512
// CHECK: func.func private @__quweit_lut_kernel_0(memref<?x1xi512>, memref<?x1xi512>)
// CHECK-SAME: num_inputs = 1 : i64
func.func @simd_words(%w: tensor<?x2xi512>) -> tensor<?x1xi512> {
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(2)
      mapping(dense<[[0, 1]]> : tensor<1x2xi32>) tables(dense<[[false, true, true, false]]> : tensor<1x4xi1>)
      : tensor<?x2xi512> -> tensor<?x1xi512>
  %z = quweit.packed_lut_layer %y layout(<batch_sliced>) num_inputs(1)
      mapping(dense<[[0]]> : tensor<1x1xi32>) tables(dense<[[true, false]]> : tensor<1x2xi1>)
      : tensor<?x1xi512> -> tensor<?x1xi512>
  return %z : tensor<?x1xi512>
}

// -----

// Strided rows (here every other word of a row) stay table-driven: the mark
// is dropped and no kernel is made.
// CHECK-LABEL: func.func @strided_rows
// CHECK-NOT: call
// CHECK: linalg.generic
// CHECK-NOT: quweit.specialise
// CHECK-NOT: __quweit_lut_kernel
#in = affine_map<(d0, d1) -> (d1, 0)>
#out = affine_map<(d0, d1) -> (d1, d0)>
func.func @strided_rows(%in: memref<?x3xi64, strided<[?, 2]>>, %out: memref<?x1xi64>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
      ins(%in : memref<?x3xi64, strided<[?, 2]>>) outs(%out : memref<?x1xi64>)
      attrs = {quweit.specialise = {mapping = dense<[[2, 0]]> : tensor<1x2xi32>,
                                    tables = dense<[[false, false, false, true]]> : tensor<1x4xi1>}} {
  ^bb0(%a: i64, %b: i64):
    linalg.yield %a : i64
  }
  return
}
