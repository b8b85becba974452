//===- ElementsAccess.cpp - read and build elements attributes ------------===//

#include "quweit/Dialect/QuWeiT/ElementsAccess.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace mlir;

namespace quweit {

std::optional<int64_t> checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (ShapedType::isDynamic(dim) || dim < 0)
      return std::nullopt;
    int64_t next;
    if (llvm::MulOverflow(count, dim, next))
      return std::nullopt;
    count = next;
  }
  return count;
}

bool isSplat(ElementsAttr attr) {
  // Only DenseElementsAttr can hand out its splat value: a one-element
  // dense_resource also reports isSplat(), but getSplatValue on it reaches
  // llvm_unreachable (found by fuzz-evaluate).
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  return dense && dense.isSplat();
}

namespace {

/// Size in bytes of one element as stored in a dense_resource blob (i1 is one
/// byte, as DenseBoolResourceElementsAttr stores it).
std::optional<size_t> blobElementBytes(Type type) {
  if (type.isInteger(1))
    return 1;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    if (intType.getWidth() % 8 != 0)
      return std::nullopt;
    return intType.getWidth() / 8;
  }
  if (type.isF32())
    return 4;
  if (type.isF64())
    return 8;
  return std::nullopt;
}

/// Returns the raw bytes of a dense_resource attribute after checking that the
/// blob is present and exactly as large as the type says.
ReadError resourceBytes(DenseResourceElementsAttr attr, ArrayRef<char> &bytes) {
  AsmResourceBlob *blob = attr.getRawHandle().getBlob();
  if (!blob)
    return {"dense_resource blob '" + attr.getRawHandle().getKey().str() +
            "' has no data (missing from the file's resource section)"};
  std::optional<size_t> elementBytes = blobElementBytes(attr.getElementType());
  std::optional<int64_t> count = checkedNumElements(attr.getType().getShape());
  if (!elementBytes || !count)
    return {"unsupported dense_resource element type or shape"};
  int64_t expected;
  if (llvm::MulOverflow(*count, static_cast<int64_t>(*elementBytes), expected))
    return {"dense_resource size overflows"};
  bytes = blob->getData();
  if (static_cast<int64_t>(bytes.size()) != expected)
    return {"dense_resource blob '" + attr.getRawHandle().getKey().str() +
            "' holds " + std::to_string(bytes.size()) + " bytes but its type " +
            "needs " + std::to_string(expected)};
  return {};
}

template <typename Fn>
ReadError forEachResourceElement(DenseResourceElementsAttr attr, Fn &&fn) {
  ArrayRef<char> bytes;
  if (ReadError error = resourceBytes(attr, bytes))
    return error;
  size_t elementBytes = *blobElementBytes(attr.getElementType());
  for (size_t offset = 0; offset < bytes.size(); offset += elementBytes)
    fn(bytes.data() + offset);
  return {};
}

ReadError checkDenseLike(ElementsAttr attr) {
  if (!isa<DenseElementsAttr, DenseResourceElementsAttr>(attr))
    return {"expected a dense or dense_resource elements attribute"};
  return {};
}

} // namespace

ReadError checkResourceBlob(ElementsAttr attr) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return {};
  ArrayRef<char> bytes;
  return resourceBytes(resource, bytes);
}

namespace {
/// Calls fn(index, value) on each T of a blob, sign-extended, until fn
/// returns false.
template <typename T>
void forEachStored(ArrayRef<char> bytes,
                   llvm::function_ref<bool(int64_t, int64_t)> fn) {
  int64_t count = bytes.size() / sizeof(T);
  for (int64_t index = 0; index < count; ++index) {
    T value;
    std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
    if (!fn(index, static_cast<int64_t>(value)))
      return;
  }
}
} // namespace

ReadError forEachInteger(ElementsAttr attr,
                         llvm::function_ref<bool(int64_t, int64_t)> fn) {
  auto intType = dyn_cast<IntegerType>(attr.getElementType());
  if (!intType || intType.getWidth() < 2 || intType.getWidth() > 64)
    return {"expected integer elements"};
  if (ReadError error = checkDenseLike(attr))
    return error;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    int64_t index = 0;
    for (const APInt &value : dense.getValues<APInt>())
      if (!fn(index++, value.getSExtValue()))
        break;
    return {};
  }
  ArrayRef<char> bytes;
  if (ReadError error =
          resourceBytes(cast<DenseResourceElementsAttr>(attr), bytes))
    return error;
  switch (intType.getWidth()) {
  case 8: forEachStored<int8_t>(bytes, fn); break;
  case 16: forEachStored<int16_t>(bytes, fn); break;
  case 32: forEachStored<int32_t>(bytes, fn); break;
  default: forEachStored<int64_t>(bytes, fn); break;
  }
  return {};
}

ReadError readIntegers(ElementsAttr attr, std::vector<int64_t> &out) {
  out.clear();
  // Reserved only for sizes backed by data: a splat, or a dense_resource
  // type over a smaller blob, may claim 2^40 elements.
  ArrayRef<char> bytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && !dense.isSplat())
    out.reserve(dense.getNumElements());
  else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
           resource && !resourceBytes(resource, bytes))
    out.reserve(bytes.size() / *blobElementBytes(attr.getElementType()));
  return forEachInteger(attr, [&](int64_t, int64_t value) {
    out.push_back(value);
    return true;
  });
}

ReadError readFloats(ElementsAttr attr, std::vector<float> &out) {
  if (!attr.getElementType().isF32())
    return {"expected f32 elements"};
  if (ReadError error = checkDenseLike(attr))
    return error;
  out.clear();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    out.reserve(dense.getNumElements());
    for (float value : dense.getValues<float>())
      out.push_back(value);
    return {};
  }
  return forEachResourceElement(cast<DenseResourceElementsAttr>(attr),
                                [&](const char *p) {
                                  float value;
                                  std::memcpy(&value, p, 4);
                                  out.push_back(value);
                                });
}

ReadError readBits(ElementsAttr attr, std::vector<uint8_t> &out) {
  if (!attr.getElementType().isInteger(1))
    return {"expected i1 elements"};
  if (ReadError error = checkDenseLike(attr))
    return error;
  out.clear();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    out.reserve(dense.getNumElements());
    for (bool value : dense.getValues<bool>())
      out.push_back(value ? 1 : 0);
    return {};
  }
  ArrayRef<char> bytes;
  if (ReadError error =
          resourceBytes(cast<DenseResourceElementsAttr>(attr), bytes))
    return error;
  // One byte per bit in the blob: a plain (vectorised) loop, as tables of a
  // million LUTs hold 64 M entries.
  out.resize(bytes.size());
  for (size_t index = 0; index < bytes.size(); ++index)
    out[index] = bytes[index] != 0;
  return {};
}

namespace {
template <typename T>
ElementsAttr buildResource(ShapedType type, ArrayRef<T> values,
                           StringRef resourceName) {
  return DenseResourceElementsAttr::get(
      type, resourceName,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}
} // namespace

ElementsAttr buildIntegers(ShapedType type, ArrayRef<int64_t> values,
                           StringRef resourceName) {
  unsigned width = type.getElementType().getIntOrFloatBitWidth();
  if (static_cast<int64_t>(values.size()) <= kInlineElementsLimit) {
    SmallVector<APInt> apValues;
    apValues.reserve(values.size());
    for (int64_t value : values)
      apValues.emplace_back(width, value, /*isSigned=*/true);
    return DenseElementsAttr::get(type, apValues);
  }
  switch (width) {
  case 8: {
    std::vector<int8_t> narrow(values.begin(), values.end());
    return buildResource<int8_t>(type, narrow, resourceName);
  }
  case 16: {
    std::vector<int16_t> narrow(values.begin(), values.end());
    return buildResource<int16_t>(type, narrow, resourceName);
  }
  case 32: {
    std::vector<int32_t> narrow(values.begin(), values.end());
    return buildResource<int32_t>(type, narrow, resourceName);
  }
  default:
    return buildResource<int64_t>(type, values, resourceName);
  }
}

ElementsAttr buildFloats(ShapedType type, ArrayRef<float> values,
                         StringRef resourceName) {
  if (static_cast<int64_t>(values.size()) <= kInlineElementsLimit)
    return DenseElementsAttr::get(type, values);
  return buildResource<float>(type, values, resourceName);
}

ElementsAttr buildBits(ShapedType type, ArrayRef<uint8_t> values,
                       StringRef resourceName) {
  if (static_cast<int64_t>(values.size()) <= kInlineElementsLimit) {
    SmallVector<bool> bools(values.begin(), values.end());
    return DenseElementsAttr::get(type, ArrayRef<bool>(bools));
  }
  return buildResource<uint8_t>(type, values, resourceName);
}

} // namespace quweit
