// Behavioural models of the Xilinx LUT1..LUT6 primitives (INIT bit a is the
// output for address {I(k-1), ..., I0} = a), for simulating Verilog emitted
// with --verilog-lut-style=xilinx outside the vendor's libraries. Test only.
module LUT1 #(parameter logic [1:0] INIT = '0) (output logic O, input logic I0);
  assign O = INIT[I0];
endmodule
module LUT2 #(parameter logic [3:0] INIT = '0) (output logic O, input logic I0, I1);
  assign O = INIT[{I1, I0}];
endmodule
module LUT3 #(parameter logic [7:0] INIT = '0) (output logic O, input logic I0, I1, I2);
  assign O = INIT[{I2, I1, I0}];
endmodule
module LUT4 #(parameter logic [15:0] INIT = '0) (output logic O, input logic I0, I1, I2, I3);
  assign O = INIT[{I3, I2, I1, I0}];
endmodule
module LUT5 #(parameter logic [31:0] INIT = '0) (output logic O, input logic I0, I1, I2, I3, I4);
  assign O = INIT[{I4, I3, I2, I1, I0}];
endmodule
module LUT6 #(parameter logic [63:0] INIT = '0) (output logic O, input logic I0, I1, I2, I3, I4, I5);
  assign O = INIT[{I5, I4, I3, I2, I1, I0}];
endmodule
