// RUN: quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut="tables=%S/Inputs/mlp-tables.mlir" 2>/dev/null | FileCheck %s
// RUN: quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut="tables=%S/Inputs/mlp-tables.mlir remarks=true allow-missing=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// Without tables nothing changes; the remarks list the MLPs found.
// RUN: quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut=remarks=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTABLES
// RUN: quweit-opt %s --split-input-file --quweit-convert-mlp-to-lut 2>/dev/null | FileCheck %s --check-prefix=SAME

// The exporter's form: rows flattened, linalg.matmul, bias and exact GELU as
// linalg.generic (as python/quweit/export.py writes the dense twin).
// CHECK-LABEL: func.func @export_form
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: linalg
// CHECK: %[[F:.*]] = quweit.lut_ffn %[[X]] {quweit.dense_hidden = 8 : i64, quweit.mlp = "mlp0"} : tensor<?x4xf32> -> tensor<?x4xf32> {
// CHECK: quweit.thermometer
// CHECK-NOT: linalg
// CHECK: return %[[F]]
// REMARK: remark: converted MLP 'mlp0' (4 -> 8 -> 4, GELU(erf)) to a LUT FFN (1 LUT layers, 8 LUTs)
// REMARK: remark: quweit-convert-mlp-to-lut: 1 of 1 MLPs converted, 0 left dense
// NOTABLES: remark: MLP 'mlp0' (4 -> 8 -> 4, GELU(erf)) not converted: no tables= file given
// SAME-LABEL: func.func @export_form
// SAME-COUNT-2: linalg.matmul
// SAME-NOT: quweit.lut_ffn
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @export_form(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.25> : tensor<4x8xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8]> : tensor<8xf32>
  %w2 = arith.constant dense<-0.125> : tensor<8x4xf32>
  %b2 = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e1 = tensor.empty(%b) : tensor<?x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<?x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m1, %b1 : tensor<?x8xf32>, tensor<8xf32>) outs(%e1 : tensor<?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r = arith.addf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y1 : tensor<?x8xf32>) outs(%e1 : tensor<?x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %k = arith.constant 0.707106769 : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %s = arith.mulf %a, %k : f32
    %e = math.erf %s : f32
    %p = arith.addf %e, %one : f32
    %h = arith.mulf %a, %half : f32
    %r = arith.mulf %h, %p : f32
    linalg.yield %r : f32
  } -> tensor<?x8xf32>
  %e2 = tensor.empty(%b) : tensor<?x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %m2 = linalg.matmul ins(%g, %w2 : tensor<?x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m2, %b2 : tensor<?x4xf32>, tensor<4xf32>) outs(%e2 : tensor<?x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r = arith.addf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x4xf32>
  return %y2 : tensor<?x4xf32>
}

// -----

// Tokens not flattened ([B, T, D]): generic contractions, the bias fused into
// the tanh-GELU generic, the second bias in the contraction's init. Static
// shapes: collapse to rows, cast to the table's dynamic rows and back.
// CHECK-LABEL: func.func @tokens_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[D:.*]] = tensor.cast %[[C]] : tensor<6x4xf32> to tensor<?x4xf32>
// CHECK: %[[F:.*]] = quweit.lut_ffn %[[D]] {quweit.dense_hidden = 8 : i64
// CHECK: %[[S:.*]] = tensor.cast %[[F]] : tensor<?x4xf32> to tensor<6x4xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 4]
// CHECK-NOT: linalg
// CHECK: return %[[E]]
// REMARK: remark: converted MLP 'mlp0' (4 -> 8 -> 4, GELU(tanh))
#x3 = affine_map<(b, t, h, d) -> (b, t, d)>
#w3 = affine_map<(b, t, h, d) -> (d, h)>
#o3 = affine_map<(b, t, h, d) -> (b, t, h)>
#id3 = affine_map<(b, t, h) -> (b, t, h)>
#ch3 = affine_map<(b, t, h) -> (h)>
func.func @tokens_tanh(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8]> : tensor<8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %b2 = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e1 = tensor.empty() : tensor<2x3x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %m1 = linalg.generic {indexing_maps = [#x3, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w1 : tensor<2x3x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %p = arith.mulf %a, %w : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x8xf32>
  %g = linalg.generic {indexing_maps = [#id3, #ch3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%m1, %b1 : tensor<2x3x8xf32>, tensor<8xf32>) outs(%e1 : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %z = arith.addf %a, %c : f32
    %k0 = arith.constant 0.797884583 : f32
    %k1 = arith.constant 4.471500e-02 : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %z2 = arith.mulf %z, %z : f32
    %z3 = arith.mulf %z2, %z : f32
    %t1 = arith.mulf %z3, %k1 : f32
    %t2 = arith.addf %z, %t1 : f32
    %t3 = arith.mulf %t2, %k0 : f32
    %th = math.tanh %t3 : f32
    %t4 = arith.addf %th, %one : f32
    %hz = arith.mulf %half, %z : f32
    %r = arith.mulf %hz, %t4 : f32
    linalg.yield %r : f32
  } -> tensor<2x3x8xf32>
  %e2 = tensor.empty() : tensor<2x3x4xf32>
  %init = linalg.broadcast ins(%b2 : tensor<4xf32>) outs(%e2 : tensor<2x3x4xf32>) dimensions = [0, 1]
  %m2 = linalg.generic {indexing_maps = [#x3, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g, %w2 : tensor<2x3x8xf32>, tensor<8x4xf32>) outs(%init : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %p = arith.mulf %a, %w : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  return %m2 : tensor<2x3x4xf32>
}

// -----

// Batch matmul with the weight broadcast over the batch (linalg.broadcast),
// bias by linalg.add, ReLU as arith.maximumf on tensors; dynamic batch.
// CHECK-LABEL: func.func @batch_matmul_relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
// CHECK: %[[F:.*]] = quweit.lut_ffn %[[C]]
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[F]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], 3, 4]
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[E]]
// REMARK: remark: converted MLP 'mlp0' (4 -> 8 -> 4, ReLU)
func.func @batch_matmul_relu(%x: tensor<?x3x4xf32>) -> tensor<?x3x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x3x4xf32>
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8]> : tensor<8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %ew1 = tensor.empty(%n) : tensor<?x4x8xf32>
  %bw1 = linalg.broadcast ins(%w1 : tensor<4x8xf32>) outs(%ew1 : tensor<?x4x8xf32>) dimensions = [0]
  %ew2 = tensor.empty(%n) : tensor<?x8x4xf32>
  %bw2 = linalg.broadcast ins(%w2 : tensor<8x4xf32>) outs(%ew2 : tensor<?x8x4xf32>) dimensions = [0]
  %e1 = tensor.empty(%n) : tensor<?x3x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  %m1 = linalg.batch_matmul ins(%x, %bw1 : tensor<?x3x4xf32>, tensor<?x4x8xf32>) outs(%f1 : tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  %bb1 = linalg.broadcast ins(%b1 : tensor<8xf32>) outs(%e1 : tensor<?x3x8xf32>) dimensions = [0, 1]
  %y1 = linalg.add ins(%m1, %bb1 : tensor<?x3x8xf32>, tensor<?x3x8xf32>) outs(%e1 : tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  %r = arith.maximumf %y1, %zeros : tensor<?x3x8xf32>
  %e2 = tensor.empty(%n) : tensor<?x3x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %m2 = linalg.batch_matmul ins(%r, %bw2 : tensor<?x3x8xf32>, tensor<?x8x4xf32>) outs(%f2 : tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  return %m2 : tensor<?x3x4xf32>
}

// -----

// Exact GELU written as arith/math ops on tensors (a DAG, not a chain), the
// bias by arith.addf with a broadcast constant; the linears named by
// locations: the MLP is "blocks.0.ffn" (their common dotted prefix).
// CHECK-LABEL: func.func @tensor_ops_named
// CHECK: quweit.lut_ffn
// CHECK: quweit.mlp = "blocks.0.ffn"
// CHECK-NOT: math.erf
// REMARK: loc("blocks.0.ffn.fc1"): converted MLP 'blocks.0.ffn' (4 -> 8 -> 4, GELU(erf))
func.func @tensor_ops_named(%x: tensor<5x4xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %b1 = arith.constant dense<[[0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8]]> : tensor<1x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32> loc("blocks.0.ffn.fc1")
  %bv = tensor.collapse_shape %b1 [[0, 1]] : tensor<1x8xf32> into tensor<8xf32>
  %bb = linalg.broadcast ins(%bv : tensor<8xf32>) outs(%e1 : tensor<5x8xf32>) dimensions = [0]
  %y = arith.addf %m1, %bb : tensor<5x8xf32>
  %rs2 = arith.constant dense<1.41421354> : tensor<5x8xf32>
  %halfs = arith.constant dense<0.5> : tensor<5x8xf32>
  %ones = arith.constant dense<1.0> : tensor<5x8xf32>
  %s = arith.divf %y, %rs2 : tensor<5x8xf32>
  %e = math.erf %s : tensor<5x8xf32>
  %p = arith.addf %ones, %e : tensor<5x8xf32>
  %h = arith.mulf %halfs, %y : tensor<5x8xf32>
  %g = arith.mulf %h, %p : tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%g, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32> loc("blocks.0.ffn.fc2")
  return %m2 : tensor<5x4xf32>
}

// -----

// Inside a transformer block with one MLP, the block's name names it; the
// residual add after the MLP stays (it reads the block input).
// CHECK-LABEL: func.func @in_block
// CHECK: quweit.transformer_block "block7"
// CHECK: %[[F:.*]] = quweit.lut_ffn
// CHECK: quweit.mlp = "block7"
// CHECK: arith.addf %{{.*}}, %[[F]] : tensor<?x4xf32>
// REMARK: remark: converted MLP 'block7' (4 -> 8 -> 4, ReLU)
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @in_block(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = quweit.transformer_block "block7" (%x) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%in: tensor<?x4xf32>):
    %c0 = arith.constant 0 : index
    %n = tensor.dim %in, %c0 : tensor<?x4xf32>
    %zero = arith.constant 0.0 : f32
    %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
    %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
    %e1 = tensor.empty(%n) : tensor<?x8xf32>
    %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %m1 = linalg.matmul ins(%in, %w1 : tensor<?x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%m1 : tensor<?x8xf32>) outs(%e1 : tensor<?x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %z = arith.constant 0.0 : f32
      %c = arith.cmpf ogt, %a, %z : f32
      %s = arith.select %c, %a, %z : f32
      linalg.yield %s : f32
    } -> tensor<?x8xf32>
    %e2 = tensor.empty(%n) : tensor<?x4xf32>
    %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %m2 = linalg.matmul ins(%r, %w2 : tensor<?x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %res = arith.addf %in, %m2 : tensor<?x4xf32>
    quweit.yield %res : tensor<?x4xf32>
  }
  return %y : tensor<?x4xf32>
}

// -----

// Left alone: no activation between the linears.
// CHECK-LABEL: func.func @no_activation
// CHECK-COUNT-2: linalg.matmul
// CHECK-NOT: quweit.lut_ffn
// REMARK: remark: MLP-shaped pattern not converted: there is no activation between the linears
// REMARK: remark: quweit-convert-mlp-to-lut: 0 of 1 MLPs converted, 1 left dense
func.func @no_activation(%x: tensor<5x4xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %b1 = arith.constant dense<0.3> : tensor<5x8xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %y = arith.addf %m1, %b1 : tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%y, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %m2 : tensor<5x4xf32>
}

// -----

// Left alone: SiLU (x * sigmoid(x)) is not GELU or ReLU.
// CHECK-LABEL: func.func @silu
// CHECK: math.exp
// CHECK-NOT: quweit.lut_ffn
// REMARK: remark: MLP-shaped pattern not converted: the activation is not GELU (erf or tanh) or ReLU (hidden unit 0)
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @silu(%x: tensor<5x4xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m1 : tensor<5x8xf32>) outs(%e1 : tensor<5x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %one, %ex : f32
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%s, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %m2 : tensor<5x4xf32>
}

// -----

// Left alone: the hidden activations are also a result of the function.
// CHECK-LABEL: func.func @hidden_escapes
// CHECK-COUNT-2: linalg.matmul
// CHECK-NOT: quweit.lut_ffn
// REMARK: remark: MLP-shaped pattern not converted: a hidden value is used by 'func.return' outside the MLP
func.func @hidden_escapes(%x: tensor<5x4xf32>) -> (tensor<5x4xf32>, tensor<5x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %zeros = arith.constant dense<0.0> : tensor<5x8xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %r = arith.maxnumf %m1, %zeros : tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%r, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %m2, %r : tensor<5x4xf32>, tensor<5x8xf32>
}

// -----

// Attention is untouched and not reported: q k^T and p v contract two
// activations (no constant weight), and the projections' results are
// reshaped or mixed with the residual, not fed through an activation into
// a second linear.
// CHECK-LABEL: func.func @attention
// CHECK: linalg.matmul
// CHECK: linalg.batch_matmul
// CHECK: linalg.batch_matmul
// CHECK: linalg.matmul
// CHECK-NOT: quweit.lut_ffn
// REMARK-NOT: remark: MLP
// REMARK: remark: quweit-convert-mlp-to-lut: 0 of 0 MLPs converted, 0 left dense
func.func @attention(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %wq = arith.constant dense<0.5> : tensor<8x8xf32>
  %wo = arith.constant dense<0.25> : tensor<8x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %q3 = tensor.expand_shape %q [[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
  %x3 = tensor.expand_shape %x [[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
  %et = tensor.empty() : tensor<1x8x4xf32>
  %kt = linalg.transpose ins(%x3 : tensor<1x4x8xf32>) outs(%et : tensor<1x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<1x4x4xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %s = linalg.batch_matmul ins(%q3, %kt : tensor<1x4x8xf32>, tensor<1x8x4xf32>) outs(%fs : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %p = math.exp %s : tensor<1x4x4xf32>
  %eo = tensor.empty() : tensor<1x4x8xf32>
  %fo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %x3 : tensor<1x4x4xf32>, tensor<1x4x8xf32>) outs(%fo : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %o2 = tensor.collapse_shape %o [[0, 1], [2]] : tensor<1x4x8xf32> into tensor<4x8xf32>
  %a = linalg.matmul ins(%o2, %wo : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = arith.addf %x, %a : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Weights and biases passed as function arguments (hand-written IR): a
// weight is an argument the input is not computed from. The biases' values
// are unknown, so the activation is checked under two arbitrary bias
// vectors.
// CHECK-LABEL: func.func @weights_as_arguments
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4xf32>
// CHECK: %[[F:.*]] = quweit.lut_ffn %[[X]] {quweit.dense_hidden = 8 : i64, quweit.mlp = "mlp0"}
// CHECK-NOT: linalg.matmul
// CHECK: return %[[F]]
// REMARK: remark: converted MLP 'mlp0' (4 -> 8 -> 4, GELU(erf))
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @weights_as_arguments(%x: tensor<?x4xf32>, %w1: tensor<4x8xf32>, %b1: tensor<8xf32>,
                                %w2: tensor<8x4xf32>, %b2: tensor<4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty(%n) : tensor<?x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<?x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m1, %b1 : tensor<?x8xf32>, tensor<8xf32>) outs(%e1 : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %k = arith.constant 0.707106769 : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %z = arith.addf %a, %b : f32
    %s = arith.mulf %z, %k : f32
    %e = math.erf %s : f32
    %p = arith.addf %e, %one : f32
    %h = arith.mulf %z, %half : f32
    %r = arith.mulf %h, %p : f32
    linalg.yield %r : f32
  } -> tensor<?x8xf32>
  %e2 = tensor.empty(%n) : tensor<?x4xf32>
  %bb = linalg.broadcast ins(%b2 : tensor<4xf32>) outs(%e2 : tensor<?x4xf32>) dimensions = [0]
  %m2 = linalg.matmul ins(%g, %w2 : tensor<?x8xf32>, tensor<8x4xf32>) outs(%bb : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %m2 : tensor<?x4xf32>
}

// -----

// Left alone: the activation is multiplied by an argument that may differ
// from row to row.
// CHECK-LABEL: func.func @scaled_by_argument
// CHECK-COUNT-2: linalg.matmul
// REMARK: remark: MLP-shaped pattern not converted: an operand of the ops between the linears varies along the rows or cannot be read
func.func @scaled_by_argument(%x: tensor<5x4xf32>, %s: tensor<5x8xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x8xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x4xf32>
  %zeros = arith.constant dense<0.0> : tensor<5x8xf32>
  %e1 = tensor.empty() : tensor<5x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<5x4xf32>, tensor<4x8xf32>) outs(%f1 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %r = arith.maximumf %m1, %zeros : tensor<5x8xf32>
  %sc = arith.mulf %r, %s : tensor<5x8xf32>
  %e2 = tensor.empty() : tensor<5x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %m2 = linalg.matmul ins(%sc, %w2 : tensor<5x8xf32>, tensor<8x4xf32>) outs(%f2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %m2 : tensor<5x4xf32>
}
