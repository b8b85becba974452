// Specialised LUT kernels defined as LLVM dialect code, in the vpternlog form
// and in the and/or/xor form.
// RUN: quweit-opt %s --split-input-file --quweit-emit-lut-kernels="ternlog=1" | FileCheck %s --check-prefix=TERN
// RUN: quweit-opt %s --split-input-file --quweit-emit-lut-kernels | FileCheck %s --check-prefix=BOOL

// Addresses: input slot 0 is address bit 0. LUT 0: majority of in[4], in[1],
// in[2] (table 0xE8: one ternlog, operands highest slot first; its fourth
// input, in[4] again, is ignored). LUT 1: in[3] ?
// xor3 : majority (two shared-operand ternlogs and a mux, immediate 0xCA).
// LUT 2: in[0] & majority (the mux's constant 0 cofactor folded: 0xC0).
// LUT 3: constant 1, LUT 4: the input in[2] itself, LUT 5: not in[0] (0x55).
// Each input word is loaded once per loop body.
// The kernel loops over groups of 16 LUTs, then word rows, and calls the
// group's straight-line function (a switch on the group) with the row's
// first input word and the group's first output word.
// TERN-LABEL: llvm.func internal @__quweit_lut_kernel(
// TERN-SAME: %[[INA:[^:]*]]: !llvm.ptr, %[[IN:[^:]*]]: !llvm.ptr, %[[INOFF:[^:]*]]: i64,
// TERN-SAME: %[[OUT:arg8]]: !llvm.ptr, %[[OUTOFF:arg9]]: i64, %[[ROWS:arg10]]: i64,
// TERN-SAME: passthrough = ["quweit-lut-kernel"]
// TERN-DAG: %[[C5:.*]] = llvm.mlir.constant(5 : i64) : i64
// TERN-DAG: %[[C6:.*]] = llvm.mlir.constant(6 : i64) : i64
// TERN: %[[INBASE:.*]] = llvm.getelementptr %[[IN]][%[[INOFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, i512
// TERN: %[[OUTBASE:.*]] = llvm.getelementptr %[[OUT]][%[[OUTOFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, i512
// TERN: ^bb1(%[[GROUP:.*]]: i64):
// TERN: %[[GROUPS:.*]] = llvm.mlir.constant(1 : i64) : i64
// TERN: llvm.icmp "slt" %[[GROUP]], %[[GROUPS]]
// TERN: llvm.cond_br %{{.*}}, ^bb2(%{{.*}} : i64), ^bb6
// TERN: ^bb2(%[[ROW:.*]]: i64):
// TERN: %[[MORE:.*]] = llvm.icmp "slt" %[[ROW]], %[[ROWS]]
// TERN: llvm.cond_br %[[MORE]], ^bb3, ^bb5
// TERN: ^bb3:
// TERN: %[[INOFS:.*]] = llvm.mul %[[ROW]], %[[C5]] : i64
// TERN: %[[INROW:.*]] = llvm.getelementptr %[[INBASE]][%[[INOFS]]]
// TERN: %[[OUTOFS:.*]] = llvm.mul %[[ROW]], %[[C6]] : i64
// TERN: %[[OUTROW:.*]] = llvm.getelementptr %[[OUTBASE]][%[[OUTOFS]]]
// TERN: %[[C16:.*]] = llvm.mlir.constant(16 : i64) : i64
// TERN: %[[FIRST:.*]] = llvm.mul %[[GROUP]], %[[C16]] : i64
// TERN: %[[OUTG:.*]] = llvm.getelementptr %[[OUTROW]][%[[FIRST]]]
// TERN: llvm.switch %[[GROUP]] : i64, ^bb4 [
// TERN-NEXT: 0: ^bb7
// TERN: ^bb6:
// TERN-NEXT: llvm.return
// TERN: ^bb7:
// TERN-NEXT: llvm.call @__quweit_lut_kernel_luts0(%[[INROW]], %[[OUTG]])
// TERN-NEXT: llvm.br ^bb4
// TERN-LABEL: llvm.func internal @__quweit_lut_kernel_luts0(
// TERN-SAME: %[[X:.*]]: !llvm.ptr, %[[Y:.*]]: !llvm.ptr) attributes {no_inline, passthrough = ["quweit-lut-kernel"]}
// TERN-DAG: %[[NOT:.*]] = llvm.mlir.constant(85 : i32) : i32
// TERN-DAG: %[[AND:.*]] = llvm.mlir.constant(192 : i32) : i32
// TERN-DAG: %[[MUX:.*]] = llvm.mlir.constant(202 : i32) : i32
// TERN-DAG: %[[XOR3:.*]] = llvm.mlir.constant(150 : i32) : i32
// TERN-DAG: %[[MAJ:.*]] = llvm.mlir.constant(232 : i32) : i32
// TERN-DAG: %[[ONES:.*]] = llvm.mlir.constant(dense<-1> : vector<8xi64>) : vector<8xi64>
// TERN: %[[P4:.*]] = llvm.getelementptr %[[X]][4] : (!llvm.ptr) -> !llvm.ptr, i512
// TERN: %[[X4:.*]] = llvm.load %[[P4]] {alignment = 8 : i64} : !llvm.ptr -> vector<8xi64>
// TERN: %[[X1:.*]] = llvm.load
// TERN: %[[X2:.*]] = llvm.load
// TERN-NOT: llvm.load
// TERN: %[[M:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X2]], %[[X1]], %[[X4]], %[[MAJ]])
// TERN: %[[Q0:.*]] = llvm.getelementptr %[[Y]][0]
// TERN: llvm.store %[[M]], %[[Q0]] {alignment = 8 : i64} : vector<8xi64>, !llvm.ptr
// TERN: %[[X3:.*]] = llvm.load
// TERN-DAG: %[[M1:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X2]], %[[X1]], %[[X4]], %[[MAJ]])
// TERN-DAG: %[[XO:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X2]], %[[X1]], %[[X4]], %[[XOR3]])
// TERN: %[[SEL:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X3]], %[[XO]], %[[M1]], %[[MUX]])
// TERN: llvm.store %[[SEL]]
// TERN: %[[X0:.*]] = llvm.load
// TERN: %[[M2:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X2]], %[[X1]], %[[X4]], %[[MAJ]])
// TERN: %[[A:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X0]], %[[M2]], %[[M2]], %[[AND]])
// TERN: llvm.store %[[A]]
// TERN: llvm.store %[[ONES]]
// TERN: llvm.store %[[X2]]
// TERN: %[[N:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pternlog.q.512"(%[[X2]], %[[X1]], %[[X0]], %[[NOT]])
// TERN: %[[Q5:.*]] = llvm.getelementptr %[[Y]][5]
// TERN: llvm.store %[[N]], %[[Q5]]
// TERN-NEXT: llvm.return
// TERN-NOT: quweit.lut_kernel

// Without ternlog: Shannon expansion into and/or/xor.
// BOOL-LABEL: llvm.func internal @__quweit_lut_kernel_luts0(
// BOOL-NOT: call_intrinsic
// BOOL: llvm.and {{.*}} : vector<8xi64>
// BOOL: llvm.xor {{.*}} : vector<8xi64>
// BOOL: llvm.return
llvm.func @__quweit_lut_kernel(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                               !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[4, 1, 2, 4], [4, 1, 2, 3], [4, 1, 2, 0], [0, 0, 0, 0], [1, 2, 0, 0], [0, 1, 2, 3]]> : tensor<6x4xi32>,
      tables = dense<[
        [0,0,0,1,0,1,1,1, 0,0,0,1,0,1,1,1],
        [0,0,0,1,0,1,1,1, 0,1,1,0,1,0,0,1],
        [0,0,0,0,0,0,0,0, 0,0,0,1,0,1,1,1],
        [1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1],
        [0,0,1,1,0,0,1,1, 0,0,1,1,0,0,1,1],
        [1,0,1,0,1,0,1,0, 1,0,1,0,1,0,1,0]]> : tensor<6x16xi1>,
      word_type = i512, num_inputs = 5 : i64, input_row_stride = 5 : i64, output_row_stride = 6 : i64}}

// -----

// 64-bit words: no ternlog even when asked; 17 LUTs make two functions of 16
// and 1.
// TERN-LABEL: llvm.func internal @scalar(
// TERN: llvm.switch
// TERN-NEXT: 0: ^[[G0:bb[0-9]+]],
// TERN-NEXT: 1: ^[[G1:bb[0-9]+]]
// TERN: ^[[G0]]:
// TERN-NEXT: llvm.call @scalar_luts0(
// TERN: ^[[G1]]:
// TERN-NEXT: llvm.call @scalar_luts16(
// TERN-LABEL: llvm.func internal @scalar_luts0(
// TERN-NOT: call_intrinsic
// TERN: llvm.and {{.*}} : i64
// TERN-LABEL: llvm.func internal @scalar_luts16(
// TERN: llvm.and {{.*}} : i64
// TERN: llvm.store {{.*}} {alignment = 8 : i64} : i64, !llvm.ptr
// TERN-NEXT: llvm.return
llvm.func @scalar(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                  !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<[[0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1]]> : tensor<17x2xi32>,
      tables = dense<[[0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1]]> : tensor<17x4xi1>,
      word_type = i64, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 17 : i64}}

// -----

// No LUTs: the loops call nothing.
// TERN-LABEL: llvm.func internal @empty
// TERN: llvm.mlir.constant(0 : i64) : i64
// TERN-NOT: llvm.call
// TERN: llvm.return
// TERN-NOT: llvm.func
llvm.func @empty(!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64,
                 !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64)
    attributes {quweit.lut_kernel = {
      mapping = dense<> : tensor<0x2xi32>, tables = dense<> : tensor<0x4xi1>,
      word_type = i512, num_inputs = 2 : i64, input_row_stride = 2 : i64, output_row_stride = 0 : i64}}
