// RUN: quweit-opt %s | FileCheck %s
// RUN: quweit-opt %s --mlir-print-op-generic | quweit-opt | FileCheck %s
// RUN: quweit-opt %s --emit-bytecode | quweit-opt | FileCheck %s

// CHECK-LABEL: lutarray.module @cells(%arg0: i4 {lutarray.name = "bits"}, %arg1: i8 {lutarray.name = "x"}) -> (i3 {lutarray.name = "count"}, i2)
// CHECK: %[[A:.*]] = lutarray.extract %arg0[0] : i4
// CHECK: %[[B:.*]] = lutarray.extract %arg0[3] : i4
// CHECK: %[[X:.*]] = lutarray.lut %[[A]], %[[B]] {table = 6 : ui4}
// CHECK: %[[G:.*]] = lutarray.gt %arg1, -3 : i8
// CHECK: %[[S:.*]] = lutarray.add %[[X]], %[[G]] : (i1, i1) -> i2
// CHECK: %[[C:.*]] = lutarray.constant {value = true} : i1
// CHECK: %[[T:.*]] = lutarray.add %[[S]], %[[C]] : (i2, i1) -> i3
// CHECK: %[[R:.*]] = lutarray.reg %[[T]] : i3
// CHECK: %[[K:.*]] = lutarray.concat %[[A]], %[[B]] : (i1, i1) -> i2
// CHECK: lutarray.output %[[R]], %[[K]] : i3, i2
lutarray.module @cells(%bits: i4 {lutarray.name = "bits"}, %x: i8 {lutarray.name = "x"}) -> (i3 {lutarray.name = "count"}, i2) {
  %a = lutarray.extract %bits[0] : i4
  %b = lutarray.extract %bits[3] : i4
  %xor = lutarray.lut %a, %b {table = 6 : ui4}
  %gt = lutarray.gt %x, -3 : i8
  %sum = lutarray.add %xor, %gt : (i1, i1) -> i2
  %one = lutarray.constant {value = 1 : i1} : i1
  %total = lutarray.add %sum, %one : (i2, i1) -> i3
  %r = lutarray.reg %total : i3
  %k = lutarray.concat %a, %b : (i1, i1) -> i2
  lutarray.output %r, %k : i3, i2
}

// CHECK-LABEL: lutarray.module @handshake
// CHECK: %[[A:.*]] = lutarray.not %arg2
// CHECK: %[[ADV:.*]] = lutarray.or %[[A]], %arg1
// CHECK: %[[V:.*]] = lutarray.reg %arg0 enable %[[ADV]] : i1
// CHECK: %[[GT:.*]] = lutarray.ugt %arg3, %arg4 : i3
// CHECK: lutarray.mux %[[GT]], %arg3, %arg4 : i3
lutarray.module @handshake(%in: i1, %ready: i1, %valid: i1, %a: i3, %b: i3) -> (i1, i3) {
  %n = lutarray.not %valid
  %advance = lutarray.or %n, %ready
  %v = lutarray.reg %in enable %advance : i1
  %gt = lutarray.ugt %a, %b : i3
  %m = lutarray.mux %gt, %a, %b : i3
  lutarray.output %v, %m : i1, i3
}

// A graph region: a register may feed a value defined before it.
// CHECK-LABEL: lutarray.module @loop
lutarray.module @loop(%ready: i1) -> (i1) {
  %stalled = lutarray.not %valid
  %advance = lutarray.or %stalled, %ready
  %valid = lutarray.reg %advance : i1
  lutarray.output %valid : i1
}
