//===- NpyTest.cpp - .npy reading and writing -----------------------------===//

#include "quweit/Reference/Npy.h"

#include <gtest/gtest.h>

using namespace quweit::reference;

namespace {

std::string errorOf(llvm::StringRef bytes) {
  llvm::Expected<Tensor> tensor = parseNpy(bytes);
  if (tensor)
    return "";
  return llvm::toString(tensor.takeError());
}

TEST(NpyTest, RoundTripsEveryType) {
  for (ElementType type : {ElementType::I1, ElementType::I8, ElementType::I16,
                           ElementType::I32, ElementType::I64,
                           ElementType::F32}) {
    std::optional<Tensor> tensor = Tensor::zeros(type, {2, 3});
    ASSERT_TRUE(tensor);
    for (int64_t i = 0; i < 6; ++i) {
      if (tensor->isBits())
        tensor->bits[i] = i % 2;
      else if (tensor->isFloat())
        tensor->floats[i] = 0.25f * i - 1.0f;
      else
        tensor->ints[i] = i - 3;
    }
    llvm::Expected<Tensor> back = parseNpy(serializeNpy(*tensor));
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->type, type);
    EXPECT_EQ(back->shape, tensor->shape);
    EXPECT_EQ(back->bits, tensor->bits);
    EXPECT_EQ(back->ints, tensor->ints);
    EXPECT_EQ(back->floats, tensor->floats);
  }
}

TEST(NpyTest, OneDimensionalShapeHasTrailingComma) {
  std::optional<Tensor> tensor = Tensor::zeros(ElementType::I64, {3});
  std::string bytes = serializeNpy(*tensor);
  EXPECT_NE(bytes.find("'shape': (3,)"), std::string::npos);
  EXPECT_EQ((bytes.size() - 3 * 8) % 64, 0u); // data aligned to 64 bytes
}

TEST(NpyTest, RejectsMalformedInput) {
  EXPECT_NE(errorOf("hello"), "");
  EXPECT_NE(errorOf(llvm::StringRef("\x93NUMPY\x01\x00", 8)).find("truncated"),
            std::string::npos);
  std::optional<Tensor> tensor = Tensor::zeros(ElementType::F32, {4});
  std::string bytes = serializeNpy(*tensor);
  EXPECT_NE(errorOf(llvm::StringRef(bytes).drop_back(1)).find("truncated data"),
            std::string::npos);
  EXPECT_NE(errorOf(bytes + "x").find("trailing data"), std::string::npos);
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_NE(errorOf(fortran).find("Fortran"), std::string::npos);
  std::string complex = bytes;
  complex.replace(complex.find("<f4"), 3, "<c8");
  EXPECT_NE(errorOf(complex).find("unsupported dtype"), std::string::npos);
}

TEST(NpyTest, RejectsBoolsOtherThanZeroOrOne) {
  std::optional<Tensor> tensor = Tensor::zeros(ElementType::I1, {2});
  std::string bytes = serializeNpy(*tensor);
  bytes.back() = 2;
  EXPECT_NE(errorOf(bytes).find("not 0 or 1"), std::string::npos);
}

} // namespace
