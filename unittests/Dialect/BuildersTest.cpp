//===- BuildersTest.cpp - C++ builders of the quweit ops ------------------===//

#include "quweit/Dialect/QuWeiT/LutLayerData.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"
#include "quweit/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace quweit;

namespace {

class BuildersTest : public ::testing::Test {
protected:
  BuildersTest() {
    DialectRegistry registry;
    registry.insert<func::FuncDialect>();
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }
  MLIRContext context;
};

TEST_F(BuildersTest, LutLayerBuilderMakesVerifiableOp) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto inputType = RankedTensorType::get({ShapedType::kDynamic, 3},
                                         builder.getI1Type());
  auto func = func::FuncOp::create(
      builder, loc, "f", builder.getFunctionType({inputType}, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  // Two LUTs of fan-in 2: AND(x0, x1) and XOR(x1, x2).
  auto layer = LutLayerOp::create(builder, loc, entry->getArgument(0),
                                  ArrayRef<int64_t>{0, 1, 1, 2},
                                  ArrayRef<bool>{false, false, false, true,
                                                 false, true, true, false},
                                  /*numLuts=*/2, /*fanIn=*/2);
  func::ReturnOp::create(builder, loc);
  EXPECT_TRUE(succeeded(verify(*module)));
  EXPECT_EQ(layer.getNumLuts(), 2);
  EXPECT_EQ(layer.getFanIn(), 2);
  EXPECT_EQ(layer.getNumInputs(), 3);
  EXPECT_TRUE(layer.getOutput().getType().isDynamicDim(0));

  FailureOr<LutLayerData> data = LutLayerData::read(layer);
  ASSERT_TRUE(succeeded(data));
  EXPECT_EQ(data->input(1, 1), 2);
  EXPECT_EQ(data->entry(0, 3), 1);
  EXPECT_FALSE(data->ignoresSlot(0, 0));
  EXPECT_FALSE(data->constantValue(0).has_value());
}

TEST_F(BuildersTest, LargeLayersUseResourceBlobs) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto inputType = RankedTensorType::get({4, 64}, builder.getI1Type());
  auto func = func::FuncOp::create(
      builder, loc, "f", builder.getFunctionType({inputType}, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  const int64_t numLuts = 1000, fanIn = 6;
  std::vector<int64_t> mapping(numLuts * fanIn);
  for (size_t i = 0; i < mapping.size(); ++i)
    mapping[i] = (i * 7) % 64;
  std::vector<char> tableStorage(numLuts << fanIn);
  for (size_t i = 0; i < tableStorage.size(); ++i)
    tableStorage[i] = (i * 13) % 5 == 0;
  SmallVector<bool> tables(tableStorage.begin(), tableStorage.end());
  auto layer = LutLayerOp::create(builder, loc, entry->getArgument(0), mapping,
                                  tables, numLuts, fanIn);
  func::ReturnOp::create(builder, loc);
  ASSERT_TRUE(succeeded(verify(*module)));
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(layer.getTables()));
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(layer.getMapping()));
  FailureOr<LutLayerData> data = LutLayerData::read(layer);
  ASSERT_TRUE(succeeded(data));
  EXPECT_EQ(data->mapping, mapping);
  EXPECT_EQ(data->entry(999, 63), tables[999 * 64 + 63]);
}

} // namespace
