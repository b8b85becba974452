//===- LutRewritePatterns.h - exact LUT network rewrite patterns -*- C++ -*-===//
//
// The rewrites behind the lut_layer canonicalizations, exposed one concept at
// a time so that the optimisation passes (quweit-fold-constant-luts,
// quweit-drop-ignored-inputs, quweit-merge-identical-luts,
// quweit-eliminate-dead-luts, quweit-optimize) compose the very patterns that
// --canonicalize runs instead of copying them. Every pattern keeps results
// bit for bit (docs/semantics.md).
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_DIALECT_QUWEIT_LUTREWRITEPATTERNS_H
#define QUWEIT_DIALECT_QUWEIT_LUTREWRITEPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace quweit {

/// Moves the slots a table ignores to the top of its address (pointing them
/// at input 0) and shrinks a layer's fan-in when every LUT ignores its top
/// slot.
void populateDropIgnoredInputsPatterns(mlir::RewritePatternSet &patterns);

/// Substitutes the value of a constant LUT into the tables of the layers
/// that read it (those slots become ignored).
void populateFoldConstantLutsPatterns(mlir::RewritePatternSet &patterns);

/// What a LUT-output simplification may do to a layer's LUTs.
struct LutOutputOptions {
  /// Redirect readers of a LUT to the first identical LUT (same mapping row,
  /// same table) and delete duplicates nothing else needs.
  bool mergeIdentical = true;
  /// Delete LUTs that no user needs: unread by every LUT layer user (through
  /// a slot its table does not ignore) and not counted by a group sum.
  bool eliminateUnread = true;
  /// Also simplify layers read by quweit.group_sum ops. A group sum counts
  /// every bit, so only constant-0 LUTs under it can go; the group sum then
  /// gets an explicit group_index. Without this, layers with a group sum
  /// user are left alone (the --canonicalize behaviour).
  bool acrossGroupSums = false;
};

/// Merges identical LUTs and/or deletes unneeded ones (see LutOutputOptions).
void populateSimplifyLutOutputsPatterns(mlir::RewritePatternSet &patterns,
                                        LutOutputOptions options);

/// Drops thermometer bits that no LUT reads (through a slot its table does
/// not ignore) and their thresholds; see quweit-prune-thermometer.
void populatePruneThermometerPatterns(mlir::RewritePatternSet &patterns);

} // namespace quweit

#endif // QUWEIT_DIALECT_QUWEIT_LUTREWRITEPATTERNS_H
