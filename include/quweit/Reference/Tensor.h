//===- Tensor.h - concrete tensors for the reference evaluator --*- C++ -*-===//

#ifndef QUWEIT_REFERENCE_TENSOR_H
#define QUWEIT_REFERENCE_TENSOR_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quweit::reference {

enum class ElementType { I1, I8, I16, I32, I64, F32 };

/// Name as in MLIR ("i1", "f32", ...).
const char *elementTypeName(ElementType type);
/// Bit width of an integer element type (1 for i1), 32 for f32.
unsigned elementBitWidth(ElementType type);

/// A dense row-major tensor. Exactly one of the storage vectors is used:
/// `bits` (0/1 bytes) for i1, `ints` for i8..i64, `floats` for f32.
struct Tensor {
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bits;
  std::vector<int64_t> ints;
  std::vector<float> floats;

  /// A zero tensor; fails (nullopt) when the element count overflows or
  /// exceeds `maxElements`.
  static std::optional<Tensor> zeros(ElementType type,
                                     std::vector<int64_t> shape,
                                     int64_t maxElements = int64_t(1) << 32);

  int64_t numElements() const;
  bool isBits() const { return type == ElementType::I1; }
  bool isFloat() const { return type == ElementType::F32; }
  bool isInteger() const { return !isBits() && !isFloat(); }
  /// "3x4xf32".
  std::string typeString() const;
};

} // namespace quweit::reference

#endif // QUWEIT_REFERENCE_TENSOR_H
