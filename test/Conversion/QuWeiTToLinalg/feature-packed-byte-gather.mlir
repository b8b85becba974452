// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg=target-features=+avx512f,+avx512vbmi | FileCheck %s
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg | FileCheck %s --check-prefix=PORTABLE
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-linalg=target-features=-avx512vbmi | FileCheck %s --check-prefix=PORTABLE
// RUN: not quweit-opt %s --split-input-file --convert-quweit-to-linalg=target-features=avx512vbmi 2>&1 | FileCheck %s --check-prefix=BADFEATURE

// BADFEATURE: target feature 'avx512vbmi' must start with + or -

// Two LUTs over 70 input bits (9 bytes: one 128-byte chunk). LUT 0 reads
// bits 0 and 69 (byte 8, bit 5 -> mask 32), LUT 1 bits 8 and 1 (byte 1 bit 0,
// byte 0 bit 1). Transposed tables: entry e's word has bit j = entry e of LUT
// j: LUT 0 = and (entry 3), LUT 1 = xor (entries 1, 2): words 0, 2, 2, 1.
// CHECK-LABEL: func.func @two_luts
// CHECK-DAG: arith.constant dense<{{\[\[}}[0, 0, 0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<1x4x8xi64>
// Byte indices [slot][group][lane] (512 bytes a slot): slot 0 = 0, 1; slot 1 = 8, 0.
// CHECK-DAG: arith.constant dense<"0x0001{{(00){255}(00){254}00}}0800{{(00){255}(00){254}00}}"> : tensor<1x2x8x64xi8>
// Bit masks: slot 0 = 1 << 0, 1 << 0; slot 1 = 1 << 5, 1 << 1.
// CHECK-DAG: arith.constant dense<"0x0101{{(00){255}(00){254}00}}2002{{(00){255}(00){254}00}}"> : tensor<1x2x8x64xi8>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: scf.for
// CHECK: vector.load %{{.*}} : memref<128xi8>, vector<128xi8>
// CHECK: scf.for
// CHECK: quweit.permute_bytes %{{.*}}[%{{.*}}] : vector<128xi8>, vector<64xi8>
// CHECK: arith.cmpi ne, %{{.*}} : vector<64xi8>
// CHECK: vector.bitcast %{{.*}} : vector<64xi1> to vector<1xi64>
// CHECK: vector.from_elements {{.*}} : vector<8xi64>
// CHECK: bufferization.to_tensor %{{.*}} restrict writable : memref<?x1xi64>
// PORTABLE-LABEL: func.func @two_luts
// PORTABLE-NOT: quweit.permute_bytes
// PORTABLE: linalg.generic
func.func @two_luts(%w: tensor<?x2xi64>) -> tensor<?x1xi64> {
  %0 = quweit.packed_lut_layer %w layout(<feature_packed>) num_inputs(70)
      mapping(dense<[[0, 69], [8, 1]]> : tensor<2x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, false]]> : tensor<2x4xi1>)
      : tensor<?x2xi64> -> tensor<?x1xi64>
  return %0 : tensor<?x1xi64>
}
