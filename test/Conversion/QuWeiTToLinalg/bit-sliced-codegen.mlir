// The two code generation modes of bit-sliced LUT layers in
// convert-quweit-to-linalg, and SIMD-wide words.
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=table" | FileCheck %s --check-prefix=TABLE
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=specialise" | FileCheck %s --check-prefix=SPEC
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=auto specialise-max-luts=0" | FileCheck %s --check-prefix=TABLE
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=auto" | FileCheck %s --check-prefix=SPEC
// RUN: not quweit-opt %s --split-input-file --convert-quweit-to-linalg="lut-codegen=fast" 2>&1 | FileCheck %s --check-prefix=BAD

// Tables as data iterate LUT-major (the output map swaps the loops), the
// input words are recorded as the generic's input, and i512 words are
// computed as vector<8xi64>: table bits are spread with vector.broadcast.
// TABLE: #[[IN:.*]] = affine_map<(d0, d1) -> (d1, 0)>
// TABLE: #[[OUT:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// TABLE-LABEL: func.func @wide
// TABLE: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]]
// TABLE-SAME: ins(%arg0 : tensor<?x3xi512>)
// TABLE-NOT: quweit.specialise
// TABLE: vector.bitcast %{{.*}} : vector<1xi512> to vector<8xi64>
// TABLE: vector.broadcast %{{.*}} : i64 to vector<8xi64>
// TABLE: vector.bitcast %{{.*}} : vector<8xi64> to vector<1xi512>
// SPEC-LABEL: func.func @wide
// SPEC: linalg.generic
// SPEC: quweit.specialise = {mapping = dense<{{\[\[}}2, 0]]> : tensor<1x2xi32>, tables = dense<{{\[\[}}false, false, false, true]]> : tensor<1x4xi1>}
// BAD: unknown lut-codegen 'fast' (use auto, table or specialise)
func.func @wide(%w: tensor<?x3xi512>) -> tensor<?x1xi512> {
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3)
      mapping(dense<[[2, 0]]> : tensor<1x2xi32>) tables(dense<[[false, false, false, true]]> : tensor<1x4xi1>)
      : tensor<?x3xi512> -> tensor<?x1xi512>
  return %y : tensor<?x1xi512>
}

// -----

// Fan-in above 8 is never specialised (code would grow with 2^n).
// SPEC-LABEL: func.func @wide_fan_in
// SPEC-NOT: quweit.specialise
// SPEC: return
func.func @wide_fan_in(%w: tensor<?x9xi64>) -> tensor<?x1xi64> {
  %y = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(9)
      mapping(dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x9xi32>) tables(dense<false> : tensor<1x512xi1>)
      : tensor<?x9xi64> -> tensor<?x1xi64>
  return %y : tensor<?x1xi64>
}
