//===- Tensor.cpp - concrete tensors for the reference evaluator ----------===//

#include "quweit/Reference/Tensor.h"

#include "llvm/Support/MathExtras.h"

namespace quweit::reference {

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::I1: return "i1";
  case ElementType::I8: return "i8";
  case ElementType::I16: return "i16";
  case ElementType::I32: return "i32";
  case ElementType::I64: return "i64";
  case ElementType::F32: return "f32";
  }
  return "?";
}

unsigned elementBitWidth(ElementType type) {
  switch (type) {
  case ElementType::I1: return 1;
  case ElementType::I8: return 8;
  case ElementType::I16: return 16;
  case ElementType::I32: return 32;
  case ElementType::I64: return 64;
  case ElementType::F32: return 32;
  }
  return 0;
}

std::optional<Tensor> Tensor::zeros(ElementType type,
                                    std::vector<int64_t> shape,
                                    int64_t maxElements) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (dim < 0 || llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  if (count > maxElements)
    return std::nullopt;
  Tensor tensor;
  tensor.type = type;
  tensor.shape = std::move(shape);
  if (tensor.isBits())
    tensor.bits.assign(count, 0);
  else if (tensor.isFloat())
    tensor.floats.assign(count, 0.0f);
  else
    tensor.ints.assign(count, 0);
  return tensor;
}

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string Tensor::typeString() const {
  std::string result;
  for (int64_t dim : shape)
    result += std::to_string(dim) + "x";
  return result + elementTypeName(type);
}

} // namespace quweit::reference
