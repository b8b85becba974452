//===- ConstantGlobals.cpp - large constants as raw bytes -----------------===//

#include "ConstantGlobals.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Endian.h"

using namespace mlir;

namespace quweit {
namespace {

/// Bits of an element whose raw storage in an elements attribute is exactly
/// its memory image: integers and floats of 8 to 64 bits (i1 is bit-packed
/// in DenseElementsAttr; index has no fixed width).
std::optional<unsigned> byteElementBits(Type type) {
  if (!isa<IntegerType, FloatType>(type))
    return std::nullopt;
  unsigned bits = type.getIntOrFloatBitWidth();
  if (bits < 8 || bits > 64 || bits % 8 != 0)
    return std::nullopt;
  return bits;
}

/// The raw bytes of a non-splat dense or dense_resource attribute, or
/// nothing.
std::optional<ArrayRef<char>> rawBytes(ElementsAttr value) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

} // namespace

std::vector<DetachedConstant> detachLargeConstants(ModuleOp module,
                                                   bool littleEndianTarget) {
  std::vector<DetachedConstant> detached;
  if (!littleEndianTarget || llvm::endianness::native != llvm::endianness::little)
    return detached;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
    if (!global.getConstant() || !value || global.getInitializerBlock())
      continue;
    std::optional<unsigned> bits = byteElementBits(value.getElementType());
    if (!bits)
      continue;
    // The global must be (nested arrays of) the attribute's element type,
    // with as many elements: then its memory image is the raw data.
    Type scalar = global.getGlobalType();
    int64_t count = 1;
    while (auto array = dyn_cast<LLVM::LLVMArrayType>(scalar)) {
      count *= array.getNumElements();
      scalar = array.getElementType();
    }
    if (scalar != value.getElementType() || count != value.getNumElements())
      continue;
    std::optional<ArrayRef<char>> bytes = rawBytes(value);
    if (!bytes || bytes->size() < kDetachMinBytes ||
        static_cast<int64_t>(bytes->size()) != count * (*bits / 8))
      continue;
    detached.push_back({global.getSymName().str(), *bytes});
    // Translation gives a global without a value an undef initializer.
    global.removeValueAttr();
  }
  return detached;
}

std::string attachLargeConstants(llvm::Module &module,
                                 ArrayRef<DetachedConstant> constants) {
  const llvm::DataLayout &layout = module.getDataLayout();
  llvm::Type *byte = llvm::Type::getInt8Ty(module.getContext());
  for (const DetachedConstant &constant : constants) {
    llvm::GlobalVariable *old = module.getNamedGlobal(constant.symbol);
    if (!old)
      return "constant global '" + constant.symbol + "' is missing after translation";
    if (layout.getTypeAllocSize(old->getValueType()) != constant.bytes.size())
      return "constant global '" + constant.symbol + "' changed size in translation";
    llvm::Constant *bytes = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(constant.bytes.data(), constant.bytes.size()),
        constant.bytes.size(), byte);
    auto *flat = new llvm::GlobalVariable(
        module, bytes->getType(), old->isConstant(), old->getLinkage(), bytes,
        "", old, old->getThreadLocalMode(), old->getAddressSpace());
    flat->copyAttributesFrom(old);
    // At least the alignment the original type would have had.
    flat->setAlignment(layout.getPreferredAlign(old));
    old->replaceAllUsesWith(flat);
    flat->takeName(old);
    old->eraseFromParent();
  }
  return "";
}

} // namespace quweit
