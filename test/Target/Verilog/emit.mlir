// RUN: quweit-translate --emit-verilog %s | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t && quweit-translate --emit-verilog %s -o %t/cells.sv
// RUN: %if verilator %{ verilator --lint-only -Wall %t/cells.sv %}
// RUN: %if verilator %{ verilator --lint-only -Wall +define+SYNTHESIS %t/cells.sv %}
// RUN: quweit-translate --emit-hw-interface %s | FileCheck %s --check-prefix=JSON

// CHECK: module cells (
// CHECK-NEXT: /* verilator lint_off UNUSEDSIGNAL */
// CHECK-NEXT: input  logic clk,
// CHECK-NEXT: input  logic rst,
// CHECK-NEXT: input  logic [3:0] bits,
// CHECK-NEXT: input  logic [7:0] x,
// CHECK-NEXT: output logic [2:0] count,
// CHECK-NEXT: output logic [1:0] out1
// One lookup function per LUT size in use: a multiplexer tree for synthesis,
// an indexed table for simulators.
// CHECK: function automatic logic quweit_lut2(input logic [3:0] t, input logic [1:0] a);
// CHECK-NEXT: `ifdef SYNTHESIS
// CHECK-NEXT: quweit_lut2 = (a[1] ? (a[0] ? t[3] : t[2]) : (a[0] ? t[1] : t[0]));
// CHECK-NEXT: `else
// CHECK-NEXT: quweit_lut2 = t[a];
// CHECK-NEXT: `endif
// CHECK-NEXT: endfunction
// CHECK-NOT: function
// Declarations first (registers may close loops), then statements.
// CHECK: logic n_xor;
// Input 0 is address bit 0, so it comes last in the concatenation.
// CHECK: assign n_xor = quweit_lut2(4'h6, {bits[3], bits[0]});
// CHECK-NEXT: assign [[G:n[0-9]+]] = $signed(x) > $signed(8'hFD);
// CHECK-NEXT: assign [[S:.*]] = {1'd0, n_xor} + {1'd0, [[G]]};
// CHECK: always_ff @(posedge clk) begin
// CHECK-NEXT: if (rst) [[R:.*]] <= '0;
// CHECK-NEXT: else [[R]] <= n{{[0-9]+}};
// CHECK: assign count = [[R]];
// CHECK: assign out1 = n{{[0-9]+}};
// CHECK: endmodule

// JSON: "clocked": true
// JSON: "latency_cycles": 0
lutarray.module @cells(%bits: i4 {lutarray.name = "bits"}, %x: i8 {lutarray.name = "x"}) -> (i3 {lutarray.name = "count"}, i2) {
  %a = lutarray.extract %bits[0] : i4
  %b = lutarray.extract %bits[3] : i4
  %xor = lutarray.lut %a, %b {table = 6 : ui4, lutarray.name = "xor"}
  %gt = lutarray.gt %x, -3 : i8
  %sum = lutarray.add %xor, %gt : (i1, i1) -> i2
  %one = lutarray.constant {value = true} : i1
  %total = lutarray.add %sum, %one : (i2, i1) -> i3
  %r = lutarray.reg %total : i3
  %k = lutarray.concat %a, %b : (i1, i1) -> i2
  lutarray.output %r, %k : i3, i2
}
