//===- Npy.h - NumPy .npy files for reference tensors -----------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format (versions 1-3, little-endian, C order)
// so that the Python side and the command-line tools exchange tensors without
// conversions. Every malformed or truncated file is an error with a message,
// never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_REFERENCE_NPY_H
#define QUWEIT_REFERENCE_NPY_H

#include "quweit/Reference/Tensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace quweit::reference {

/// Parses .npy bytes. Supported dtypes: bool, int8/16/32/64, uint8, float32,
/// float64 (converted to f32 with round-to-nearest, as numpy's astype does).
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes);
llvm::Expected<Tensor> readNpyFile(llvm::StringRef path);

/// Serialises a tensor (bool, int8..int64, float32) to .npy bytes.
std::string serializeNpy(const Tensor &tensor);
/// Writes atomically: to a temporary file renamed into place, so a failure
/// never leaves a partial file.
llvm::Error writeNpyFile(llvm::StringRef path, const Tensor &tensor);

} // namespace quweit::reference

#endif // QUWEIT_REFERENCE_NPY_H
