//===- EmitVerilog.cpp - lutarray to SystemVerilog ------------------------===//
//
// One `assign` per combinational node, one `always_ff` per register. A LUT
// cell is a call of a small function `quweit_lut<k>(table, {in_k-1, ...,
// in_0})` (input 0 is address bit 0, so it comes last in the concatenation).
// Under `SYNTHESIS (defined by Yosys) its body is a balanced tree of 2:1
// multiplexers over the table's bits, elsewhere `table[address]`. Why:
// Yosys elaborates a lookup in a constant as a $shiftx that its techmap
// specialises once per distinct table (a module and a few passes per LUT,
// quadratic in their number), whereas it constant-folds the multiplexer tree
// in place; simulators (Verilator above all) compile the lookup much faster
// than the tree (docs/hardware.md has the figures). Only generic
// SystemVerilog by default; vendor primitives behind --verilog-lut-style.
//
//===----------------------------------------------------------------------===//

#include "quweit/Target/Verilog/EmitVerilog.h"
#include "quweit/Dialect/LutArray/LutArray.h"
#include "quweit/Reference/Npy.h"
#include "quweit/Support/InputLimits.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace quweit::lutarray;

/// A discardable integer attribute of a lutarray.module ("lutarray.latency",
/// "lutarray.frac_bits"): set by the lowering, but a hand-written module may
/// omit it or give it another type; 0 then, never a null dereference.
static int64_t intAttrOr0(Operation *op, llvm::StringRef name) {
  auto attr = op->getAttrOfType<IntegerAttr>(name);
  return attr ? attr.getInt() : 0;
}

namespace quweit {
namespace {

llvm::cl::opt<std::string> lutStyle(
    "verilog-lut-style", llvm::cl::init("generic"),
    llvm::cl::desc("How --emit-verilog writes LUT cells: generic (a call of a "
                   "multiplexer-tree function on the truth table; any tool) or xilinx "
                   "(LUT1..LUT6 primitives with INIT; synth_xilinx maps them directly; "
                   "simulation needs the primitives' models)"));

unsigned widthOf(Value value) { return value.getType().getIntOrFloatBitWidth(); }

std::string hexLiteral(const APInt &value) {
  SmallString<64> digits;
  value.toStringUnsigned(digits, 16);
  return std::to_string(value.getBitWidth()) + "'h" + std::string(digits);
}

/// `t[a]` for a k-input table `t` and address `a`, as a balanced tree of 2:1
/// multiplexers: address bit k-1 selects between the upper and lower halves.
std::string lutTree(unsigned k, unsigned low) {
  if (k == 0)
    return "t[" + std::to_string(low) + "]";
  unsigned half = 1u << (k - 1);
  return "(a[" + std::to_string(k - 1) + "] ? " + lutTree(k - 1, low + half) + " : " +
         lutTree(k - 1, low) + ")";
}

std::string lutFunctionName(unsigned k) { return "quweit_lut" + std::to_string(k); }

class ModuleEmitter {
public:
  ModuleEmitter(HWModuleOp module, llvm::raw_ostream &os) : module(module), os(os) {}

  LogicalResult emit();

private:
  /// A unique, legal identifier for a value.
  std::string nameOf(Value value) {
    auto it = names.find(value);
    if (it != names.end())
      return it->second;
    std::string base = "n" + std::to_string(counter++);
    if (Operation *def = value.getDefiningOp())
      if (auto hint = def->getAttrOfType<StringAttr>("lutarray.name"))
        base = sanitize(hint.getValue());
    std::string name = base;
    for (unsigned suffix = 1; !used.insert(name).second; ++suffix)
      name = base + "_" + std::to_string(suffix);
    return names[value] = name;
  }

  static std::string sanitize(StringRef text) {
    std::string out;
    for (char c : text)
      out += (llvm::isAlnum(c) || c == '_') ? c : '_';
    if (out.empty() || llvm::isDigit(out[0]) || isKeyword(out))
      out = "n_" + out;
    return out;
  }

  /// SystemVerilog keywords a name hint could collide with.
  static bool isKeyword(StringRef word) {
    static const char *const keywords[] = {
        "always", "always_comb", "always_ff", "and", "assign", "begin", "bit",
        "buf", "case", "default", "else", "end", "endcase", "endmodule", "for",
        "function", "if", "initial", "inout", "input", "int", "integer",
        "localparam", "logic", "module", "nand", "nor", "not", "or", "output",
        "parameter", "reg", "signed", "unsigned", "wire", "xnor", "xor",
        "posedge", "negedge", "genvar", "generate", "byte", "shortint",
        "longint", "real", "time", "type", "struct", "union", "enum", "final",
        "task", "return", "break", "continue", "do", "while", "repeat",
        "forever", "fork", "join", "class", "package", "import", "export",
        "interface", "property", "sequence", "assert", "assume", "cover"};
    for (const char *keyword : keywords)
      if (word == keyword)
        return true;
    return false;
  }

  /// `value` zero-extended to `width` bits.
  std::string zext(Value value, unsigned width) {
    unsigned w = widthOf(value);
    if (w == width)
      return nameOf(value);
    return "{" + std::to_string(width - w) + "'d0, " + nameOf(value) + "}";
  }

  static std::string declare(unsigned width, const std::string &name) {
    return width == 1 ? "logic " + name : "logic [" + std::to_string(width - 1) + ":0] " + name;
  }

  HWModuleOp module;
  llvm::raw_ostream &os;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  unsigned counter = 0;
};

LogicalResult ModuleEmitter::emit() {
  Block &body = module.getBody().front();
  bool clocked = module.isClocked();
  for (StringRef reserved : {"clk", "rst"})
    used.insert(reserved);
  // LUT sizes that need a lookup function (generic style).
  std::vector<bool> lutSizes(7, false);
  if (lutStyle == "generic")
    for (LutOp lut : body.getOps<LutOp>())
      lutSizes[lut.getInputs().size()] = true;
  for (unsigned k = 1; k <= 6; ++k)
    used.insert(lutFunctionName(k));
  std::vector<std::string> ports;
  for (unsigned i = 0; i < module.getNumArguments(); ++i) {
    std::string name = module.getInputName(i);
    used.insert(name);
    names[body.getArgument(i)] = name;
  }
  os << "// Generated by quweit-translate --emit-verilog from @" << module.getSymName()
     << ". Do not edit.\n// Latency: "
     << intAttrOr0(module, "lutarray.latency")
     << " clock cycle(s). I/O contract: docs/hardware.md.\n";
  os << "module " << module.getSymName() << " (\n";
  std::vector<std::string> lines;
  if (clocked) {
    lines.push_back("  input  logic clk");
    lines.push_back("  input  logic rst");
  }
  for (unsigned i = 0; i < module.getNumArguments(); ++i) {
    unsigned w = module.getArgumentTypes()[i].getIntOrFloatBitWidth();
    lines.push_back("  input  " + declare(w, module.getInputName(i)));
  }
  for (unsigned i = 0; i < module.getNumResults(); ++i) {
    unsigned w = module.getResultTypes()[i].getIntOrFloatBitWidth();
    std::string name = module.getOutputName(i);
    used.insert(name);
    lines.push_back("  output " + declare(w, name));
  }
  // Thermometer bits that no LUT reads leave input bits unused on purpose.
  os << "  /* verilator lint_off UNUSEDSIGNAL */\n";
  for (size_t i = 0; i < lines.size(); ++i)
    os << lines[i] << (i + 1 < lines.size() ? ",\n" : "\n");
  os << "  /* verilator lint_on UNUSEDSIGNAL */\n);\n";
  for (unsigned k = 1; k <= 6; ++k)
    if (lutSizes[k])
      os << "  // Bit a of the " << (1u << k) << "-entry truth table t. Synthesis gets a tree of\n"
         << "  // 2:1 multiplexers, which it folds per LUT; simulators index the table.\n"
         << "  function automatic logic " << lutFunctionName(k) << "(input logic ["
         << (1u << k) - 1 << ":0] t, input logic [" << k - 1 << ":0] a);\n"
         << "`ifdef SYNTHESIS\n"
         << "    " << lutFunctionName(k) << " = " << lutTree(k, 0) << ";\n"
         << "`else\n"
         << "    " << lutFunctionName(k) << " = t[a];\n"
         << "`endif\n"
         << "  endfunction\n";

  // Bit selects need no wire: uses read `signal[i]` (named first, since a
  // graph region may use a value before the op defining it).
  for (Operation &op : body)
    if (auto extract = dyn_cast<ExtractOp>(op))
      names[extract.getResult()] = nameOf(extract.getInput()) + "[" +
                                   std::to_string(extract.getIndex()) + "]";
  // Declarations first, then statements: registers may close loops.
  std::string declarations, statements;
  llvm::raw_string_ostream decl(declarations), stmt(statements);
  for (Operation &op : body) {
    if (auto output = dyn_cast<OutputOp>(op)) {
      for (auto [i, value] : llvm::enumerate(output.getOutputs()))
        stmt << "  assign " << module.getOutputName(i) << " = " << nameOf(value) << ";\n";
      continue;
    }
    if (isa<ExtractOp>(op))
      continue;
    Value result = op.getResult(0);
    std::string name = nameOf(result);
    unsigned width = widthOf(result);
    decl << "  " << declare(width, name) << ";\n";
    LogicalResult status = success();
    llvm::TypeSwitch<Operation *>(&op)
        .Case([&](LutOp lut) {
          unsigned inputs = lut.getInputs().size();
          if (lutStyle == "xilinx") {
            // LUTk primitive: INIT bit a is the output for address a, input
            // Il is address bit l - the same convention as lutarray.lut.
            stmt << "  LUT" << inputs << " #(.INIT(" << hexLiteral(lut.getTable())
                 << ")) " << name << "_cell (.O(" << name << ")";
            for (unsigned l = 0; l < inputs; ++l)
              stmt << ", .I" << l << "(" << nameOf(lut.getInputs()[l]) << ")";
            stmt << ");\n";
            return;
          }
          stmt << "  assign " << name << " = " << lutFunctionName(inputs) << "("
               << hexLiteral(lut.getTable()) << ", ";
          if (inputs == 1) {
            stmt << nameOf(lut.getInputs()[0]);
          } else {
            stmt << "{";
            for (unsigned l = inputs; l-- > 0;)
              stmt << nameOf(lut.getInputs()[l]) << (l ? ", " : "");
            stmt << "}";
          }
          stmt << ");\n";
        })
        .Case([&](ConcatOp concat) {
          stmt << "  assign " << name << " = {";
          for (size_t k = concat.getInputs().size(); k-- > 0;)
            stmt << nameOf(concat.getInputs()[k]) << (k ? ", " : "");
          stmt << "};\n";
        })
        .Case([&](AddOp add) {
          stmt << "  assign " << name << " = " << zext(add.getLhs(), width) << " + "
               << zext(add.getRhs(), width) << ";\n";
        })
        .Case([&](ConstantOp constant) {
          stmt << "  assign " << name << " = " << hexLiteral(constant.getValue()) << ";\n";
        })
        .Case([&](GreaterThanOp gt) {
          stmt << "  assign " << name << " = $signed(" << nameOf(gt.getInput())
               << ") > $signed("
               << hexLiteral(APInt(widthOf(gt.getInput()), gt.getThreshold(), true))
               << ");\n";
        })
        .Case([&](UnsignedGreaterOp gt) {
          stmt << "  assign " << name << " = " << nameOf(gt.getLhs()) << " > "
               << nameOf(gt.getRhs()) << ";\n";
        })
        .Case([&](MuxOp mux) {
          stmt << "  assign " << name << " = " << nameOf(mux.getCondition()) << " ? "
               << nameOf(mux.getTrueValue()) << " : " << nameOf(mux.getFalseValue())
               << ";\n";
        })
        .Case([&](NotOp op) {
          stmt << "  assign " << name << " = !" << nameOf(op.getInput()) << ";\n";
        })
        .Case([&](OrOp op) {
          stmt << "  assign " << name << " = " << nameOf(op.getLhs()) << " | "
               << nameOf(op.getRhs()) << ";\n";
        })
        .Case([&](RegOp reg) {
          stmt << "  always_ff @(posedge clk) begin\n"
               << "    if (rst) " << name << " <= '0;\n    else ";
          if (reg.getEnable())
            stmt << "if (" << nameOf(reg.getEnable()) << ") ";
          stmt << name << " <= " << nameOf(reg.getInput()) << ";\n  end\n";
        })
        .Default([&](Operation *other) {
          status = other->emitError() << "cannot emit '" << other->getName()
                                      << "' as Verilog";
        });
    if (failed(status))
      return failure();
  }
  os << declarations << statements;
  os << "endmodule\n";
  return success();
}

} // namespace

LogicalResult emitVerilog(ModuleOp module, llvm::raw_ostream &os) {
  if (lutStyle != "generic" && lutStyle != "xilinx")
    return module.emitError() << "unknown --verilog-lut-style '" << lutStyle
                              << "' (use generic or xilinx)";
  bool any = false;
  for (auto hw : module.getOps<HWModuleOp>()) {
    if (any)
      os << "\n";
    any = true;
    if (failed(ModuleEmitter(hw, os).emit()))
      return failure();
  }
  if (!any)
    return module.emitError("no lutarray.module to emit (run "
                            "--convert-quweit-to-lutarray first)");
  return success();
}

LogicalResult emitInterfaceJson(ModuleOp module, llvm::raw_ostream &os) {
  llvm::json::Array modules;
  for (auto hw : module.getOps<HWModuleOp>()) {
    llvm::json::Array inputs, outputs;
    bool comparators = hw->hasAttr("lutarray.input_bits");
    static const std::pair<const char *, const char *> handshake[] = {
        {"in_valid", "the data inputs hold a sample this cycle"},
        {"in_ready", "the module accepts the sample this cycle (in_valid && in_ready)"},
        {"out_valid", "the outputs hold the result of an accepted sample"},
        {"out_ready", "the consumer takes the outputs this cycle; while out_valid && "
                      "!out_ready the whole pipeline holds"},
        {"class_index", "argmax of the counts, the lowest index among equal maxima"}};
    auto special = [&](const std::string &name) -> const char * {
      for (auto [port, text] : handshake)
        if (name == port)
          return text;
      return nullptr;
    };
    for (unsigned i = 0; i < hw.getNumArguments(); ++i) {
      unsigned w = hw.getArgumentTypes()[i].getIntOrFloatBitWidth();
      if (const char *text = special(hw.getInputName(i))) {
        inputs.push_back(llvm::json::Object{{"name", hw.getInputName(i)}, {"width", w},
                                            {"meaning", text}});
        continue;
      }
      std::string meaning =
          comparators
              ? "feature " + std::to_string(i) + ", two's complement fixed point with " +
                    std::to_string(intAttrOr0(hw, "lutarray.frac_bits")) +
                    " fractional bits"
              : "bit i = input bit i of the first LUT layer (thermometer bit f*T+k: feature f, threshold k)";
      inputs.push_back(llvm::json::Object{{"name", hw.getInputName(i)}, {"width", w},
                                          {"meaning", meaning}});
    }
    for (unsigned i = 0; i < hw.getNumResults(); ++i) {
      unsigned w = hw.getResultTypes()[i].getIntOrFloatBitWidth();
      if (const char *text = special(hw.getOutputName(i))) {
        outputs.push_back(llvm::json::Object{{"name", hw.getOutputName(i)}, {"width", w},
                                             {"meaning", text}});
        continue;
      }
      outputs.push_back(llvm::json::Object{
          {"name", hw.getOutputName(i)}, {"width", w},
          {"meaning", "unsigned count of ones in group " + std::to_string(i)}});
    }
    llvm::json::Object entry{
        {"module", hw.getSymName()},
        {"clocked", hw.isClocked()},
        {"latency_cycles", intAttrOr0(hw, "lutarray.latency")},
        {"inputs", std::move(inputs)},
        {"outputs", std::move(outputs)},
        {"argmax", hw->hasAttr("lutarray.wrapper")
                       ? "class_index output: lowest index among equal maximum counts"
                       : "lowest index among equal maximum scores (semantics.md); "
                         "computed by the host from the scores"},
        {"handshake", hw->hasAttr("lutarray.wrapper") ? "valid/ready" : "none"},
    };
    if (hw.isClocked())
      entry["clock"] = "clk, rising edge; rst synchronous, active high, clears every register";
    if (auto tau = hw->getAttrOfType<FloatAttr>("lutarray.tau")) {
      entry["tau"] = tau.getValueAsDouble();
      entry["scores"] = "(float(count) / tau) * scale[g] + bias[g] in f32 (scale 1, bias 0 if absent)";
    }
    for (StringRef key : {"scale", "bias"})
      if (auto attr = hw->getAttrOfType<DenseElementsAttr>(("lutarray." + key).str())) {
        // A discardable attribute: nothing verified it is f32.
        if (!attr.getElementType().isF32())
          return hw->emitError() << "'lutarray." << key << "' must hold f32 values";
        llvm::json::Array values;
        for (float v : attr.getValues<float>())
          values.push_back(double(v));
        entry[key] = std::move(values);
      }
    modules.push_back(std::move(entry));
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                   {"format", "quweit-hw-interface-1"},
                                   {"modules", std::move(modules)}}))
     << "\n";
  return success();
}

namespace {
llvm::cl::opt<std::string> testbenchInputs(
    "testbench-inputs", llvm::cl::desc("--emit-testbench: the model's inputs (.npy: i1 "
                                       "thermometer bits, or f32 fixed-point features)"));
llvm::cl::opt<std::string> testbenchExpected(
    "testbench-expected", llvm::cl::desc("--emit-testbench: the expected group counts "
                                         "(.npy, e.g. from quweit-run)"));
} // namespace

/// A self-checking testbench for the (single) module: applies every input
/// row, one per clock when the module is clocked, and compares the counts
/// `latency` cycles later; prints "TESTBENCH PASSED: N rows" or the
/// mismatches, then $finish.
LogicalResult emitTestbench(ModuleOp module, llvm::raw_ostream &os) {
  auto modules = module.getOps<HWModuleOp>();
  if (modules.empty() || std::next(modules.begin()) != modules.end())
    return module.emitError("--emit-testbench needs exactly one lutarray.module");
  HWModuleOp hw = *modules.begin();
  if (testbenchInputs.empty() || testbenchExpected.empty())
    return module.emitError("--emit-testbench needs --testbench-inputs and "
                            "--testbench-expected");
  llvm::Expected<reference::Tensor> inputs = reference::readNpyFile(testbenchInputs);
  if (!inputs)
    return module.emitError() << llvm::toString(inputs.takeError());
  llvm::Expected<reference::Tensor> expected = reference::readNpyFile(testbenchExpected);
  if (!expected)
    return module.emitError() << llvm::toString(expected.takeError());
  if (inputs->shape.size() != 2 || expected->shape.size() != 2 ||
      inputs->shape[0] != expected->shape[0] || !expected->isInteger() ||
      expected->shape[1] != int64_t(hw.getNumResults()))
    return module.emitError("testbench vectors: expected [rows, inputs] inputs and "
                            "[rows, outputs] integer counts with the same rows");
  int64_t rows = inputs->shape[0], cols = inputs->shape[1];
  bool comparators = hw->hasAttr("lutarray.frac_bits");
  if (comparators ? (!inputs->isFloat() || cols != int64_t(hw.getNumArguments()))
                  : (!inputs->isBits() || hw.getNumArguments() != 1 ||
                     cols != int64_t(hw.getArgumentTypes()[0].getIntOrFloatBitWidth())))
    return module.emitError("testbench inputs do not match the module's ports");
  int64_t frac = intAttrOr0(hw, "lutarray.frac_bits");
  int64_t latency = intAttrOr0(hw, "lutarray.latency");
  bool clocked = hw.isClocked();
  auto width = [](Type t) { return t.getIntOrFloatBitWidth(); };

  os << "// Self-checking testbench for " << hw.getSymName()
     << ", generated by quweit-translate --emit-testbench.\nmodule tb_" << hw.getSymName() << ";\n";
  if (clocked)
    os << "  logic clk = 0, rst = 1;\n";
  for (unsigned i = 0; i < hw.getNumArguments(); ++i)
    os << "  logic [" << width(hw.getArgumentTypes()[i]) - 1 << ":0] " << hw.getInputName(i)
       << ";\n  logic [" << width(hw.getArgumentTypes()[i]) - 1 << ":0] v_" << hw.getInputName(i)
       << " [0:" << rows - 1 << "];\n";
  for (unsigned i = 0; i < hw.getNumResults(); ++i)
    os << "  logic [" << width(hw.getResultTypes()[i]) - 1 << ":0] " << hw.getOutputName(i)
       << ";\n  logic [" << width(hw.getResultTypes()[i]) - 1 << ":0] e_" << hw.getOutputName(i)
       << " [0:" << rows - 1 << "];\n";
  os << "  " << hw.getSymName() << " dut(";
  bool first = true;
  auto connect = [&](const std::string &n) {
    os << (first ? "" : ", ") << "." << n << "(" << n << ")";
    first = false;
  };
  if (clocked) {
    connect("clk");
    connect("rst");
  }
  for (unsigned i = 0; i < hw.getNumArguments(); ++i)
    connect(hw.getInputName(i));
  for (unsigned i = 0; i < hw.getNumResults(); ++i)
    connect(hw.getOutputName(i));
  os << ");\n  integer errors = 0, row, k;\n  initial begin\n";
  for (int64_t r = 0; r < rows; ++r) {
    if (comparators) {
      for (int64_t c = 0; c < cols; ++c) {
        double code = std::ldexp(double(inputs->floats[r * cols + c]), frac);
        unsigned w = width(hw.getArgumentTypes()[c]);
        if (code != std::floor(code) || code < -std::ldexp(1.0, w - 1) ||
            code >= std::ldexp(1.0, w - 1))
          return module.emitError() << "testbench input [" << r << ", " << c
                                    << "] is not a " << w << "-bit fixed-point value";
        os << "    v_" << hw.getInputName(c) << "[" << r << "] = "
           << hexLiteral(APInt(w, int64_t(code), true)) << ";\n";
      }
    } else {
      APInt value(cols, 0);
      for (int64_t c = 0; c < cols; ++c)
        if (inputs->bits[r * cols + c])
          value.setBit(c);
      os << "    v_" << hw.getInputName(0) << "[" << r << "] = " << hexLiteral(value) << ";\n";
    }
    for (unsigned g = 0; g < hw.getNumResults(); ++g)
      os << "    e_" << hw.getOutputName(g) << "[" << r << "] = "
         << hexLiteral(APInt(width(hw.getResultTypes()[g]),
                             expected->ints[r * hw.getNumResults() + g]))
         << ";\n";
  }
  if (clocked)
    os << "    #1 clk = 1; #1 clk = 0; rst = 0;\n";
  os << "    for (row = 0; row < " << rows + latency << "; row = row + 1) begin\n"
     << "      if (row < " << rows << ") begin\n";
  for (unsigned i = 0; i < hw.getNumArguments(); ++i)
    os << "        " << hw.getInputName(i) << " = v_" << hw.getInputName(i) << "[row];\n";
  os << "      end\n"
     << (clocked ? "      #1 clk = 1; #1 clk = 0;\n" : "      #1;\n")
     << "      k = row - " << (clocked ? std::max<int64_t>(latency - 1, 0) : 0) << ";\n"
     << "      if (k >= 0 && k < " << rows << ") begin\n";
  for (unsigned g = 0; g < hw.getNumResults(); ++g) {
    std::string n = hw.getOutputName(g);
    os << "        if (" << n << " !== e_" << n << "[k]) begin\n"
       << "          errors = errors + 1;\n"
       << "          if (errors <= 10) $display(\"row %0d " << n
       << ": got %0d, expected %0d\", k, " << n << ", e_" << n << "[k]);\n"
       << "        end\n";
  }
  os << "      end\n    end\n"
     << "    if (errors == 0) $display(\"TESTBENCH PASSED: " << rows << " rows\");\n"
     << "    else $display(\"TESTBENCH FAILED: %0d mismatches\", errors);\n"
     << "    $finish;\n  end\nendmodule\n";
  return success();
}

void registerVerilogTranslations() {
  using Emitter = LogicalResult (*)(ModuleOp, llvm::raw_ostream &);
  auto add = [](StringRef name, StringRef description, Emitter emitter) {
    TranslateFromMLIRRegistration(
        name, description,
        [emitter](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
          auto module = dyn_cast<ModuleOp>(op);
          if (!module)
            return op->emitError("expected a builtin.module");
          // As in every tool: no size arithmetic on shapes that overflow it.
          if (failed(checkShapeSizes(module)))
            return failure();
          return emitter(module, os);
        },
        [](DialectRegistry &registry) { registry.insert<LutArrayDialect>(); });
  };
  add("emit-verilog", "emit lutarray modules as SystemVerilog", emitVerilog);
  add("emit-testbench",
      "emit a self-checking SystemVerilog testbench for a lutarray module "
      "(vectors from --testbench-inputs / --testbench-expected)",
      emitTestbench);
  add("emit-hw-interface", "emit the I/O contract of lutarray modules as JSON",
      emitInterfaceJson);
}

} // namespace quweit
