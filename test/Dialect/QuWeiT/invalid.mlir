// RUN: quweit-opt %s -split-input-file -verify-diagnostics

func.func @thresholds_rank(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{'thresholds' must have rank 2, got 1}}
  %0 = quweit.thermometer %x thresholds(dense<[0.0, 1.0]> : tensor<2xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
  return
}

// -----

func.func @thresholds_type(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{'thresholds' must have f32 elements}}
  %0 = quweit.thermometer %x thresholds(dense<[[0], [1]]> : tensor<2x1xi32>) : tensor<?x2xf32> -> tensor<?x2xi1>
  return
}

// -----

func.func @thresholds_empty(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{needs at least one threshold per feature}}
  %0 = quweit.thermometer %x thresholds(dense<> : tensor<2x0xf32>) : tensor<?x2xf32> -> tensor<?x0xi1>
  return
}

// -----

func.func @thermometer_features(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{input feature dimension is 3, expected 2}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<?x3xf32> -> tensor<?x2xi1>
  return
}

// -----

func.func @thermometer_bits(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{result bit dimension is 3, expected 4}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x3xi1>
  return
}

// -----

func.func @thermometer_batch(%x: tensor<4x2xf32>) {
  // expected-error @+1 {{result batch dimension is 5, expected 4}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<4x2xf32> -> tensor<5x2xi1>
  return
}

// -----

func.func @thermometer_dynamic_features(%x: tensor<?x?xf32>) {
  // expected-error @+1 {{input feature dimension must be static}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<?x?xf32> -> tensor<?x2xi1>
  return
}

// -----

func.func @thresholds_nan(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{threshold [1, 0] is not finite (nan)}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0], [0x7FC00000]]> : tensor<2x1xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
  return
}

// -----

func.func @thresholds_inf(%x: tensor<?x1xf32>) {
  // expected-error @+1 {{threshold [0, 1] is not finite (INF)}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0, 0x7F800000]]> : tensor<1x2xf32>) : tensor<?x1xf32> -> tensor<?x2xi1>
  return
}

// -----

func.func @thresholds_decreasing(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{thresholds of feature 1 decrease at [1, 2]: 0.000000e+00 after 1.000000e+00 (they must be non-decreasing)}}
  %0 = quweit.thermometer %x thresholds(dense<[[0.0, 0.0, 1.0], [0.5, 1.0, 0.0]]> : tensor<2x3xf32>) : tensor<?x2xf32> -> tensor<?x6xi1>
  return
}

// -----

func.func @thresholds_blob_size(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{'thresholds' dense_resource blob 'short' holds 4 bytes but its type needs 8}}
  %0 = quweit.thermometer %x thresholds(dense_resource<short> : tensor<2x1xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
  return
}
{-#
  dialect_resources: { builtin: { short: "0x0400000000000000" } }
#-}

// -----

func.func @mapping_rank(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'mapping' must have rank 2, got 1}}
  %0 = quweit.lut_layer %x mapping(dense<[0, 1]> : tensor<2xi32>) tables(dense<false> : tensor<2x2xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @mapping_type(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'mapping' must have i16, i32 or i64 elements}}
  %0 = quweit.lut_layer %x mapping(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) tables(dense<false> : tensor<2x2xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @tables_type(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'tables' must have i1 elements}}
  %0 = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<0> : tensor<2x2xi8>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @fan_in_zero(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{fan-in must be in [1, 16], got 0}}
  %0 = quweit.lut_layer %x mapping(dense<> : tensor<2x0xi32>) tables(dense<false> : tensor<2x1xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @fan_in_seventeen(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{fan-in must be in [1, 16], got 17}}
  %0 = quweit.lut_layer %x mapping(dense<0> : tensor<1x17xi32>) tables(dense<false> : tensor<1x131072xi1>) : tensor<?x4xi1> -> tensor<?x1xi1>
  return
}

// -----

func.func @tables_rows(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'tables' has 3 rows but 'mapping' has 2}}
  %0 = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<false> : tensor<3x2xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @tables_width(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'tables' rows have 4 entries, expected 2^3 = 8}}
  %0 = quweit.lut_layer %x mapping(dense<[[0, 1, 2]]> : tensor<1x3xi32>) tables(dense<false> : tensor<1x4xi1>) : tensor<?x4xi1> -> tensor<?x1xi1>
  return
}

// -----

func.func @mapping_out_of_range(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'mapping' value 4 at [1, 0] is out of range [0, 4)}}
  %0 = quweit.lut_layer %x mapping(dense<[[0, 3], [4, 1]]> : tensor<2x2xi32>) tables(dense<false> : tensor<2x4xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @mapping_negative(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'mapping' value -1 at [0, 1] is out of range [0, 4)}}
  %0 = quweit.lut_layer %x mapping(dense<[[0, -1]]> : tensor<1x2xi32>) tables(dense<false> : tensor<1x4xi1>) : tensor<?x4xi1> -> tensor<?x1xi1>
  return
}

// -----

func.func @mapping_splat_out_of_range(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'mapping' value 9 is out of range [0, 4)}}
  %0 = quweit.lut_layer %x mapping(dense<9> : tensor<4000000x6xi32>) tables(dense<false> : tensor<4000000x64xi1>) : tensor<?x4xi1> -> tensor<?x4000000xi1>
  return
}

// -----

func.func @lut_result_width(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{result bit dimension is 3, expected 2}}
  %0 = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<false> : tensor<2x2xi1>) : tensor<?x4xi1> -> tensor<?x3xi1>
  return
}

// -----

func.func @lut_dynamic_inputs(%x: tensor<?x?xi1>) {
  // expected-error @+1 {{input bit dimension must be static}}
  %0 = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<false> : tensor<2x2xi1>) : tensor<?x?xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @lut_input_type(%x: tensor<?x4xi8>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 1-bit signless integer values}}
  %0 = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<false> : tensor<2x2xi1>) : tensor<?x4xi8> -> tensor<?x2xi1>
  return
}

// -----

func.func @tables_blob_size(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'tables' dense_resource blob 'tab' holds 3 bytes but its type needs 4}}
  %0 = quweit.lut_layer %x mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense_resource<tab> : tensor<2x2xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  %1 = quweit.group_sum %0 : tensor<?x2xi1> -> tensor<?x1xi32>
  return
}
{-#
  dialect_resources: { builtin: { tab: "0x01000000000101" } }
#-}

// -----

func.func @mapping_blob_missing(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'mapping' dense_resource blob 'nowhere' has no data}}
  %0 = quweit.lut_layer %x mapping(dense_resource<nowhere> : tensor<2x1xi32>) tables(dense<false> : tensor<2x2xi1>) : tensor<?x4xi1> -> tensor<?x2xi1>
  return
}

// -----

func.func @zero_groups(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{needs at least one group}}
  %0 = quweit.group_sum %x : tensor<?x4xi1> -> tensor<?x0xi32>
  return
}

// -----

func.func @dynamic_groups(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{number of groups (result dimension 1) must be static}}
  %0 = quweit.group_sum %x : tensor<?x4xi1> -> tensor<?x?xi32>
  return
}

// -----

func.func @group_index_size(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'group_index' has 3 entries, expected one per input bit (4)}}
  %0 = quweit.group_sum %x group_index(dense<[0, 1, 0]> : tensor<3xi32>) : tensor<?x4xi1> -> tensor<?x2xi32>
  return
}

// -----

func.func @group_index_range(%x: tensor<?x4xi1>) {
  // expected-error @+1 {{'group_index' value 2 at [2] is out of range [0, 2)}}
  %0 = quweit.group_sum %x group_index(dense<[0, 1, 2, 0]> : tensor<4xi32>) : tensor<?x4xi1> -> tensor<?x2xi32>
  return
}

// -----

func.func @count_type_too_small(%x: tensor<?x300xi1>) {
  // expected-error @+1 {{count type i8 cannot hold a group of 150 bits}}
  %0 = quweit.group_sum %x : tensor<?x300xi1> -> tensor<?x2xi8>
  return
}

// -----

func.func @tau_zero(%s: tensor<?x2xi32>) {
  // expected-error @+1 {{tau must be positive and finite, got 0}}
  %0 = quweit.scale_counts %s tau(0.0) : tensor<?x2xi32> -> tensor<?x2xf32>
  return
}

// -----

func.func @tau_negative(%s: tensor<?x2xi32>) {
  // expected-error @+1 {{tau must be positive and finite, got -1}}
  %0 = quweit.scale_counts %s tau(-1.0) : tensor<?x2xi32> -> tensor<?x2xf32>
  return
}

// -----

func.func @tau_nan(%s: tensor<?x2xi32>) {
  // expected-error @+1 {{tau must be positive and finite, got nan}}
  %0 = quweit.scale_counts %s tau(0x7FC00000) : tensor<?x2xi32> -> tensor<?x2xf32>
  return
}

// -----

func.func @scale_size(%s: tensor<?x2xi32>) {
  // expected-error @+1 {{'scale' size is 3, expected 2}}
  %0 = quweit.scale_counts %s tau(1.0) scale(dense<1.0> : tensor<3xf32>) : tensor<?x2xi32> -> tensor<?x2xf32>
  return
}

// -----

func.func @bias_not_finite(%s: tensor<?x2xi32>) {
  // expected-error @+1 {{'bias' [1] is not finite (INF)}}
  %0 = quweit.scale_counts %s tau(1.0) bias(dense<[0.0, 0x7F800000]> : tensor<2xf32>) : tensor<?x2xi32> -> tensor<?x2xf32>
  return
}

// -----

func.func @scale_result(%s: tensor<?x2xi32>) {
  // expected-error @+1 {{result dimension 1 is 3, expected 2}}
  %0 = quweit.scale_counts %s tau(1.0) : tensor<?x2xi32> -> tensor<?x3xf32>
  return
}

// -----

func.func @argmax_empty(%s: tensor<?x0xi32>) {
  // expected-error @+1 {{needs at least one score per row}}
  %0 = quweit.argmax %s : tensor<?x0xi32> -> tensor<?xi64>
  return
}

// -----

func.func @argmax_batch(%s: tensor<4x3xi32>) {
  // expected-error @+1 {{result batch dimension is 5, expected 4}}
  %0 = quweit.argmax %s : tensor<4x3xi32> -> tensor<5xi64>
  return
}

// -----

func.func @pack_words(%x: tensor<100x8xi1>) {
  // expected-error @+1 {{packs 100 bits along dimension 0 into 3 words of 64 bits, expected 2}}
  %0 = quweit.pack_bits %x layout(<batch_sliced>) : tensor<100x8xi1> -> tensor<3x8xi64>
  return
}

// -----

func.func @pack_other_dim(%x: tensor<100x8xi1>) {
  // expected-error @+1 {{word dimension 0 is 99, expected 100}}
  %0 = quweit.pack_bits %x layout(<feature_packed>) : tensor<100x8xi1> -> tensor<99x1xi8>
  return
}

// -----

func.func @unpack_needs_size(%w: tensor<?x8xi64>) {
  // expected-error @+1 {{needs a 'size' operand: result dimension 0 is dynamic}}
  %0 = quweit.unpack_bits %w layout(<batch_sliced>) : tensor<?x8xi64> -> tensor<?x8xi1>
  return
}

// -----

func.func @unpack_extra_size(%w: tensor<2x8xi64>, %n: index) {
  // expected-error @+1 {{takes no 'size' operand: result dimension 0 is static}}
  %0 = quweit.unpack_bits %w layout(<batch_sliced>) size(%n) : tensor<2x8xi64> -> tensor<100x8xi1>
  return
}

// -----

func.func @ffn_order(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{body must be thermometer -> lut_layer+ -> group_sum -> scale_counts -> yield; found 'quweit.group_sum' where quweit.lut_layer was expected}}
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
    %s = quweit.group_sum %t : tensor<?x2xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  return %y : tensor<?x2xf32>
}

// -----

func.func @ffn_short(%x: tensor<?x2xf32>) -> tensor<?x2xi32> {
  // expected-error @+1 {{found 'quweit.yield' where quweit.scale_counts was expected}}
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<[[false, true], [true, false]]> : tensor<2x2xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
    %s = quweit.group_sum %l : tensor<?x2xi1> -> tensor<?x2xi32>
    quweit.yield %s : tensor<?x2xi32>
  }
  %z = arith.constant dense<0> : tensor<1x2xi32>
  %c = tensor.cast %z : tensor<1x2xi32> to tensor<?x2xi32>
  return %c : tensor<?x2xi32>
}

// -----

func.func @ffn_not_chained(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'quweit.lut_layer' in the body must use the result of the op before it}}
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<[[false, true], [true, false]]> : tensor<2x2xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
    %m = quweit.lut_layer %t mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<[[false, true], [true, false]]> : tensor<2x2xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
    %s = quweit.group_sum %m : tensor<?x2xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  return %y : tensor<?x2xf32>
}

// -----

func.func @ffn_result_type(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{body yields 'tensor<?x2xf32>' but the result type is 'tensor<?x3xf32>'}}
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x3xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0], [1.0]]> : tensor<2x1xf32>) : tensor<?x2xf32> -> tensor<?x2xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0], [1]]> : tensor<2x1xi32>) tables(dense<[[false, true], [true, false]]> : tensor<2x2xi1>) : tensor<?x2xi1> -> tensor<?x2xi1>
    %s = quweit.group_sum %l : tensor<?x2xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  return %y : tensor<?x3xf32>
}

// -----

func.func @ffn_block_argument(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{body must take one argument of the input type 'tensor<?x2xf32>'}}
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<4x2xf32>):
    quweit.yield %in : tensor<4x2xf32>
  }
  return %y : tensor<?x2xf32>
}

// -----

func.func @block_argument_types(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{block argument types must match the operand types}}
  %y = quweit.transformer_block "b" (%x) : (tensor<4x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x3xf32>):
    %z = arith.constant dense<0.0> : tensor<4x2xf32>
    quweit.yield %z : tensor<4x2xf32>
  }
  return %y : tensor<4x2xf32>
}

// -----

func.func @block_yield_types(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{yielded types must match the result types}}
  %y = quweit.transformer_block "b" (%x) : (tensor<4x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x2xf32>):
    %z = arith.constant dense<0.0> : tensor<4x3xf32>
    quweit.yield %z : tensor<4x3xf32>
  }
  return %y : tensor<4x2xf32>
}

// -----

func.func @block_name(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{needs a non-empty name}}
  %y = quweit.transformer_block "" (%x) : (tensor<4x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%in: tensor<4x2xf32>):
    quweit.yield %in : tensor<4x2xf32>
  }
  return %y : tensor<4x2xf32>
}

// -----

func.func @yield_outside(%x: tensor<4x2xf32>) {
  // expected-error @+1 {{expects parent op to be one of 'quweit.lut_ffn, quweit.transformer_block'}}
  quweit.yield %x : tensor<4x2xf32>
}

// -----

func.func @packed_mapping_range(%w: tensor<?x3xi64>) {
  // expected-error @+1 {{'mapping' value 3 at [0, 1] is out of range [0, 3)}}
  %0 = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(3) mapping(dense<[[0, 3]]> : tensor<1x2xi32>) tables(dense<false> : tensor<1x4xi1>) : tensor<?x3xi64> -> tensor<?x1xi64>
  return
}

// -----

func.func @packed_num_inputs(%w: tensor<?x3xi64>) {
  // expected-error @+1 {{input dimension 1 is 3, expected 4}}
  %0 = quweit.packed_lut_layer %w layout(<batch_sliced>) num_inputs(4) mapping(dense<[[0, 3]]> : tensor<1x2xi32>) tables(dense<false> : tensor<1x4xi1>) : tensor<?x3xi64> -> tensor<?x1xi64>
  return
}

// -----

func.func @packed_words(%w: tensor<?x2xi64>) {
  // expected-error @+1 {{input word dimension is 2, expected 1}}
  %0 = quweit.packed_lut_layer %w layout(<feature_packed>) num_inputs(64) mapping(dense<[[0, 3]]> : tensor<1x2xi32>) tables(dense<false> : tensor<1x4xi1>) : tensor<?x2xi64> -> tensor<?x1xi64>
  return
}

// -----

func.func @packed_word_types(%w: tensor<?x1xi64>) {
  // expected-error @+1 {{input and result must use the same word type}}
  %0 = quweit.packed_lut_layer %w layout(<feature_packed>) num_inputs(64) mapping(dense<[[0, 3]]> : tensor<1x2xi32>) tables(dense<false> : tensor<1x4xi1>) : tensor<?x1xi64> -> tensor<?x1xi32>
  return
}

// -----

func.func @permute_bytes_table_size(%table: vector<96xi8>, %index: vector<64xi8>) -> vector<64xi8> {
  // expected-error @+1 {{table must have a power of two of lanes from 2 to 256, got 96}}
  %0 = quweit.permute_bytes %table[%index] : vector<96xi8>, vector<64xi8>
  return %0 : vector<64xi8>
}

// -----

func.func @permute_bytes_table_too_big(%table: vector<512xi8>, %index: vector<64xi8>) -> vector<64xi8> {
  // expected-error @+1 {{table must have a power of two of lanes from 2 to 256, got 512}}
  %0 = quweit.permute_bytes %table[%index] : vector<512xi8>, vector<64xi8>
  return %0 : vector<64xi8>
}

// -----

func.func @permute_bytes_not_bytes(%table: vector<128xi16>, %index: vector<64xi8>) -> vector<64xi8> {
  // expected-error @+1 {{operand #0 must be vector of 8-bit signless integer values of ranks 1}}
  %0 = "quweit.permute_bytes"(%table, %index) : (vector<128xi16>, vector<64xi8>) -> vector<64xi8>
  return %0 : vector<64xi8>
}

// -----

func.func @permute_bytes_result_type(%table: vector<128xi8>, %index: vector<64xi8>) -> vector<32xi8> {
  // expected-error @+1 {{all of {index, result} have same type}}
  %0 = "quweit.permute_bytes"(%table, %index) : (vector<128xi8>, vector<64xi8>) -> vector<32xi8>
  return %0 : vector<32xi8>
}
