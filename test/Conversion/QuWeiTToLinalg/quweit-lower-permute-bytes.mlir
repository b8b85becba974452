// RUN: quweit-opt %s --quweit-lower-permute-bytes=target-features=+avx512vbmi | FileCheck %s --check-prefix=VBMI
// RUN: quweit-opt %s --quweit-lower-permute-bytes | FileCheck %s --check-prefix=PORTABLE
// RUN: quweit-opt %s --quweit-lower-permute-bytes=target-features=+avx512vbmi,-avx512vbmi | FileCheck %s --check-prefix=PORTABLE
// RUN: not quweit-opt %s --quweit-lower-permute-bytes=target-features=avx512vbmi 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: quweit-lower-permute-bytes: target feature 'avx512vbmi' must start with + or -

// A 128-byte table and 64 lanes: one vpermi2b on the table's halves.
// VBMI-LABEL: func.func @vbmi_shape
// VBMI: %[[LO:.*]] = vector.shuffle %arg0, %arg0 [0, 1, 2, {{.*}}, 63] : vector<128xi8>, vector<128xi8>
// VBMI: %[[HI:.*]] = vector.shuffle %arg0, %arg0 [64, 65, {{.*}}, 127] : vector<128xi8>, vector<128xi8>
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%[[LO]], %arg1, %[[HI]]) : (vector<64xi8>, vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// VBMI-NOT: quweit.permute_bytes
// Lacking vbmi, lane by lane, the index masked to the table size.
// PORTABLE-LABEL: func.func @vbmi_shape
// PORTABLE-NOT: llvm.call_intrinsic
// PORTABLE: %[[I:.*]] = vector.extract %arg1[0] : i8 from vector<64xi8>
// PORTABLE: %[[C:.*]] = arith.index_castui %[[I]] : i8 to index
// PORTABLE: %[[P:.*]] = arith.andi %[[C]], %c127 : index
// PORTABLE: vector.extract %arg0[%[[P]]] : i8 from vector<128xi8>
// PORTABLE-NOT: quweit.permute_bytes
func.func @vbmi_shape(%table: vector<128xi8>, %index: vector<64xi8>) -> vector<64xi8> {
  %0 = quweit.permute_bytes %table[%index] : vector<128xi8>, vector<64xi8>
  return %0 : vector<64xi8>
}

// Other shapes take the per-lane lowering even with VBMI.
// VBMI-LABEL: func.func @other_shape
// VBMI-NOT: llvm.call_intrinsic
// VBMI: arith.andi %{{.*}}, %c3 : index
// VBMI: vector.extract %arg0[%{{.*}}] : i8 from vector<4xi8>
// VBMI-NOT: quweit.permute_bytes
func.func @other_shape(%table: vector<4xi8>, %index: vector<2xi8>) -> vector<2xi8> {
  %0 = quweit.permute_bytes %table[%index] : vector<4xi8>, vector<2xi8>
  return %0 : vector<2xi8>
}
