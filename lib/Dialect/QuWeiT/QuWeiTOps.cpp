//===- QuWeiTOps.cpp - QuWeiT op builders and verifiers -------------------===//
//
// Every invariant of docs/semantics.md that can be checked statically is
// checked here: the packaged MLIR is built without assertions, so these
// verifiers are what stands between a malformed model and a wrong answer.
//
//===----------------------------------------------------------------------===//

#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace quweit;

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

namespace {

/// Checks that two dimensions agree where both are static.
LogicalResult checkDim(Operation *op, int64_t actual, int64_t expected,
                       StringRef what) {
  if (ShapedType::isDynamic(actual) || ShapedType::isDynamic(expected) ||
      actual == expected)
    return success();
  return op->emitOpError() << what << " is " << actual << ", expected "
                           << expected;
}

LogicalResult checkBatch(Operation *op, ShapedType input, ShapedType output) {
  return checkDim(op, output.getDimSize(0), input.getDimSize(0),
                  "result batch dimension");
}

LogicalResult requireStatic(Operation *op, int64_t dim, StringRef what) {
  if (ShapedType::isDynamic(dim))
    return op->emitOpError() << what << " must be static";
  return success();
}

/// Checks rank and element count overflow of a constant attribute.
LogicalResult checkAttrShape(Operation *op, ElementsAttr attr, int64_t rank,
                             StringRef name) {
  ShapedType type = attr.getShapedType();
  if (type.getRank() != rank)
    return op->emitOpError() << "'" << name << "' must have rank " << rank
                             << ", got " << type.getRank();
  if (!checkedNumElements(type.getShape()))
    return op->emitOpError() << "'" << name
                             << "' has a dynamic or overflowing shape";
  if (!isa<DenseElementsAttr, DenseResourceElementsAttr>(attr))
    return op->emitOpError() << "'" << name
                             << "' must be a dense or dense_resource attribute";
  if (ReadError error = checkResourceBlob(attr))
    return op->emitOpError() << "'" << name << "' " << error.message;
  return success();
}

bool isSupportedIndexType(Type type) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && intType.isSignless() &&
         (intType.getWidth() == 16 || intType.getWidth() == 32 ||
          intType.getWidth() == 64);
}

/// Reads an integer attribute and checks every value lies in [0, bound).
LogicalResult checkIndicesInRange(Operation *op, ElementsAttr attr,
                                  int64_t bound, StringRef name,
                                  int64_t rowLength) {
  bool splat = isSplat(attr);
  if (splat)
    rowLength = 0;
  // Streamed, not materialised: a million-LUT mapping is verified after
  // every pass of the pipeline.
  std::optional<std::pair<int64_t, int64_t>> bad; // (index, value)
  auto check = [&](int64_t index, int64_t value) {
    if (value >= 0 && value < bound)
      return true;
    bad = {index, value};
    return false;
  };
  if (splat) {
    // Splats are checked without materialising (a huge splat is legal IR).
    check(0, attr.getSplatValue<APInt>().getSExtValue());
  } else if (ReadError error = forEachInteger(attr, check)) {
    return op->emitOpError() << "cannot read '" << name << "': "
                             << error.message;
  }
  if (!bad)
    return success();
  auto [index, value] = *bad;
  InFlightDiagnostic diag = op->emitOpError() << "'" << name << "' value "
                                              << value;
  if (rowLength > 0)
    diag << " at [" << index / rowLength << ", " << index % rowLength << "]";
  else if (!splat)
    diag << " at [" << index << "]";
  return diag << " is out of range [0, " << bound << ")";
}

} // namespace

//===----------------------------------------------------------------------===//
// ThermometerOp
//===----------------------------------------------------------------------===//

int64_t ThermometerOp::getNumFeatures() {
  return getThresholds().getShapedType().getDimSize(0);
}

int64_t ThermometerOp::getBitsPerFeature() {
  return getThresholds().getShapedType().getDimSize(1);
}

LogicalResult ThermometerOp::verify() {
  ElementsAttr thresholds = getThresholds();
  if (failed(checkAttrShape(*this, thresholds, 2, "thresholds")))
    return failure();
  if (!thresholds.getElementType().isF32())
    return emitOpError("'thresholds' must have f32 elements");
  int64_t numFeatures = getNumFeatures(), bitsPerFeature = getBitsPerFeature();
  if (bitsPerFeature < 1)
    return emitOpError("needs at least one threshold per feature");
  auto inputType = getInput().getType();
  auto outputType = getOutput().getType();
  if (failed(checkBatch(*this, inputType, outputType)) ||
      failed(requireStatic(*this, inputType.getDimSize(1),
                           "input feature dimension")) ||
      failed(requireStatic(*this, outputType.getDimSize(1),
                           "result bit dimension")) ||
      failed(checkDim(*this, inputType.getDimSize(1), numFeatures,
                      "input feature dimension")))
    return failure();
  int64_t numBits;
  if (llvm::MulOverflow(numFeatures, bitsPerFeature, numBits))
    return emitOpError("number of output bits overflows");
  if (failed(checkDim(*this, outputType.getDimSize(1), numBits,
                      "result bit dimension")))
    return failure();

  std::vector<float> values;
  if (isSplat(thresholds)) {
    values.push_back(thresholds.getSplatValue<float>());
    bitsPerFeature = 1;
  } else if (ReadError error = readFloats(thresholds, values)) {
    return emitOpError() << "cannot read 'thresholds': " << error.message;
  }
  for (size_t index = 0; index < values.size(); ++index) {
    int64_t feature = index / bitsPerFeature, slot = index % bitsPerFeature;
    if (!std::isfinite(values[index]))
      return emitOpError() << "threshold [" << feature << ", " << slot
                           << "] is not finite (" << values[index] << ")";
    if (slot > 0 && values[index] < values[index - 1])
      return emitOpError() << "thresholds of feature " << feature
                           << " decrease at [" << feature << ", " << slot
                           << "]: " << values[index] << " after "
                           << values[index - 1]
                           << " (they must be non-decreasing)";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LutLayerOp
//===----------------------------------------------------------------------===//

int64_t LutLayerOp::getNumInputs() {
  return getInput().getType().getDimSize(1);
}
int64_t LutLayerOp::getNumLuts() {
  return getMapping().getShapedType().getDimSize(0);
}
int64_t LutLayerOp::getFanIn() {
  return getMapping().getShapedType().getDimSize(1);
}

void LutLayerOp::build(OpBuilder &builder, OperationState &state, Value input,
                       ArrayRef<int64_t> mapping, ArrayRef<bool> tables,
                       int64_t numLuts, int64_t fanIn) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = RankedTensorType::get({inputType.getDimSize(0), numLuts},
                                          builder.getI1Type());
  auto mappingType =
      RankedTensorType::get({numLuts, fanIn}, builder.getI32Type());
  auto tablesType = RankedTensorType::get({numLuts, int64_t(1) << fanIn},
                                          builder.getI1Type());
  std::vector<uint8_t> bits(tables.begin(), tables.end());
  build(builder, state, resultType, input,
        buildIntegers(mappingType, mapping, "quweit_mapping"),
        buildBits(tablesType, bits, "quweit_tables"));
}

/// Checks mapping and tables of a LUT layer over `numInputs` input bits.
static LogicalResult verifyLutAttributes(Operation *op, ElementsAttr mapping,
                                         ElementsAttr tables,
                                         int64_t numInputs) {
  if (failed(checkAttrShape(op, mapping, 2, "mapping")) ||
      failed(checkAttrShape(op, tables, 2, "tables")))
    return failure();
  if (!isSupportedIndexType(mapping.getElementType()))
    return op->emitOpError("'mapping' must have i16, i32 or i64 elements");
  if (!tables.getElementType().isInteger(1))
    return op->emitOpError("'tables' must have i1 elements");
  int64_t numLuts = mapping.getShapedType().getDimSize(0);
  int64_t fanIn = mapping.getShapedType().getDimSize(1);
  if (fanIn < 1 || fanIn > 16)
    return op->emitOpError() << "fan-in must be in [1, 16], got " << fanIn;
  ShapedType tablesType = tables.getShapedType();
  if (tablesType.getDimSize(0) != numLuts)
    return op->emitOpError() << "'tables' has " << tablesType.getDimSize(0)
                             << " rows but 'mapping' has " << numLuts;
  if (tablesType.getDimSize(1) != (int64_t(1) << fanIn))
    return op->emitOpError() << "'tables' rows have "
                             << tablesType.getDimSize(1)
                             << " entries, expected 2^" << fanIn << " = "
                             << (int64_t(1) << fanIn);
  // Implementation limits, checked before anything reads the attributes:
  // every backend materialises mapping and tables (the evaluator as bytes,
  // the CPU backend as packed words, hardware as LUT primitives), so a
  // declaration of 10^8 LUTs (a few bytes of splat text) must be refused
  // here rather than exhaust memory later. The largest FPGAs hold ~10^7
  // LUT6s; DWN models use ~10^5.
  constexpr int64_t kMaxLuts = int64_t(1) << 22;
  constexpr int64_t kMaxTableBits = int64_t(1) << 28;
  if (numLuts > kMaxLuts)
    return op->emitOpError() << "has " << numLuts
                             << " LUTs; at most 2^22 = " << kMaxLuts
                             << " per layer are supported";
  if (numLuts << fanIn > kMaxTableBits)
    return op->emitOpError() << "tables hold " << (numLuts << fanIn)
                             << " bits; at most 2^28 = " << kMaxTableBits
                             << " per layer are supported";
  return checkIndicesInRange(op, mapping, numInputs, "mapping", fanIn);
}

LogicalResult LutLayerOp::verify() {
  auto inputType = getInput().getType();
  auto outputType = getOutput().getType();
  if (failed(checkBatch(*this, inputType, outputType)) ||
      failed(requireStatic(*this, inputType.getDimSize(1),
                           "input bit dimension")) ||
      failed(requireStatic(*this, outputType.getDimSize(1),
                           "result bit dimension")))
    return failure();
  if (failed(verifyLutAttributes(*this, getMapping(), getTables(),
                                 getNumInputs())))
    return failure();
  return checkDim(*this, outputType.getDimSize(1), getNumLuts(),
                  "result bit dimension");
}

//===----------------------------------------------------------------------===//
// PackedLutLayerOp
//===----------------------------------------------------------------------===//

int64_t PackedLutLayerOp::getNumLuts() {
  return getMapping().getShapedType().getDimSize(0);
}
int64_t PackedLutLayerOp::getFanIn() {
  return getMapping().getShapedType().getDimSize(1);
}

LogicalResult PackedLutLayerOp::verify() {
  int64_t numInputs = getNumInputs();
  if (numInputs < 1)
    return emitOpError("'num_inputs' must be positive");
  auto inputType = getInput().getType();
  auto outputType = getOutput().getType();
  if (inputType.getElementType() != outputType.getElementType())
    return emitOpError("input and result must use the same word type");
  if (failed(verifyLutAttributes(*this, getMapping(), getTables(), numInputs)))
    return failure();
  int64_t wordBits = inputType.getElementTypeBitWidth();
  int64_t numLuts = getNumLuts();
  if (getLayout() == BitLayout::batch_sliced) {
    if (failed(checkDim(*this, outputType.getDimSize(0),
                        inputType.getDimSize(0), "result word rows")) ||
        failed(checkDim(*this, inputType.getDimSize(1), numInputs,
                        "input dimension 1")) ||
        failed(checkDim(*this, outputType.getDimSize(1), numLuts,
                        "result dimension 1")))
      return failure();
  } else {
    if (failed(checkBatch(*this, inputType, outputType)) ||
        failed(checkDim(*this, inputType.getDimSize(1),
                        (numInputs + wordBits - 1) / wordBits,
                        "input word dimension")) ||
        failed(checkDim(*this, outputType.getDimSize(1),
                        (numLuts + wordBits - 1) / wordBits,
                        "result word dimension")))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// GroupSumOp
//===----------------------------------------------------------------------===//

int64_t GroupSumOp::getNumGroups() {
  return getOutput().getType().getDimSize(1);
}

int64_t GroupSumOp::getContiguousGroupSize() {
  int64_t numBits = getInput().getType().getDimSize(1);
  int64_t groups = getNumGroups();
  return (numBits + groups - 1) / groups;
}

LogicalResult GroupSumOp::verify() {
  auto inputType = getInput().getType();
  auto outputType = getOutput().getType();
  if (failed(checkBatch(*this, inputType, outputType)) ||
      failed(requireStatic(*this, inputType.getDimSize(1),
                           "input bit dimension")) ||
      failed(requireStatic(*this, outputType.getDimSize(1),
                           "number of groups (result dimension 1)")))
    return failure();
  int64_t numBits = inputType.getDimSize(1), groups = getNumGroups();
  if (groups < 1)
    return emitOpError("needs at least one group");

  int64_t largestGroup = getContiguousGroupSize();
  if (std::optional<ElementsAttr> groupIndex = getGroupIndex()) {
    if (failed(checkAttrShape(*this, *groupIndex, 1, "group_index")))
      return failure();
    if (!isSupportedIndexType(groupIndex->getElementType()))
      return emitOpError("'group_index' must have i16, i32 or i64 elements");
    if (groupIndex->getShapedType().getDimSize(0) != numBits)
      return emitOpError() << "'group_index' has "
                           << groupIndex->getShapedType().getDimSize(0)
                           << " entries, expected one per input bit ("
                           << numBits << ")";
    if (failed(checkIndicesInRange(*this, *groupIndex, groups, "group_index",
                                   0)))
      return failure();
    std::vector<int64_t> indices;
    if (isSplat(*groupIndex)) {
      largestGroup = numBits;
    } else {
      (void)readIntegers(*groupIndex, indices);
      std::vector<int64_t> sizes(groups, 0);
      for (int64_t index : indices)
        ++sizes[index];
      largestGroup = sizes.empty() ? 0 : *llvm::max_element(sizes);
    }
  }
  unsigned width = outputType.getElementType().getIntOrFloatBitWidth();
  if (width < 64 && largestGroup > (int64_t(1) << (width - 1)) - 1)
    return emitOpError() << "count type i" << width
                         << " cannot hold a group of " << largestGroup
                         << " bits";
  return success();
}

//===----------------------------------------------------------------------===//
// ScaleCountsOp
//===----------------------------------------------------------------------===//

LogicalResult ScaleCountsOp::verify() {
  float tau = getTau().convertToFloat();
  if (!std::isfinite(tau) || !(tau > 0.0f))
    return emitOpError() << "tau must be positive and finite, got " << tau;
  auto inputType = getInput().getType();
  auto outputType = getOutput().getType();
  if (failed(checkBatch(*this, inputType, outputType)) ||
      failed(checkDim(*this, outputType.getDimSize(1), inputType.getDimSize(1),
                      "result dimension 1")))
    return failure();
  int64_t groups = inputType.getDimSize(1);
  for (auto [name, attr] : {std::pair<StringRef, std::optional<ElementsAttr>>{
                                "scale", getScale()},
                            {"bias", getBias()}}) {
    if (!attr)
      continue;
    if (failed(checkAttrShape(*this, *attr, 1, name)))
      return failure();
    if (!attr->getElementType().isF32())
      return emitOpError() << "'" << name << "' must have f32 elements";
    if (failed(requireStatic(*this, groups, "input dimension 1")) ||
        failed(checkDim(*this, attr->getShapedType().getDimSize(0), groups,
                        "'" + name.str() + "' size")))
      return failure();
    std::vector<float> values;
    if (ReadError error = readFloats(*attr, values))
      return emitOpError() << "cannot read '" << name << "': " << error.message;
    for (auto [index, value] : llvm::enumerate(values))
      if (!std::isfinite(value))
        return emitOpError() << "'" << name << "' [" << index
                             << "] is not finite (" << value << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ArgMaxOp
//===----------------------------------------------------------------------===//

LogicalResult ArgMaxOp::verify() {
  auto inputType = getInput().getType();
  if (failed(checkDim(*this, getOutput().getType().getDimSize(0),
                      inputType.getDimSize(0), "result batch dimension")))
    return failure();
  if (inputType.getDimSize(1) == 0)
    return emitOpError("needs at least one score per row");
  return success();
}

//===----------------------------------------------------------------------===//
// PackBitsOp / UnpackBitsOp
//===----------------------------------------------------------------------===//

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Checks the relation between a bit tensor and its packed word tensor.
LogicalResult verifyPacking(Operation *op, RankedTensorType bitsType,
                            RankedTensorType wordsType, BitLayout layout) {
  int64_t wordBits = wordsType.getElementType().getIntOrFloatBitWidth();
  // The packed dimension shrinks by the word width; the other one is equal.
  unsigned packedDim = layout == BitLayout::batch_sliced ? 0 : 1;
  unsigned otherDim = 1 - packedDim;
  if (failed(checkDim(op, wordsType.getDimSize(otherDim),
                      bitsType.getDimSize(otherDim),
                      Twine("word dimension ").concat(Twine(otherDim)).str())))
    return failure();
  int64_t bits = bitsType.getDimSize(packedDim);
  int64_t words = wordsType.getDimSize(packedDim);
  if (!ShapedType::isDynamic(bits) && !ShapedType::isDynamic(words) &&
      words != ceilDiv(bits, wordBits))
    return op->emitOpError()
           << "packs " << bits << " bits along dimension " << packedDim
           << " into " << words << " words of " << wordBits
           << " bits, expected " << ceilDiv(bits, wordBits);
  return success();
}

} // namespace

LogicalResult PackBitsOp::verify() {
  return verifyPacking(*this, getInput().getType(), getOutput().getType(),
                       getLayout());
}

LogicalResult UnpackBitsOp::verify() {
  auto bitsType = getOutput().getType();
  unsigned unpackedDim = getLayout() == BitLayout::batch_sliced ? 0 : 1;
  bool dynamic = bitsType.isDynamicDim(unpackedDim);
  if (dynamic && !getSize())
    return emitOpError() << "needs a 'size' operand: result dimension "
                         << unpackedDim << " is dynamic";
  if (!dynamic && getSize())
    return emitOpError() << "takes no 'size' operand: result dimension "
                         << unpackedDim << " is static";
  return verifyPacking(*this, bitsType, getInput().getType(), getLayout());
}

//===----------------------------------------------------------------------===//
// PermuteBytesOp
//===----------------------------------------------------------------------===//

LogicalResult PermuteBytesOp::verify() {
  VectorType table = getTable().getType(), index = getIndex().getType();
  if (table.isScalable() || index.isScalable())
    return emitOpError() << "takes fixed-length vectors";
  int64_t size = table.getDimSize(0);
  if (size < 2 || size > 256 || !llvm::isPowerOf2_64(size))
    return emitOpError() << "table must have a power of two of lanes from 2 to "
                            "256, got "
                         << size;
  return success();
}

//===----------------------------------------------------------------------===//
// LutFFNOp
//===----------------------------------------------------------------------===//

ThermometerOp LutFFNOp::getThermometer() {
  return cast<ThermometerOp>(getBody().front().front());
}

SmallVector<LutLayerOp, 4> LutFFNOp::getLutLayers() {
  SmallVector<LutLayerOp, 4> layers;
  for (Operation &op : getBody().front())
    if (auto layer = dyn_cast<LutLayerOp>(op))
      layers.push_back(layer);
  return layers;
}

GroupSumOp LutFFNOp::getGroupSum() {
  return *getBody().front().getOps<GroupSumOp>().begin();
}

ScaleCountsOp LutFFNOp::getScaleCounts() {
  return *getBody().front().getOps<ScaleCountsOp>().begin();
}

LogicalResult LutFFNOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 ||
      body.getArgument(0).getType() != getInput().getType())
    return emitOpError() << "body must take one argument of the input type "
                         << getInput().getType();
  // The body is a straight chain; each op must consume the previous result.
  Value previous = body.getArgument(0);
  enum class Stage { Thermometer, Lut, LutOrSum, Scale, Yield, Done };
  Stage stage = Stage::Thermometer;
  for (Operation &op : body) {
    auto fail = [&](StringRef expected) {
      return emitOpError() << "body must be thermometer -> lut_layer+ -> "
                              "group_sum -> scale_counts -> yield; found '"
                           << op.getName() << "' where " << expected
                           << " was expected";
    };
    switch (stage) {
    case Stage::Thermometer:
      if (!isa<ThermometerOp>(op))
        return fail("quweit.thermometer");
      stage = Stage::Lut;
      break;
    case Stage::Lut:
      if (!isa<LutLayerOp>(op))
        return fail("quweit.lut_layer");
      stage = Stage::LutOrSum;
      break;
    case Stage::LutOrSum:
      if (isa<GroupSumOp>(op))
        stage = Stage::Scale;
      else if (!isa<LutLayerOp>(op))
        return fail("quweit.lut_layer or quweit.group_sum");
      break;
    case Stage::Scale:
      if (!isa<ScaleCountsOp>(op))
        return fail("quweit.scale_counts");
      stage = Stage::Yield;
      break;
    case Stage::Yield:
      if (!isa<YieldOp>(op))
        return fail("quweit.yield");
      stage = Stage::Done;
      break;
    case Stage::Done:
      return fail("nothing");
    }
    if (op.getNumOperands() != 1 || op.getOperand(0) != previous)
      return emitOpError() << "'" << op.getName()
                           << "' in the body must use the result of the op "
                              "before it";
    if (op.getNumResults() == 1)
      previous = op.getResult(0);
  }
  if (stage != Stage::Done)
    return emitOpError("body ends early: it must be thermometer -> lut_layer+ "
                       "-> group_sum -> scale_counts -> yield");
  if (previous.getType() != getOutput().getType())
    return emitOpError() << "body yields " << previous.getType()
                         << " but the result type is " << getOutput().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// TransformerBlockOp
//===----------------------------------------------------------------------===//

LogicalResult TransformerBlockOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("block argument types must match the operand types");
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("body must end in quweit.yield");
  if (yield.getOperands().getTypes() != getResults().getTypes())
    return emitOpError("yielded types must match the result types");
  if (getName().empty())
    return emitOpError("needs a non-empty name");
  return success();
}

#define GET_OP_CLASSES
#include "quweit/Dialect/QuWeiT/QuWeiTOps.cpp.inc"
