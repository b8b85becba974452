// A `quweit.specialise` mark that does not match its buffers is an error.
// RUN: quweit-opt %s --split-input-file --verify-diagnostics --quweit-specialise-lut-kernels

#in = affine_map<(d0, d1) -> (d1, 0)>
#out = affine_map<(d0, d1) -> (d1, d0)>
func.func @mapping_out_of_range(%in: memref<?x3xi64>, %out: memref<?x1xi64>) {
  // expected-error @+1 {{mapping value 5 outside [0, 3)}}
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
      ins(%in : memref<?x3xi64>) outs(%out : memref<?x1xi64>)
      attrs = {quweit.specialise = {mapping = dense<[[5, 0]]> : tensor<1x2xi32>,
                                    tables = dense<[[false, false, false, true]]> : tensor<1x4xi1>}} {
  ^bb0(%a: i64, %b: i64):
    linalg.yield %a : i64
  }
  return
}

// -----

#in = affine_map<(d0, d1) -> (d1, 0)>
#out = affine_map<(d0, d1) -> (d1, d0)>
func.func @missing_tables(%in: memref<?x3xi64>, %out: memref<?x1xi64>) {
  // expected-error @+1 {{'quweit.specialise' must be a dictionary with 'mapping' and 'tables'}}
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
      ins(%in : memref<?x3xi64>) outs(%out : memref<?x1xi64>)
      attrs = {quweit.specialise = {mapping = dense<[[0, 1]]> : tensor<1x2xi32>}} {
  ^bb0(%a: i64, %b: i64):
    linalg.yield %a : i64
  }
  return
}

// -----

#in = affine_map<(d0, d1) -> (d1, 0)>
#out = affine_map<(d0, d1) -> (d1, d0)>
func.func @tables_do_not_match(%in: memref<?x3xi64>, %out: memref<?x2xi64>) {
  // expected-error @+1 {{mapping and tables do not match the layer's buffers}}
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
      ins(%in : memref<?x3xi64>) outs(%out : memref<?x2xi64>)
      attrs = {quweit.specialise = {mapping = dense<[[0, 1]]> : tensor<1x2xi32>,
                                    tables = dense<[[false, false, false, true]]> : tensor<1x4xi1>}} {
  ^bb0(%a: i64, %b: i64):
    linalg.yield %a : i64
  }
  return
}
