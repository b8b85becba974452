//===- LutArray.cpp - the LUT-array hardware dialect ----------------------===//

#include "quweit/Dialect/LutArray/LutArray.h"

#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace quweit::lutarray;

#include "quweit/Dialect/LutArray/LutArrayDialect.cpp.inc"

void LutArrayDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "quweit/Dialect/LutArray/LutArray.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ModuleOp
//===----------------------------------------------------------------------===//

ParseResult HWModuleOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildFuncType = [](Builder &builder, ArrayRef<Type> argTypes,
                          ArrayRef<Type> results,
                          function_interface_impl::VariadicFlag, std::string &) {
    return builder.getFunctionType(argTypes, results);
  };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildFuncType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void HWModuleOp::print(OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(
      p, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

static std::string portName(DictionaryAttr attrs, StringRef prefix,
                            unsigned index) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("lutarray.name"))
      return name.str();
  return (prefix + Twine(index)).str();
}

std::string HWModuleOp::getInputName(unsigned index) {
  return portName(getArgAttrDict(index), "in", index);
}

std::string HWModuleOp::getOutputName(unsigned index) {
  return portName(getResultAttrDict(index), "out", index);
}

bool HWModuleOp::isClocked() {
  return !getBody().front().getOps<RegOp>().empty();
}

LogicalResult HWModuleOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getArgumentTypes())
    return emitOpError("block arguments must match the input port types");
  for (Type type : getArgumentTypes())
    if (!type.isSignlessInteger())
      return emitOpError() << "input ports must be signless integers, got " << type;
  for (Type type : getResultTypes())
    if (!type.isSignlessInteger())
      return emitOpError() << "output ports must be signless integers, got " << type;
  // Port names must be distinct legal identifiers (they become Verilog ports).
  llvm::StringSet<> names;
  for (unsigned i = 0; i < getNumArguments(); ++i)
    if (!names.insert(getInputName(i)).second)
      return emitOpError() << "duplicate port name '" << getInputName(i) << "'";
  for (unsigned i = 0; i < getNumResults(); ++i)
    if (!names.insert(getOutputName(i)).second)
      return emitOpError() << "duplicate port name '" << getOutputName(i) << "'";
  for (StringRef reserved : {"clk", "rst"})
    if (names.contains(reserved))
      return emitOpError() << "port name '" << reserved << "' is reserved";
  for (const auto &name : names) {
    StringRef text = name.getKey();
    if (text.empty() || !(llvm::isAlpha(text[0]) || text[0] == '_') ||
        !llvm::all_of(text, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
      return emitOpError() << "port name '" << text
                           << "' is not a legal identifier";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Other ops
//===----------------------------------------------------------------------===//

LogicalResult OutputOp::verify() {
  auto module = cast<HWModuleOp>((*this)->getParentOp());
  if (getOutputs().getTypes() != module.getResultTypes())
    return emitOpError("operand types must match the module's output ports");
  return success();
}

LogicalResult LutOp::verify() {
  size_t inputs = getInputs().size();
  if (inputs < 1 || inputs > 6)
    return emitOpError() << "a LUT cell has 1 to 6 inputs, got " << inputs;
  unsigned width = getTableAttr().getType().getIntOrFloatBitWidth();
  if (width != (1u << inputs))
    return emitOpError() << "table of " << inputs << " inputs must be i"
                         << (1u << inputs) << ", got i" << width;
  return success();
}

LogicalResult ExtractOp::verify() {
  int64_t width = getInput().getType().getIntOrFloatBitWidth();
  if (int64_t(getIndex()) >= width)
    return emitOpError() << "bit " << getIndex() << " is out of range for i"
                         << width;
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one operand");
  int64_t total = 0;
  for (Type type : getInputs().getTypes())
    total += type.getIntOrFloatBitWidth();
  if (total != getType().getIntOrFloatBitWidth())
    return emitOpError() << "result must be i" << total;
  return success();
}

LogicalResult AddOp::verify() {
  unsigned widest = std::max(getLhs().getType().getIntOrFloatBitWidth(),
                             getRhs().getType().getIntOrFloatBitWidth());
  if (getType().getIntOrFloatBitWidth() < widest)
    return emitOpError() << "result must be at least as wide as its operands (i"
                         << widest << ")";
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValueAttr().getType() != getType())
    return emitOpError("value type must match the result type");
  return success();
}

LogicalResult GreaterThanOp::verify() {
  unsigned width = getInput().getType().getIntOrFloatBitWidth();
  int64_t threshold = getThreshold();
  if (width < 64 && (threshold < -(int64_t(1) << (width - 1)) ||
                     threshold > (int64_t(1) << (width - 1)) - 1))
    return emitOpError() << "threshold " << threshold
                         << " is outside the signed range of i" << width;
  return success();
}

LogicalResult RegOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("result type must match the input type");
  return success();
}

#define GET_OP_CLASSES
#include "quweit/Dialect/LutArray/LutArray.cpp.inc"
