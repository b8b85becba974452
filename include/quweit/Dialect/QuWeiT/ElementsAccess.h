//===- ElementsAccess.h - read and build elements attributes ----*- C++ -*-===//
//
// Thresholds, mappings and tables may be inline `dense<...>` attributes or
// `dense_resource<...>` blobs. These helpers read either form into plain
// vectors (failing cleanly when a blob is missing or has the wrong size) and
// build new attributes, choosing a resource blob for large data so that big
// models keep printing and parsing fast.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_DIALECT_QUWEIT_ELEMENTSACCESS_H
#define QUWEIT_DIALECT_QUWEIT_ELEMENTSACCESS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quweit {

/// Number of elements of a static shape, or std::nullopt on a dynamic dim or
/// on int64 overflow.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape);

/// Why reading an attribute failed; empty on success.
struct ReadError {
  std::string message;
  explicit operator bool() const { return !message.empty(); }
};

/// For a dense_resource attribute, checks that its blob is present and has
/// exactly the size its type needs (without reading the values).
ReadError checkResourceBlob(mlir::ElementsAttr attr);

/// Calls fn(index, value) on the values of an integer (signless,
/// sign-extended) elements attribute in row-major order until fn returns
/// false, without materialising them (verifiers of million-entry mappings).
ReadError forEachInteger(mlir::ElementsAttr attr,
                         llvm::function_ref<bool(int64_t, int64_t)> fn);
/// Reads the values of an integer (signless, sign-extended) elements attribute.
ReadError readIntegers(mlir::ElementsAttr attr, std::vector<int64_t> &out);
/// Reads the values of an f32 elements attribute.
ReadError readFloats(mlir::ElementsAttr attr, std::vector<float> &out);
/// Reads the values of an i1 elements attribute as 0/1 bytes.
ReadError readBits(mlir::ElementsAttr attr, std::vector<uint8_t> &out);

/// True for a splat DenseElementsAttr, whose value getSplatValue can read.
/// A one-element dense_resource is not a splat here (getSplatValue would
/// reach llvm_unreachable on it). Splats are never materialised by verifiers.
bool isSplat(mlir::ElementsAttr attr);

/// Elements above this count are stored as dense_resource blobs by the
/// builders below; smaller ones inline.
constexpr int64_t kInlineElementsLimit = 4096;

mlir::ElementsAttr buildIntegers(mlir::ShapedType type, llvm::ArrayRef<int64_t> values,
                                 llvm::StringRef resourceName);
mlir::ElementsAttr buildFloats(mlir::ShapedType type, llvm::ArrayRef<float> values,
                               llvm::StringRef resourceName);
mlir::ElementsAttr buildBits(mlir::ShapedType type, llvm::ArrayRef<uint8_t> values,
                             llvm::StringRef resourceName);

} // namespace quweit

#endif // QUWEIT_DIALECT_QUWEIT_ELEMENTSACCESS_H
