// RUN: quweit-opt %s -split-input-file -verify-diagnostics

lutarray.module @seven(%a: i1) -> (i1) {
  // expected-error @+1 {{a LUT cell has 1 to 6 inputs, got 7}}
  %x = lutarray.lut %a, %a, %a, %a, %a, %a, %a {table = 0 : ui128}
  lutarray.output %x : i1
}

// -----

lutarray.module @table_width(%a: i1, %b: i1) -> (i1) {
  // expected-error @+1 {{table of 2 inputs must be i4, got i8}}
  %x = lutarray.lut %a, %b {table = 6 : ui8}
  lutarray.output %x : i1
}

// -----

lutarray.module @extract_range(%a: i4) -> (i1) {
  // expected-error @+1 {{bit 4 is out of range for i4}}
  %x = lutarray.extract %a[4] : i4
  lutarray.output %x : i1
}

// -----

lutarray.module @concat_width(%a: i1, %b: i2) -> (i4) {
  // expected-error @+1 {{result must be i3}}
  %x = lutarray.concat %a, %b : (i1, i2) -> i4
  lutarray.output %x : i4
}

// -----

lutarray.module @add_width(%a: i3, %b: i1) -> (i2) {
  // expected-error @+1 {{result must be at least as wide as its operands (i3)}}
  %x = lutarray.add %a, %b : (i3, i1) -> i2
  lutarray.output %x : i2
}

// -----

lutarray.module @threshold_type(%a: i8) -> (i1) {
  // expected-error @+1 {{threshold 200 is outside the signed range of i8}}
  %x = lutarray.gt %a, 200 : i8
  lutarray.output %x : i1
}

// -----

lutarray.module @outputs(%a: i1) -> (i2) {
  // expected-error @+1 {{operand types must match the module's output ports}}
  lutarray.output %a : i1
}

// -----

// expected-error @+1 {{duplicate port name 'p'}}
lutarray.module @names(%a: i1 {lutarray.name = "p"}) -> (i1 {lutarray.name = "p"}) {
  lutarray.output %a : i1
}

// -----

// expected-error @+1 {{port name 'clk' is reserved}}
lutarray.module @reserved(%a: i1 {lutarray.name = "clk"}) -> (i1) {
  lutarray.output %a : i1
}

// -----

// expected-error @+1 {{port name '2x' is not a legal identifier}}
lutarray.module @identifier(%a: i1 {lutarray.name = "2x"}) -> (i1) {
  lutarray.output %a : i1
}
