//===- LutArray.td - the LUT-array hardware dialect ---------*- tablegen -*-===//

#ifndef QUWEIT_DIALECT_LUTARRAY_LUTARRAY_TD
#define QUWEIT_DIALECT_LUTARRAY_LUTARRAY_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def LutArray_Dialect : Dialect {
  let name = "lutarray";
  let cppNamespace = "::quweit::lutarray";
  let summary = "the circuit a LUT network becomes: LUT cells, comparators, adder trees, registers";
  let description = [{
    A small structural hardware dialect in the spirit of CIRCT's `hw` and
    `comb`. A `lutarray.module` has input ports (its block arguments) and
    output ports (its `lutarray.output`); signals are signless integers
    (`i1` for single bits). The body is a feed-forward netlist: LUT cells of
    1 to 6 inputs with their truth tables, bit extraction and concatenation,
    unsigned adders for group-sum trees, signed comparators against constants
    for thermometer encoding, and pipeline registers on the module's implicit
    clock with a synchronous reset. `quweit-translate --emit-verilog` prints
    it as SystemVerilog.

    LUT inputs are listed least significant first: input l is bit l of the
    address, as in `quweit.lut_layer` (CIRCT's `comb.truth_table` lists its
    inputs most significant first).
  }];
}

class LutArray_Op<string mnemonic, list<Trait> traits = []>
    : Op<LutArray_Dialect, mnemonic, traits>;

def LutArray_HWModuleOp : LutArray_Op<"module", [
    IsolatedFromAbove, Symbol, FunctionOpInterface, SingleBlock,
    RegionKindInterface]> {
  let summary = "a hardware module";
  let description = [{
    Block arguments are the input ports, the operands of the terminating
    `lutarray.output` the output ports. Port names come from the
    `lutarray.name` argument and result attributes (defaults `in<i>` and
    `out<i>`). A module containing `lutarray.reg` also has the implicit ports
    `clk` and `rst` (synchronous, active high, resets registers to 0).

    ```mlir
    lutarray.module @xor(%a: i1, %b: i1) -> (i1) {
      %x = lutarray.lut %a, %b {table = 6 : i4}
      lutarray.output %x : i1
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() { return getFunctionType().getInputs(); }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() { return getFunctionType().getResults(); }
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    /// A graph region, like hw.module: registers may close loops (the
    /// valid/ready handshake of the system wrapper).
    static ::mlir::RegionKind getRegionKind(unsigned) { return ::mlir::RegionKind::Graph; }
    /// Port names (from lutarray.name attributes, else in<i>/out<i>).
    std::string getInputName(unsigned index);
    std::string getOutputName(unsigned index);
    /// True if the body holds registers (then clk and rst are ports).
    bool isClocked();
  }];
}

def LutArray_OutputOp : LutArray_Op<"output", [Terminator, HasParent<"HWModuleOp">, Pure, ReturnLike]> {
  let summary = "the output ports of a module";
  let arguments = (ins Variadic<AnySignlessInteger>:$outputs);
  let assemblyFormat = "($outputs^ `:` type($outputs))? attr-dict";
  let hasVerifier = 1;
}

def LutArray_LutOp : LutArray_Op<"lut", [Pure]> {
  let summary = "a LUT cell of 1 to 6 inputs";
  let description = [{
    `result = table[sum_l inputs[l] << l]`: bit `a` of the integer `table`
    (of width 2^k for k inputs) is the output for address `a`; input l is
    address bit l (least significant first). Maps to one FPGA LUT. The table
    is printed as an unsigned integer (`table = 6 : ui4` is XOR).
  }];
  let arguments = (ins Variadic<I1>:$inputs, APIntAttr:$table);
  let results = (outs I1:$result);
  let assemblyFormat = "$inputs attr-dict";
  let hasVerifier = 1;
}

def LutArray_ExtractOp : LutArray_Op<"extract", [Pure]> {
  let summary = "one bit of a signal";
  let arguments = (ins AnySignlessInteger:$input, I64Attr:$index);
  let results = (outs I1:$result);
  let assemblyFormat = "$input `[` $index `]` attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def LutArray_ConcatOp : LutArray_Op<"concat", [Pure]> {
  let summary = "concatenate signals, the first operand in the least significant bits";
  let arguments = (ins Variadic<AnySignlessInteger>:$inputs);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $result)";
  let hasVerifier = 1;
}

def LutArray_AddOp : LutArray_Op<"add", [Pure]> {
  let summary = "unsigned addition of zero-extended operands (an adder-tree node)";
  let description = [{
    `result = zext(lhs) + zext(rhs)` modulo 2^width. The result is at least as
    wide as either operand; the producer sizes it for the largest sum its
    operands can reach (the hardware lowering tracks each node's maximum), so
    no carry is lost.
  }];
  let arguments = (ins AnySignlessInteger:$lhs, AnySignlessInteger:$rhs);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, $result)";
  let hasVerifier = 1;
}

def LutArray_ConstantOp : LutArray_Op<"constant", [Pure, ConstantLike]> {
  let summary = "a constant signal";
  let arguments = (ins APIntAttr:$value);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def LutArray_GreaterThanOp : LutArray_Op<"gt", [Pure]> {
  let summary = "signed comparison against a constant: input > threshold";
  let description = [{
    A thermometer comparator on a two's-complement fixed-point input; the
    threshold must lie in the input's signed range.
  }];
  let arguments = (ins AnySignlessInteger:$input, I64Attr:$threshold);
  let results = (outs I1:$result);
  let assemblyFormat = "$input `,` $threshold attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def LutArray_RegOp : LutArray_Op<"reg", [AllTypesMatch<["input", "result"]>]> {
  let summary = "a pipeline register on the module clock, reset to 0";
  let description = [{
    Loads `input` on every rising clock edge, or only when the optional i1
    `enable` is 1 (a stalled pipeline holds its value).
  }];
  let arguments = (ins AnySignlessInteger:$input, Optional<I1>:$enable);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "$input (`enable` $enable^)? attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def LutArray_UnsignedGreaterOp : LutArray_Op<"ugt", [Pure, SameTypeOperands]> {
  let summary = "unsigned comparison of two signals: lhs > rhs";
  let arguments = (ins AnySignlessInteger:$lhs, AnySignlessInteger:$rhs);
  let results = (outs I1:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
}

def LutArray_MuxOp : LutArray_Op<"mux", [Pure, AllTypesMatch<["trueValue", "falseValue", "result"]>]> {
  let summary = "select: condition ? trueValue : falseValue";
  let arguments = (ins I1:$condition, AnySignlessInteger:$trueValue,
                       AnySignlessInteger:$falseValue);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "$condition `,` $trueValue `,` $falseValue attr-dict `:` type($result)";
}

def LutArray_NotOp : LutArray_Op<"not", [Pure]> {
  let summary = "logical negation of a bit";
  let arguments = (ins I1:$input);
  let results = (outs I1:$result);
  let assemblyFormat = "$input attr-dict";
}

def LutArray_OrOp : LutArray_Op<"or", [Pure]> {
  let summary = "logical or of two bits";
  let arguments = (ins I1:$lhs, I1:$rhs);
  let results = (outs I1:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict";
}

#endif // QUWEIT_DIALECT_LUTARRAY_LUTARRAY_TD
