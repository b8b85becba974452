//===- QuWeiTDialect.td - QuWeiT dialect definition ---------*- tablegen -*-===//

#ifndef QUWEIT_DIALECT_QUWEIT_QUWEITDIALECT_TD
#define QUWEIT_DIALECT_QUWEIT_QUWEITDIALECT_TD

include "mlir/IR/OpBase.td"

def QuWeiT_Dialect : Dialect {
  let name = "quweit";
  let cppNamespace = "::quweit";
  let summary = "Lookup-table (weightless) layers and hybrid Quasi-Weightless Transformer blocks";
  let description = [{
    The `quweit` dialect represents the weightless part of a Quasi-Weightless
    Transformer (QuWeiT): thermometer encoding of real features into bits,
    layers of lookup tables (LUTs) in the style of Differentiable Weightless
    Neural Networks (DWN), group sums (popcounts) that turn bits back into
    class scores or real features, explicit bit packing, and region ops that
    group these into LUT feed-forward networks and hybrid transformer blocks.
    Attention, norms and heads stay in the standard dialects (linalg, tensor,
    arith, math).

    All ops work on ranked tensors of shape `[batch, features]`; the batch
    dimension may be dynamic. Bits are `i1`. Large constants (thresholds,
    mappings, tables) are attributes implementing `ElementsAttr`: inline
    `dense<...>` attributes or `dense_resource<...>` blobs. The exact meaning
    of every op is the project's `docs/semantics.md`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

class QuWeiT_Op<string mnemonic, list<Trait> traits = []>
    : Op<QuWeiT_Dialect, mnemonic, traits>;

#endif // QUWEIT_DIALECT_QUWEIT_QUWEITDIALECT_TD
