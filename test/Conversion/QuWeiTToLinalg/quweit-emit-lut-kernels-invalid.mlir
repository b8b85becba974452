// Kernel declarations that do not match what quweit-specialise-lut-kernels
// makes are errors, not crashes.
// RUN: quweit-opt %s --split-input-file --verify-diagnostics --quweit-emit-lut-kernels="ternlog=1"

// expected-error @+1 {{a LUT kernel takes two rank-2 memref descriptors (ptr, ptr, 5 x i64 each) and returns nothing}}
llvm.func @one_descriptor(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1]]> : tensor<1x2xi32>, tables = dense<[[0, 0, 0, 1]]> : tensor<1x4xi1>,
      word_type = i64, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}}

// -----

// expected-error @+1 {{'quweit.lut_kernel' needs 'word_type', 'num_inputs', 'input_row_stride' and 'output_row_stride'}}
llvm.func @no_word_type(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                        !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1]]> : tensor<1x2xi32>, tables = dense<[[0, 0, 0, 1]]> : tensor<1x4xi1>,
      num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}}

// -----

// expected-error @+1 {{word_type must be i8, i16, i32, i64, i128, i256 or i512}}
llvm.func @odd_word(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                    !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1]]> : tensor<1x2xi32>, tables = dense<[[0, 0, 0, 1]]> : tensor<1x4xi1>,
      word_type = i12, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}}

// -----

// expected-error @+1 {{mapping value 2 outside [0, 2)}}
llvm.func @mapping_out_of_range(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                                !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 2]]> : tensor<1x2xi32>, tables = dense<[[0, 0, 0, 1]]> : tensor<1x4xi1>,
      word_type = i64, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}}

// -----

// expected-error @+1 {{mapping and tables do not match the layer's buffers}}
llvm.func @short_table(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                       !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1]]> : tensor<1x2xi32>, tables = dense<[[0, 1]]> : tensor<1x2xi1>,
      word_type = i64, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}}

// -----

// expected-error @+1 {{row strides smaller than the rows}}
llvm.func @overlapping_rows(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                            !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1], [1, 0]]> : tensor<2x2xi32>, tables = dense<[[0, 0, 0, 1], [0, 1, 1, 0]]> : tensor<2x4xi1>,
      word_type = i64, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}}

// -----

// expected-error @+1 {{a LUT kernel must be a declaration}}
llvm.func @defined(%a: !llvm.ptr, %b: !llvm.ptr, %c: i64, %d: i64, %e: i64, %f: i64, %g: i64,
                   %h: !llvm.ptr, %i: !llvm.ptr, %j: i64, %k: i64, %l: i64, %m: i64, %n: i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1]]> : tensor<1x2xi32>, tables = dense<[[0, 0, 0, 1]]> : tensor<1x4xi1>,
      word_type = i64, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 1 : i64}} {
  llvm.return
}
