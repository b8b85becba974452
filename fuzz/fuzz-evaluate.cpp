//===- fuzz-evaluate.cpp - fuzz the reference evaluator -------------------===//
//
// An input is a model, optionally followed by "\n#inputs#\n" and raw bytes.
// When the model verifies, its entry function is evaluated on arguments of
// its argument types (dynamic dimensions 1..4) filled from those bytes: any
// float bit pattern (NaN, infinities, denormals), any integer, any bit. The
// evaluator may refuse with a diagnostic but must not crash, and the results
// it returns must have the function's result types.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "quweit/Reference/Evaluator.h"

#include <cstring>

using namespace mlir;
using namespace quweit::fuzz;
using namespace quweit::reference;

namespace {
/// Hands out the input bytes, cycling; zeros when there are none.
class ByteSource {
public:
  explicit ByteSource(llvm::StringRef bytes) : bytes(bytes) {}
  uint8_t next() {
    if (bytes.empty())
      return 0;
    uint8_t byte = bytes[position];
    position = (position + 1) % bytes.size();
    return byte;
  }
  uint64_t next(unsigned count) {
    uint64_t value = 0;
    for (unsigned i = 0; i < count; ++i)
      value |= uint64_t(next()) << (8 * i);
    return value;
  }

private:
  llvm::StringRef bytes;
  size_t position = 0;
};
} // namespace

static std::optional<Tensor> makeArgument(RankedTensorType type,
                                          ByteSource &source) {
  std::optional<ElementType> element = toElementType(type.getElementType());
  if (!element)
    return std::nullopt;
  std::vector<int64_t> shape;
  for (int64_t dim : type.getShape())
    shape.push_back(ShapedType::isDynamic(dim) ? 1 + source.next() % 4 : dim);
  std::optional<Tensor> tensor = Tensor::zeros(*element, shape, 1 << 16);
  if (!tensor)
    return std::nullopt;
  for (uint8_t &bit : tensor->bits)
    bit = source.next() & 1;
  for (float &value : tensor->floats) {
    uint32_t word = source.next(4);
    std::memcpy(&value, &word, sizeof value);
  }
  unsigned width = elementBitWidth(*element);
  for (int64_t &value : tensor->ints) // sign-extended to the element width
    value = int64_t(source.next(8) << (64 - width)) >> (64 - width);
  return tensor;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto [model, inputBytes] =
      llvm::StringRef(reinterpret_cast<const char *>(data), size)
          .split(kInputsMarker);
  std::unique_ptr<MLIRContext> context = makeContext();
  OwningOpRef<ModuleOp> module = parse(model, *context);
  if (!module || !isSmall(*module, 1 << 14))
    return 0;
  func::FuncOp entry = findEntry(*module);
  if (!entry)
    return 0;

  ByteSource source(inputBytes);
  std::vector<Tensor> arguments;
  for (Type type : entry.getArgumentTypes()) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType)
      return 0;
    std::optional<Tensor> argument = makeArgument(tensorType, source);
    if (!argument)
      return 0;
    if (!checkArgument(*argument, type).empty())
      fail("an argument built from the function's type is refused");
    arguments.push_back(std::move(*argument));
  }

  EvaluationOptions options;
  options.maxElements = 1 << 20;
  FailureOr<std::vector<Tensor>> results = evaluate(entry, arguments, options);
  if (failed(results))
    return 0;
  if (results->size() != entry.getNumResults())
    fail("the evaluator returned the wrong number of results");
  for (auto [tensor, type] : llvm::zip(*results, entry.getResultTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || toElementType(tensorType.getElementType()) != tensor.type ||
        tensorType.getRank() != int64_t(tensor.shape.size()))
      fail("a result does not have the function's result type");
    for (auto [want, got] : llvm::zip(tensorType.getShape(), tensor.shape))
      if (!ShapedType::isDynamic(want) && want != got)
        fail("a result does not have the function's static result shape");
    if (tensor.numElements() !=
        int64_t(tensor.bits.size() + tensor.ints.size() + tensor.floats.size()))
      fail("a result's storage does not match its shape");
  }
  return 0;
}
