//===- QuWeiTDialect.cpp - QuWeiT dialect ---------------------------------===//

#include "quweit/Dialect/QuWeiT/QuWeiTDialect.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace quweit;

#include "quweit/Dialect/QuWeiT/QuWeiTOpsDialect.cpp.inc"
#include "quweit/Dialect/QuWeiT/QuWeiTEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "quweit/Dialect/QuWeiT/QuWeiTAttrs.cpp.inc"

void QuWeiTDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "quweit/Dialect/QuWeiT/QuWeiTAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "quweit/Dialect/QuWeiT/QuWeiTOps.cpp.inc"
      >();
}

Operation *QuWeiTDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  if (auto typed = dyn_cast<TypedAttr>(value))
    if (typed.getType() == type && arith::ConstantOp::isBuildableWith(typed, type))
      return arith::ConstantOp::create(builder, loc, type, typed);
  return nullptr;
}
