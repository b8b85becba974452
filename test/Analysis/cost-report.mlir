// RUN: quweit-opt %s --quweit-cost-report -o /dev/null | FileCheck %s

// Hand counts. Outside the block: a 2x3 * 3x4 matmul (24 multiplications and
// 24 additions), its 3x4 f32 weights and 2x4 zero init (80 bytes).
// Block "b": a lut_ffn of width 2 on 2 rows: 2x2x2 thermometer comparisons,
// 2x3 lookups, 2x3 group-sum additions, 2x2 divisions by tau; parameters
// 16 (thresholds) + 3x2x4 (mapping) + 3x4 bits (tables, 2 bytes) = 42 bytes.
// Dense twin of the FFN (hidden 4x2 = 8): 2x(2x8 + 8x2) = 64 multiplications
// of matmuls, 64 + 2x(8 + 2) + 2x8 (GELU) = 100 additions, 2x3x8 = 48 GELU
// multiplications, 16 erf, 4x(16 + 8 + 16 + 2) = 168 bytes.
// CHECK: function @f
// CHECK-NEXT: model dense twin
// CHECK-NEXT: matmul/conv mults 24 88
// CHECK-NEXT: elementwise mults 0 48
// CHECK-NEXT: additions 24 124
// CHECK-NEXT: group-sum additions 6 0
// CHECK-NEXT: comparisons 8 0
// CHECK-NEXT: exp/div 4 16
// CHECK-NEXT: LUT lookups 6 0
// CHECK-NEXT: parameter bytes 122 248
// CHECK: matmul mults replaced: 72.73%
// CHECK: block "b"
// CHECK-NEXT: model dense twin
// CHECK-NEXT: matmul/conv mults 0 64
func.func @f(%a: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %z = arith.constant dense<0.0> : tensor<2x4xf32>
  %m = linalg.matmul ins(%a, %w : tensor<2x3xf32>, tensor<3x4xf32>) outs(%z : tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = tensor.extract_slice %m[0, 0] [2, 2] [1, 1] : tensor<2x4xf32> to tensor<2x2xf32>
  %y = quweit.transformer_block "b" (%s) : (tensor<2x2xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<2x2xf32>):
    %r = quweit.lut_ffn %x : tensor<2x2xf32> -> tensor<2x2xf32> {
    ^bb0(%in: tensor<2x2xf32>):
      %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<2x2xf32> -> tensor<2x4xi1>
      %l = quweit.lut_layer %t mapping(dense<0> : tensor<3x2xi32>) tables(dense<false> : tensor<3x4xi1>) : tensor<2x4xi1> -> tensor<2x3xi1>
      %c = quweit.group_sum %l : tensor<2x3xi1> -> tensor<2x2xi32>
      %o = quweit.scale_counts %c tau(2.0) : tensor<2x2xi32> -> tensor<2x2xf32>
      quweit.yield %o : tensor<2x2xf32>
    }
    quweit.yield %r : tensor<2x2xf32>
  }
  return %y : tensor<2x2xf32>
}
