//===- Npy.cpp - NumPy .npy files for reference tensors -------------------===//

#include "quweit/Reference/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace quweit::reference {

namespace {

Error npyError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), "npy: " + message);
}

/// Finds `'key':` in the header dictionary and returns what follows it.
std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  for (char quote : {'\'', '"'}) {
    std::string needle = std::string(1, quote) + key.str() + quote;
    size_t pos = header.find(needle);
    if (pos == StringRef::npos)
      continue;
    StringRef rest = header.drop_front(pos + needle.size()).ltrim();
    if (!rest.consume_front(":"))
      return std::nullopt;
    return rest.ltrim();
  }
  return std::nullopt;
}

struct DType {
  ElementType type;
  unsigned bytes;
  bool isUnsigned = false;
  bool isDouble = false;
};

Expected<DType> parseDescr(StringRef descr) {
  // Byte order: '<' little, '|' not applicable, '=' native (little here).
  if (descr.size() < 2)
    return npyError("bad dtype '" + descr + "'");
  char order = descr[0];
  StringRef code = descr.drop_front();
  if (order == '>')
    return npyError("big-endian dtype '" + descr + "' is not supported");
  if (order != '<' && order != '|' && order != '=')
    return npyError("bad dtype '" + descr + "'");
  if (code == "b1") return DType{ElementType::I1, 1};
  if (code == "i1") return DType{ElementType::I8, 1};
  if (code == "u1") return DType{ElementType::I8, 1, /*isUnsigned=*/true};
  if (code == "i2") return DType{ElementType::I16, 2};
  if (code == "i4") return DType{ElementType::I32, 4};
  if (code == "i8") return DType{ElementType::I64, 8};
  if (code == "f4") return DType{ElementType::F32, 4};
  if (code == "f8") return DType{ElementType::F32, 8, false, /*isDouble=*/true};
  return npyError("unsupported dtype '" + descr +
                  "' (use bool, int8/16/32/64, uint8, float32 or float64)");
}

} // namespace

Expected<Tensor> parseNpy(StringRef bytes) {
  static constexpr char kMagic[] = "\x93NUMPY";
  if (!bytes.starts_with(StringRef(kMagic, 6)))
    return npyError("not a .npy file (bad magic)");
  if (bytes.size() < 10)
    return npyError("truncated header");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError("truncated header");
    headerLength = 0;
    for (int i = 0; i < 4; ++i)
      headerLength |= size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    return npyError("unsupported format version " + Twine(major));
  }
  if (bytes.size() - headerStart < headerLength)
    return npyError("truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);
  StringRef data = bytes.drop_front(headerStart + headerLength);

  std::optional<StringRef> descrValue = headerValue(header, "descr");
  std::optional<StringRef> orderValue = headerValue(header, "fortran_order");
  std::optional<StringRef> shapeValue = headerValue(header, "shape");
  if (!descrValue || !orderValue || !shapeValue)
    return npyError("header lacks descr, fortran_order or shape");
  if (descrValue->empty() || ((*descrValue)[0] != '\'' && (*descrValue)[0] != '"'))
    return npyError("structured dtypes are not supported");
  char quote = (*descrValue)[0];
  size_t descrEnd = descrValue->find(quote, 1);
  if (descrEnd == StringRef::npos)
    return npyError("bad descr");
  Expected<DType> dtype = parseDescr(descrValue->substr(1, descrEnd - 1));
  if (!dtype)
    return dtype.takeError();
  if (orderValue->starts_with("True"))
    return npyError("Fortran-order arrays are not supported (use "
                    "numpy.ascontiguousarray)");
  if (!orderValue->starts_with("False"))
    return npyError("bad fortran_order");

  if (!shapeValue->consume_front("("))
    return npyError("bad shape");
  size_t close = shapeValue->find(')');
  if (close == StringRef::npos)
    return npyError("bad shape");
  SmallVector<StringRef> parts;
  shapeValue->substr(0, close).split(parts, ',');
  std::vector<int64_t> shape;
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0)
      return npyError("bad shape dimension '" + part + "'");
    shape.push_back(dim);
  }

  int64_t count = 1;
  for (int64_t dim : shape)
    if (MulOverflow(count, dim, count))
      return npyError("shape overflows");
  int64_t expectedBytes;
  if (MulOverflow(count, int64_t(dtype->bytes), expectedBytes))
    return npyError("shape overflows");
  if (int64_t(data.size()) < expectedBytes)
    return npyError("truncated data: " + Twine(data.size()) + " bytes for " +
                    Twine(expectedBytes) + " expected");
  if (int64_t(data.size()) > expectedBytes)
    return npyError("trailing data: " + Twine(data.size()) + " bytes for " +
                    Twine(expectedBytes) + " expected");

  std::optional<Tensor> tensor = Tensor::zeros(dtype->type, shape);
  if (!tensor)
    return npyError("array too large");
  const char *p = data.data();
  for (int64_t i = 0; i < count; ++i, p += dtype->bytes) {
    switch (dtype->type) {
    case ElementType::I1:
      if (*p != 0 && *p != 1)
        return npyError("bool value " + Twine(int(*p)) + " is not 0 or 1");
      tensor->bits[i] = *p;
      break;
    case ElementType::I8:
      tensor->ints[i] = dtype->isUnsigned
                            ? int64_t(static_cast<unsigned char>(*p))
                            : int64_t(static_cast<signed char>(*p));
      break;
    case ElementType::I16: { int16_t v; std::memcpy(&v, p, 2); tensor->ints[i] = v; break; }
    case ElementType::I32: { int32_t v; std::memcpy(&v, p, 4); tensor->ints[i] = v; break; }
    case ElementType::I64: { int64_t v; std::memcpy(&v, p, 8); tensor->ints[i] = v; break; }
    case ElementType::F32:
      if (dtype->isDouble) {
        double v;
        std::memcpy(&v, p, 8);
        tensor->floats[i] = static_cast<float>(v);
      } else {
        std::memcpy(&tensor->floats[i], p, 4);
      }
      break;
    }
  }
  // uint8 values up to 255 do not fit i8: widen them instead of wrapping.
  if (dtype->isUnsigned)
    tensor->type = ElementType::I16;
  return std::move(*tensor);
}

Expected<Tensor> readNpyFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read '" + path + "': " +
                                 buffer.getError().message());
  Expected<Tensor> tensor = parseNpy((*buffer)->getBuffer());
  if (!tensor)
    return createStringError(inconvertibleErrorCode(),
                             path + ": " + toString(tensor.takeError()));
  return tensor;
}

std::string serializeNpy(const Tensor &tensor) {
  const char *descr = "<f4";
  unsigned bytes = 4;
  switch (tensor.type) {
  case ElementType::I1: descr = "|b1"; bytes = 1; break;
  case ElementType::I8: descr = "|i1"; bytes = 1; break;
  case ElementType::I16: descr = "<i2"; bytes = 2; break;
  case ElementType::I32: descr = "<i4"; bytes = 4; break;
  case ElementType::I64: descr = "<i8"; bytes = 8; break;
  case ElementType::F32: break;
  }
  std::string shape = "(";
  for (int64_t dim : tensor.shape)
    shape += std::to_string(dim) + ", ";
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.shape.size() == 1)
    shape.resize(shape.size() - 1); // "(3,)"
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  int64_t count = tensor.numElements();
  out.reserve(out.size() + count * bytes);
  for (int64_t i = 0; i < count; ++i) {
    if (tensor.isBits()) {
      out += char(tensor.bits[i]);
    } else if (tensor.isFloat()) {
      out.append(reinterpret_cast<const char *>(&tensor.floats[i]), 4);
    } else {
      int64_t v = tensor.ints[i]; // little-endian host: low bytes first
      out.append(reinterpret_cast<const char *>(&v), bytes);
    }
  }
  return out;
}

Error writeNpyFile(StringRef path, const Tensor &tensor) {
  std::string bytes = serializeNpy(tensor);
  return writeToOutput(path, [&](raw_ostream &os) -> Error {
    os << bytes;
    return Error::success();
  });
}

} // namespace quweit::reference
