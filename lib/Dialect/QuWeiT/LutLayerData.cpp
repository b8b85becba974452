//===- LutLayerData.cpp - a LUT layer's mapping and tables as data --------===//

#include "quweit/Dialect/QuWeiT/LutLayerData.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

using namespace mlir;
using namespace quweit;

FailureOr<LutLayerData> LutLayerData::read(LutLayerOp op) {
  LutLayerData data;
  data.numInputs = op.getNumInputs();
  data.numLuts = op.getNumLuts();
  data.fanIn = op.getFanIn();
  if (data.fanIn < 1 || data.fanIn > 16 ||
      data.numLuts > kMaxRewriteEntries >> data.fanIn)
    return failure();
  if (readIntegers(op.getMapping(), data.mapping) ||
      readBits(op.getTables(), data.tables))
    return failure();
  if (static_cast<int64_t>(data.mapping.size()) != data.numLuts * data.fanIn ||
      static_cast<int64_t>(data.tables.size()) !=
          data.numLuts * data.tableSize())
    return failure();
  return data;
}

bool LutLayerData::ignoresSlot(int64_t lut, int64_t slot) const {
  int64_t bit = int64_t(1) << slot;
  for (int64_t address = 0; address < tableSize(); ++address)
    if (!(address & bit) && entry(lut, address) != entry(lut, address | bit))
      return false;
  return true;
}

std::optional<uint8_t> LutLayerData::constantValue(int64_t lut) const {
  uint8_t first = entry(lut, 0);
  for (int64_t address = 1; address < tableSize(); ++address)
    if (entry(lut, address) != first)
      return std::nullopt;
  return first;
}

LutLayerOp LutLayerData::create(OpBuilder &builder, Location loc, Value input,
                                LutLayerOp like) const {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = RankedTensorType::get({inputType.getDimSize(0), numLuts},
                                          builder.getI1Type());
  auto mappingType = RankedTensorType::get(
      {numLuts, fanIn}, like.getMapping().getElementType());
  auto tablesType =
      RankedTensorType::get({numLuts, tableSize()}, builder.getI1Type());
  return LutLayerOp::create(
      builder, loc, resultType, input,
      buildIntegers(mappingType, mapping, "quweit_mapping"),
      buildBits(tablesType, tables, "quweit_tables"));
}

void LutLayerData::assignTo(LutLayerOp op) const {
  MLIRContext *context = op.getContext();
  auto mappingType = RankedTensorType::get({numLuts, fanIn},
                                           op.getMapping().getElementType());
  auto tablesType = RankedTensorType::get({numLuts, tableSize()},
                                          IntegerType::get(context, 1));
  op.setMappingAttr(buildIntegers(mappingType, mapping, "quweit_mapping"));
  op.setTablesAttr(buildBits(tablesType, tables, "quweit_tables"));
}
