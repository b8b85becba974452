//===- QuWeiTAttrs.td - QuWeiT attributes -------------------*- tablegen -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_QUWEITATTRS_TD
#define QUWEIT_DIALECT_QUWEIT_QUWEITATTRS_TD

include "quweit/Dialect/QuWeiT/QuWeiTDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def QuWeiT_BitLayoutBatchSliced : I32EnumAttrCase<"batch_sliced", 0>;
def QuWeiT_BitLayoutFeaturePacked : I32EnumAttrCase<"feature_packed", 1>;

def QuWeiT_BitLayout : I32EnumAttr<"BitLayout",
    "how bits of a [batch, features] tensor are packed into integer words",
    [QuWeiT_BitLayoutBatchSliced, QuWeiT_BitLayoutFeaturePacked]> {
  let cppNamespace = "::quweit";
  let genSpecializedAttr = 0;
}

def QuWeiT_BitLayoutAttr : EnumAttr<QuWeiT_Dialect, QuWeiT_BitLayout, "layout"> {
  let summary = "bit packing layout";
  let description = [{
    `batch_sliced`: word `[w, i]` holds feature `i` of samples `w*W .. w*W+W-1`
    (bit `s` of the word is sample `w*W + s`); every LUT becomes word-wide
    Boolean logic over W samples at once.
    `feature_packed`: word `[b, w]` holds features `w*W .. w*W+W-1` of sample
    `b` (bit `s` is feature `w*W + s`); one sample's bits sit together.
    W is the bit width of the word type. Padding bits are zero.
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // QUWEIT_DIALECT_QUWEIT_QUWEITATTRS_TD
