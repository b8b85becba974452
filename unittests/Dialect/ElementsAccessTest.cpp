//===- ElementsAccessTest.cpp - reading elements attributes ---------------===//

#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace quweit;

namespace {

class ElementsAccessTest : public ::testing::Test {
protected:
  template <typename T>
  ElementsAttr resource(ArrayRef<int64_t> shape, unsigned width,
                        ArrayRef<T> values) {
    auto type = RankedTensorType::get(shape, IntegerType::get(&context, width));
    return DenseResourceElementsAttr::get(
        type, "blob", HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  }
  MLIRContext context;
};

/// The values forEachInteger visits, checking that indices count from 0.
std::vector<int64_t> visit(ElementsAttr attr) {
  std::vector<int64_t> seen;
  EXPECT_FALSE(forEachInteger(attr, [&](int64_t index, int64_t value) {
    EXPECT_EQ(index, static_cast<int64_t>(seen.size()));
    seen.push_back(value);
    return true;
  }));
  return seen;
}

TEST_F(ElementsAccessTest, ForEachIntegerSignExtendsEveryWidth) {
  using Values = std::vector<int64_t>;
  EXPECT_EQ(visit(resource<int8_t>({3}, 8, {-1, 127, -128})), (Values{-1, 127, -128}));
  EXPECT_EQ(visit(resource<int16_t>({2}, 16, {-2, 300})), (Values{-2, 300}));
  EXPECT_EQ(visit(resource<int32_t>({1, 2}, 32, {-3, 70000})), (Values{-3, 70000}));
  EXPECT_EQ(visit(resource<int64_t>({1}, 64, {-(int64_t(1) << 40)})),
            (Values{-(int64_t(1) << 40)}));
  auto dense = DenseElementsAttr::get(
      RankedTensorType::get({2}, IntegerType::get(&context, 32)),
      ArrayRef<int32_t>{-5, 6});
  EXPECT_EQ(visit(cast<ElementsAttr>(dense)), (Values{-5, 6}));
}

TEST_F(ElementsAccessTest, ForEachIntegerStopsWhenAsked) {
  int64_t calls = 0;
  EXPECT_FALSE(forEachInteger(resource<int32_t>({4}, 32, {1, 2, 3, 4}),
                              [&](int64_t index, int64_t) {
                                ++calls;
                                return index < 1;
                              }));
  EXPECT_EQ(calls, 2);
}

TEST_F(ElementsAccessTest, BlobSmallerThanItsTypeIsAnErrorNotAnAllocation) {
  // The type claims 2^40 elements; the blob holds 2. Reading must fail
  // cleanly without reserving for the claimed size.
  ElementsAttr huge = resource<int32_t>({int64_t(1) << 40}, 32, {1, 2});
  std::vector<int64_t> values;
  ReadError error = readIntegers(huge, values);
  ASSERT_TRUE(error);
  EXPECT_NE(error.message.find("holds 8 bytes"), std::string::npos);
  EXPECT_TRUE(forEachInteger(huge, [](int64_t, int64_t) { return true; }));
}

TEST_F(ElementsAccessTest, ReadBitsNormalisesBlobBytes) {
  auto type = RankedTensorType::get({4}, IntegerType::get(&context, 1));
  auto bits = DenseResourceElementsAttr::get(
      type, "bits",
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<uint8_t>{0, 1, 2, 255}));
  std::vector<uint8_t> values;
  EXPECT_FALSE(readBits(cast<ElementsAttr>(bits), values));
  EXPECT_EQ(values, (std::vector<uint8_t>{0, 1, 1, 1}));
}

} // namespace
