//===- Evaluator.cpp - reference evaluation of quweit functions -----------===//

#include "quweit/Reference/Evaluator.h"
#include "BlockEvaluator.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"
#include "quweit/Reference/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace quweit::reference {

std::optional<ElementType> toElementType(Type type) {
  if (type.isF32())
    return ElementType::F32;
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType || intType.isUnsigned())
    return std::nullopt;
  switch (intType.getWidth()) {
  case 1: return ElementType::I1;
  case 8: return ElementType::I8;
  case 16: return ElementType::I16;
  case 32: return ElementType::I32;
  case 64: return ElementType::I64;
  default: return std::nullopt;
  }
}

std::string checkArgument(const Tensor &tensor, Type type) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return "expected a ranked tensor type, the function takes " +
           std::string(llvm::formatv("{0}", type));
  std::optional<ElementType> expected =
      toElementType(tensorType.getElementType());
  if (!expected)
    return "unsupported element type";
  bool typeOk = tensor.type == *expected ||
                (tensor.isInteger() && *expected != ElementType::I1 &&
                 *expected != ElementType::F32);
  if (!typeOk)
    return std::string("element type ") + elementTypeName(tensor.type) +
           " does not match " + elementTypeName(*expected);
  if (static_cast<int64_t>(tensor.shape.size()) != tensorType.getRank())
    return "rank " + std::to_string(tensor.shape.size()) + " does not match " +
           std::to_string(tensorType.getRank());
  for (int64_t i = 0; i < tensorType.getRank(); ++i)
    if (!tensorType.isDynamicDim(i) &&
        tensorType.getDimSize(i) != tensor.shape[i])
      return "dimension " + std::to_string(i) + " is " +
             std::to_string(tensor.shape[i]) + ", expected " +
             std::to_string(tensorType.getDimSize(i));
  return "";
}


FailureOr<Tensor *> BlockEvaluator::allocate(Operation *op, Value value,
                                             std::vector<int64_t> shape) {
  auto type = cast<ShapedType>(value.getType());
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!type.isDynamicDim(i) && type.getDimSize(i) != shape[i])
      return op->emitError() << "result dimension " << i << " is declared "
                             << type.getDimSize(i) << " but the input gives "
                             << shape[i];
  std::optional<ElementType> elementType =
      toElementType(type.getElementType());
  if (!elementType)
    return op->emitError("reference evaluator: unsupported element type");
  std::optional<Tensor> tensor =
      Tensor::zeros(*elementType, std::move(shape), options.maxElements);
  if (!tensor)
    return op->emitError() << "reference evaluator: result too large (limit "
                           << options.maxElements << " elements)";
  return &(values[value] = std::move(*tensor));
}

FailureOr<std::vector<Tensor>> BlockEvaluator::run(Block &block,
                                                   ArrayRef<Tensor> arguments) {
  for (auto [argument, tensor] : llvm::zip(block.getArguments(), arguments))
    values[argument] = tensor;
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      std::vector<Tensor> results;
      for (Value operand : op.getOperands())
        results.push_back(values.lookup(operand));
      return results;
    }
    if (failed(evaluate(&op)))
      return failure();
  }
  return block.getParentOp()->emitError("block has no terminator");
}

LogicalResult BlockEvaluator::evaluate(Operation *op) {
  // Packed words are held as one int64 each: the SIMD-wide words
  // (i128..i512) that lowerings use are out of scope for the reference.
  for (Type type : llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes()))
    if (auto tensor = dyn_cast<RankedTensorType>(type);
        tensor && tensor.getElementType().isInteger() &&
        tensor.getElementTypeBitWidth() > 64)
      return op->emitError()
             << "reference evaluator: words wider than 64 bits are not "
                "supported (evaluate the model before quweit-pack-bits, or "
                "pack with word-bits <= 64)";
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::ConstantOp c) { return evaluateConstant(c); })
      .Case([&](ThermometerOp t) { return evaluateThermometer(t); })
      .Case([&](LutLayerOp l) { return evaluateLutLayer(l); })
      .Case([&](GroupSumOp g) { return evaluateGroupSum(g); })
      .Case([&](ScaleCountsOp s) { return evaluateScaleCounts(s); })
      .Case([&](ArgMaxOp a) { return evaluateArgMax(a); })
      .Case([&](PackBitsOp p) { return evaluatePack(p); })
      .Case([&](PackedLutLayerOp p) { return evaluatePackedLutLayer(p); })
      .Case([&](tensor::DimOp d) { return evaluateDim(d); })
      .Case([&](UnpackBitsOp u) { return evaluateUnpack(u); })
      .Case<LutFFNOp, TransformerBlockOp>(
          [&](Operation *r) { return evaluateRegionOp(r); })
      .Case([&](scf::IfOp i) { return evaluateIf(i); })
      .Case([&](arith::CmpIOp c) -> LogicalResult {
        if (isa<ShapedType>(c.getType()))
          return evaluateStandard(c);
        return evaluateScalarCompare(c);
      })
      .Default([&](Operation *other) { return evaluateStandard(other); });
}

void registerEvaluatorDialects(DialectRegistry &registry) {
  registry.insert<QuWeiTDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, linalg::LinalgDialect, math::MathDialect,
                  scf::SCFDialect>();
}

LogicalResult BlockEvaluator::evaluateIf(scf::IfOp op) {
  const Tensor &condition = values[op.getCondition()];
  if (condition.bits.size() != 1)
    return op.emitError("reference evaluator: scf.if condition is not a scalar i1");
  Region &region = condition.bits[0] ? op.getThenRegion() : op.getElseRegion();
  if (region.empty()) // an if without else and without results
    return success();
  Block &block = region.front();
  for (Operation &inner : block.without_terminator())
    if (failed(evaluate(&inner)))
      return failure();
  for (auto [result, yielded] : llvm::zip(op.getResults(), block.getTerminator()->getOperands()))
    values[result] = values.lookup(yielded);
  return success();
}

LogicalResult BlockEvaluator::evaluateScalarCompare(arith::CmpIOp op) {
  const Tensor &lhs = values[op.getLhs()], &rhs = values[op.getRhs()];
  if (lhs.ints.size() != 1 || rhs.ints.size() != 1 || !lhs.shape.empty())
    return op.emitError("reference evaluator: arith.cmpi needs integer or index scalars");
  // Scalars are held sign-extended; unsigned predicates compare the bits.
  int64_t a = lhs.ints[0], b = rhs.ints[0];
  uint64_t ua = uint64_t(a), ub = uint64_t(b);
  unsigned width = op.getLhs().getType().isIndex() ? 64 : op.getLhs().getType().getIntOrFloatBitWidth();
  if (width < 64) {
    ua &= (uint64_t(1) << width) - 1;
    ub &= (uint64_t(1) << width) - 1;
  }
  bool result = false;
  switch (op.getPredicate()) {
  case arith::CmpIPredicate::eq: result = a == b; break;
  case arith::CmpIPredicate::ne: result = a != b; break;
  case arith::CmpIPredicate::slt: result = a < b; break;
  case arith::CmpIPredicate::sle: result = a <= b; break;
  case arith::CmpIPredicate::sgt: result = a > b; break;
  case arith::CmpIPredicate::sge: result = a >= b; break;
  case arith::CmpIPredicate::ult: result = ua < ub; break;
  case arith::CmpIPredicate::ule: result = ua <= ub; break;
  case arith::CmpIPredicate::ugt: result = ua > ub; break;
  case arith::CmpIPredicate::uge: result = ua >= ub; break;
  }
  Tensor scalar = *Tensor::zeros(ElementType::I1, {});
  scalar.bits[0] = result;
  values[op.getResult()] = std::move(scalar);
  return success();
}

LogicalResult BlockEvaluator::evaluateConstant(arith::ConstantOp op) {
  if (auto index = dyn_cast<IntegerAttr>(op.getValue());
      index && op.getType().isIndex()) {
    Tensor scalar = *Tensor::zeros(ElementType::I64, {});
    scalar.ints[0] = index.getInt();
    values[op.getResult()] = std::move(scalar);
    return success();
  }
  if (auto number = dyn_cast<FloatAttr>(op.getValue());
      number && op.getType().isF32()) {
    Tensor scalar = *Tensor::zeros(ElementType::F32, {});
    scalar.floats[0] = number.getValue().convertToFloat();
    values[op.getResult()] = std::move(scalar);
    return success();
  }
  if (auto number = dyn_cast<IntegerAttr>(op.getValue())) {
    std::optional<ElementType> type = toElementType(op.getType());
    if (!type)
      return op.emitError("reference evaluator: unsupported scalar type");
    Tensor scalar = *Tensor::zeros(*type, {});
    if (scalar.isBits())
      scalar.bits[0] = number.getValue().getBoolValue();
    else
      scalar.ints[0] = number.getValue().getSExtValue();
    values[op.getResult()] = std::move(scalar);
    return success();
  }
  auto elements = dyn_cast<ElementsAttr>(op.getValue());
  auto type = dyn_cast<RankedTensorType>(op.getType());
  if (!elements || !type)
    return op.emitError("reference evaluator: only tensor constants are supported");
  FailureOr<Tensor *> result =
      allocate(op, op.getResult(), std::vector<int64_t>(type.getShape()));
  if (failed(result))
    return failure();
  Tensor &tensor = **result;
  ReadError error;
  if (tensor.isBits())
    error = readBits(elements, tensor.bits);
  else if (tensor.isFloat())
    error = readFloats(elements, tensor.floats);
  else
    error = readIntegers(elements, tensor.ints);
  if (error)
    return op.emitError() << "cannot read constant: " << error.message;
  return success();
}

LogicalResult BlockEvaluator::evaluateThermometer(ThermometerOp op) {
  const Tensor &x = values[op.getInput()];
  std::vector<float> thresholds;
  if (ReadError error = readFloats(op.getThresholds(), thresholds))
    return op.emitError() << "cannot read thresholds: " << error.message;
  int64_t features = op.getNumFeatures(), bits = op.getBitsPerFeature();
  FailureOr<Tensor *> out =
      allocate(op, op.getOutput(), {x.shape[0], features * bits});
  if (failed(out))
    return failure();
  thermometer(x.floats.data(), x.shape[0], features, thresholds.data(), bits,
              (*out)->bits.data());
  return success();
}

LogicalResult BlockEvaluator::evaluateLutLayer(LutLayerOp op) {
  const Tensor &in = values[op.getInput()];
  std::vector<int64_t> mapping;
  std::vector<uint8_t> tables;
  if (ReadError error = readIntegers(op.getMapping(), mapping))
    return op.emitError() << "cannot read mapping: " << error.message;
  if (ReadError error = readBits(op.getTables(), tables))
    return op.emitError() << "cannot read tables: " << error.message;
  FailureOr<Tensor *> out =
      allocate(op, op.getOutput(), {in.shape[0], op.getNumLuts()});
  if (failed(out))
    return failure();
  lutLayer(in.bits.data(), in.shape[0], in.shape[1], mapping.data(),
           op.getNumLuts(), op.getFanIn(), tables.data(), (*out)->bits.data());
  return success();
}

LogicalResult BlockEvaluator::evaluateGroupSum(GroupSumOp op) {
  const Tensor &in = values[op.getInput()];
  std::vector<int64_t> groupIndex;
  if (std::optional<ElementsAttr> attr = op.getGroupIndex())
    if (ReadError error = readIntegers(*attr, groupIndex))
      return op.emitError() << "cannot read group_index: " << error.message;
  FailureOr<Tensor *> out =
      allocate(op, op.getOutput(), {in.shape[0], op.getNumGroups()});
  if (failed(out))
    return failure();
  groupSum(in.bits.data(), in.shape[0], in.shape[1], op.getNumGroups(),
           op.getGroupIndex() ? groupIndex.data() : nullptr,
           (*out)->ints.data());
  return success();
}

LogicalResult BlockEvaluator::evaluateScaleCounts(ScaleCountsOp op) {
  const Tensor &in = values[op.getInput()];
  std::vector<float> scale, bias;
  if (op.getScale())
    if (ReadError error = readFloats(*op.getScale(), scale))
      return op.emitError() << "cannot read scale: " << error.message;
  if (op.getBias())
    if (ReadError error = readFloats(*op.getBias(), bias))
      return op.emitError() << "cannot read bias: " << error.message;
  FailureOr<Tensor *> out = allocate(op, op.getOutput(), in.shape);
  if (failed(out))
    return failure();
  scaleCounts(in.ints.data(), in.shape[0], in.shape[1],
              op.getTau().convertToFloat(),
              op.getScale() ? scale.data() : nullptr,
              op.getBias() ? bias.data() : nullptr, (*out)->floats.data());
  return success();
}

LogicalResult BlockEvaluator::evaluateArgMax(ArgMaxOp op) {
  const Tensor &in = values[op.getInput()];
  FailureOr<Tensor *> out = allocate(op, op.getOutput(), {in.shape[0]});
  if (failed(out))
    return failure();
  if (in.isFloat())
    argmax(in.floats.data(), in.shape[0], in.shape[1], (*out)->ints.data());
  else
    argmax(in.ints.data(), in.shape[0], in.shape[1], (*out)->ints.data());
  return success();
}

LogicalResult BlockEvaluator::evaluatePack(PackBitsOp op) {
  const Tensor &in = values[op.getInput()];
  unsigned wordBits = op.getOutput().getType().getElementTypeBitWidth();
  bool sliced = op.getLayout() == BitLayout::batch_sliced;
  int64_t batch = in.shape[0], features = in.shape[1];
  std::vector<int64_t> shape =
      sliced ? std::vector<int64_t>{(batch + wordBits - 1) / wordBits, features}
             : std::vector<int64_t>{batch, (features + wordBits - 1) / wordBits};
  FailureOr<Tensor *> out = allocate(op, op.getOutput(), shape);
  if (failed(out))
    return failure();
  std::vector<uint64_t> words((*out)->ints.size());
  packBits(in.bits.data(), batch, features, wordBits, sliced, words.data());
  // Store each word as the signed value of its bit pattern (iN is signless).
  for (size_t i = 0; i < words.size(); ++i)
    (*out)->ints[i] = wordBits == 64 ? int64_t(words[i])
                                     : llvm::SignExtend64(words[i], wordBits);
  return success();
}

LogicalResult BlockEvaluator::evaluateUnpack(UnpackBitsOp op) {
  const Tensor &in = values[op.getInput()];
  unsigned wordBits = op.getInput().getType().getElementTypeBitWidth();
  bool sliced = op.getLayout() == BitLayout::batch_sliced;
  auto resultType = op.getOutput().getType();
  unsigned unpackedDim = sliced ? 0 : 1;
  int64_t unpacked = resultType.getDimSize(unpackedDim);
  if (op.getSize()) {
    unpacked = values[op.getSize()].ints.at(0);
    if (unpacked < 0)
      return op.emitError() << "negative unpacked size " << unpacked;
  }
  int64_t batch = sliced ? unpacked : in.shape[0];
  int64_t features = sliced ? in.shape[1] : unpacked;
  int64_t packedCount = sliced ? in.shape[0] : in.shape[1];
  int64_t needed = ((sliced ? batch : features) + wordBits - 1) / wordBits;
  if (packedCount != needed)
    return op.emitError() << "input has " << packedCount
                          << " words along dimension " << unpackedDim
                          << ", expected " << needed;
  FailureOr<Tensor *> out = allocate(op, op.getOutput(), {batch, features});
  if (failed(out))
    return failure();
  std::vector<uint64_t> words(in.ints.size());
  for (size_t i = 0; i < words.size(); ++i)
    words[i] = uint64_t(in.ints[i]) &
               (wordBits == 64 ? ~uint64_t(0) : (uint64_t(1) << wordBits) - 1);
  unpackBits(words.data(), batch, features, wordBits, sliced,
             (*out)->bits.data());
  return success();
}

LogicalResult BlockEvaluator::evaluateDim(tensor::DimOp op) {
  std::optional<int64_t> dim = op.getConstantIndex();
  const Tensor &source = values[op.getSource()];
  if (!dim || *dim < 0 || *dim >= static_cast<int64_t>(source.shape.size()))
    return op.emitError("reference evaluator: tensor.dim needs a constant, "
                        "in-range dimension");
  Tensor scalar = *Tensor::zeros(ElementType::I64, {});
  scalar.ints[0] = source.shape[*dim];
  values[op.getResult()] = std::move(scalar);
  return success();
}

LogicalResult BlockEvaluator::evaluatePackedLutLayer(PackedLutLayerOp op) {
  // Unpack every lane (padding lanes included), evaluate, and pack again:
  // padding lanes then hold what the LUTs compute on zero inputs, which the
  // op's semantics leave unspecified.
  const Tensor &in = values[op.getInput()];
  unsigned wordBits = op.getInput().getType().getElementTypeBitWidth();
  bool sliced = op.getLayout() == BitLayout::batch_sliced;
  int64_t numInputs = op.getNumInputs(), numLuts = op.getNumLuts();
  int64_t lanes = sliced ? in.shape[0] * wordBits : in.shape[0];
  std::vector<int64_t> mapping;
  std::vector<uint8_t> tables;
  if (readIntegers(op.getMapping(), mapping) || readBits(op.getTables(), tables))
    return op.emitError("cannot read mapping or tables");
  std::vector<uint64_t> words(in.ints.size());
  uint64_t mask = wordBits == 64 ? ~uint64_t(0) : (uint64_t(1) << wordBits) - 1;
  for (size_t i = 0; i < words.size(); ++i)
    words[i] = uint64_t(in.ints[i]) & mask;
  std::vector<uint8_t> bits(lanes * numInputs), outBits(lanes * numLuts);
  unpackBits(words.data(), lanes, numInputs, wordBits, sliced, bits.data());
  lutLayer(bits.data(), lanes, numInputs, mapping.data(), numLuts,
           op.getFanIn(), tables.data(), outBits.data());
  std::vector<int64_t> shape =
      sliced ? std::vector<int64_t>{in.shape[0], numLuts}
             : std::vector<int64_t>{lanes, (numLuts + wordBits - 1) / wordBits};
  FailureOr<Tensor *> out = allocate(op, op.getOutput(), shape);
  if (failed(out))
    return failure();
  std::vector<uint64_t> packed((*out)->ints.size());
  packBits(outBits.data(), lanes, numLuts, wordBits, sliced, packed.data());
  for (size_t i = 0; i < packed.size(); ++i)
    (*out)->ints[i] = wordBits == 64 ? int64_t(packed[i])
                                     : llvm::SignExtend64(packed[i], wordBits);
  return success();
}

LogicalResult BlockEvaluator::evaluateRegionOp(Operation *op) {
  std::vector<Tensor> arguments;
  for (Value operand : op->getOperands())
    arguments.push_back(values[operand]);
  BlockEvaluator nested(options);
  FailureOr<std::vector<Tensor>> results =
      nested.run(op->getRegion(0).front(), arguments);
  if (failed(results))
    return failure();
  for (auto [result, tensor] : llvm::zip(op->getResults(), *results))
    values[result] = std::move(tensor);
  return success();
}


FailureOr<std::vector<Tensor>> evaluate(func::FuncOp func,
                                        ArrayRef<Tensor> arguments,
                                        const EvaluationOptions &options) {
  if (func.isExternal())
    return func.emitError("cannot evaluate an external function");
  if (!func.getBody().hasOneBlock())
    return func.emitError("reference evaluator: only single-block functions "
                          "are supported");
  if (arguments.size() != func.getNumArguments())
    return func.emitError() << "function takes " << func.getNumArguments()
                            << " arguments, " << arguments.size()
                            << " given";
  for (auto [index, tensor] : llvm::enumerate(arguments)) {
    std::string problem =
        checkArgument(tensor, func.getArgumentTypes()[index]);
    if (!problem.empty())
      return func.emitError() << "argument " << index << ": " << problem;
  }
  BlockEvaluator evaluator(options);
  return evaluator.run(func.getBody().front(), arguments);
}

} // namespace quweit::reference
