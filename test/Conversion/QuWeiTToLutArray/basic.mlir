// RUN: quweit-opt %s --split-input-file --convert-quweit-to-lutarray --verify-diagnostics | FileCheck %s
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-lutarray=thermometer=comparators --verify-diagnostics | FileCheck %s --check-prefix=CMP
// RUN: quweit-opt %s --split-input-file --convert-quweit-to-lutarray=group-sum=compressors --verify-diagnostics | FileCheck %s --check-prefix=COMP
// RUN: not quweit-opt %s --convert-quweit-to-lutarray=group-sum=wallace 2>&1 | FileCheck %s --check-prefix=BADMODE
// BADMODE: unknown group-sum mode 'wallace' (use adders or compressors)

// Thermometer bits become an input port; each LUT one cell (inputs least
// significant first); each group a balanced adder tree and an output port.
// CHECK-LABEL: lutarray.module @main(%arg0: i4 {lutarray.name = "bits"}) -> (i2 {lutarray.name = "count0"}, i1 {lutarray.name = "count1"})
// CHECK-SAME: lutarray.tau = 2.000000e+00
// CHECK-DAG: %[[B0:.*]] = lutarray.extract %arg0[0] : i4
// CHECK-DAG: %[[B1:.*]] = lutarray.extract %arg0[1] : i4
// CHECK-DAG: %[[B2:.*]] = lutarray.extract %arg0[2] : i4
// CHECK: %[[L0:.*]] = lutarray.lut %[[B0]], %[[B2]] {lutarray.name = "layer0_lut0", table = 8 : ui4}
// CHECK: %[[L1:.*]] = lutarray.lut %[[B1]], %{{.*}} {lutarray.name = "layer0_lut1", table = 6 : ui4}
// CHECK: %[[L2:.*]] = lutarray.lut %[[B0]], %[[B1]] {lutarray.name = "layer0_lut2", table = 10 : ui4}
// CHECK: %[[S:.*]] = lutarray.add %[[L0]], %[[L1]] {lutarray.name = "group0_add0"} : (i1, i1) -> i2
// CHECK: lutarray.output %[[S]], %[[L2]] : i2, i1
// CMP-LABEL: lutarray.module @main(%arg0: i8 {lutarray.name = "x0"}, %arg1: i8 {lutarray.name = "x1"})
// CMP-SAME: lutarray.frac_bits = 4
// Thresholds 0.0 and 1.0 at 4 fractional bits: codes 0 and 16.
// CMP-DAG: lutarray.gt %arg0, 0 {{.*}}: i8
// CMP-DAG: lutarray.gt %arg0, 16 {{.*}}: i8
// CMP-DAG: lutarray.gt %arg1, 0 {{.*}}: i8
func.func @main(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %t = quweit.thermometer %x thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
  %l = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 1]]> : tensor<3x2xi32>)
      tables(dense<[[false, false, false, true], [false, true, true, false], [false, true, false, true]]> : tensor<3x4xi1>)
      : tensor<?x4xi1> -> tensor<?x3xi1>
  %s = quweit.group_sum %l : tensor<?x3xi1> -> tensor<?x2xi32>
  %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// -----

// Fan-in 7 decomposes into two LUT6 cofactors and a 2:1 multiplexer LUT.
// CHECK-LABEL: lutarray.module @wide
// CHECK: %[[C0:.*]] = lutarray.lut {{.*}} {table = {{.*}} : ui64}
// CHECK: %[[C1:.*]] = lutarray.lut {{.*}} {table = {{.*}} : ui64}
// CHECK: lutarray.lut %[[C0]], %[[C1]], %{{.*}} {lutarray.name = "layer0_lut0", table = 202 : ui8}
func.func @wide(%x: tensor<?x7xi1>) -> tensor<?x1xi32> {
  %l = quweit.lut_layer %x mapping(dense<[[0, 1, 2, 3, 4, 5, 6]]> : tensor<1x7xi32>)
      tables(dense<true> : tensor<1x128xi1>) : tensor<?x7xi1> -> tensor<?x1xi1>
  %s = quweit.group_sum %l : tensor<?x1xi1> -> tensor<?x1xi32>
  return %s : tensor<?x1xi32>
}

// -----

func.func @unsupported(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'arith.addf' cannot be lowered to hardware}}
  %y = arith.addf %x, %x : tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// group-sum=compressors: 7 bits -> a 6-bit counter (one LUT6 per bit of its
// count: parity, bit 1, bit 2) and the seventh bit; column 0 then holds two
// bits, so one 3-bit adder sums the rows {c0, c1, c2} and {b6, 0, 0}.
// COMP-LABEL: lutarray.module @counters
// COMP: %[[C0:.*]] = lutarray.lut %[[I0:.*]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[I5:.*]] {lutarray.name = "group0_count0_bit0", table = 7608434000728254870 : ui64}
// COMP: %[[C1:.*]] = lutarray.lut %[[I0]], {{.*}}, %[[I5]] {lutarray.name = "group0_count0_bit1", table = 9301929385684532968 : ui64}
// COMP: %[[C2:.*]] = lutarray.lut %[[I0]], {{.*}}, %[[I5]] {lutarray.name = "group0_count0_bit2", table = 18368186720584761344 : ui64}
// COMP: %[[Z:.*]] = lutarray.constant {value = false} : i1
// COMP: %[[A:.*]] = lutarray.concat %[[C0]], %[[C1]], %[[C2]] : (i1, i1, i1) -> i3
// COMP: %[[B:.*]] = lutarray.concat %{{.*}}, %[[Z]], %[[Z]] : (i1, i1, i1) -> i3
// COMP: %[[S:.*]] = lutarray.add %[[A]], %[[B]] {lutarray.name = "group0_sum"} : (i3, i3) -> i3
// COMP: lutarray.output %[[S]] : i3
func.func @counters(%x: tensor<?x7xi1>) -> tensor<?x1xi32> {
  %s = quweit.group_sum %x : tensor<?x7xi1> -> tensor<?x1xi32>
  return %s : tensor<?x1xi32>
}

// -----

// Counts nothing reads still become the circuit's outputs (no crash).
// CHECK-LABEL: lutarray.module @unused_counts
// CHECK-SAME: -> (i2 {lutarray.name = "count0"}, i2 {lutarray.name = "count1"})
func.func @unused_counts(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  %s = quweit.group_sum %x : tensor<?x4xi1> -> tensor<?x2xi32>
  return %x : tensor<?x4xi1>
}
