//===- LutLayerData.h - a LUT layer's mapping and tables as data -*- C++ -*-===//
//
// Folds, canonicalizations and transforms reason about individual LUTs. This
// class reads a quweit.lut_layer's attributes into plain arrays, answers the
// questions they ask (is a table constant, does it ignore a slot), and builds
// the attributes of a rewritten layer.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_DIALECT_QUWEIT_LUTLAYERDATA_H
#define QUWEIT_DIALECT_QUWEIT_LUTLAYERDATA_H

#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace quweit {

class LutLayerData {
public:
  /// Layers with more table entries than this are left alone by rewrites
  /// that need the tables in memory (a 10^8-LUT splat is valid IR).
  static constexpr int64_t kMaxRewriteEntries = int64_t(1) << 28;

  /// Reads the layer; fails if its data is unavailable or too large.
  static mlir::FailureOr<LutLayerData> read(LutLayerOp op);

  int64_t numInputs = 0, numLuts = 0, fanIn = 0;
  /// numLuts x fanIn, row-major.
  std::vector<int64_t> mapping;
  /// numLuts x 2^fanIn entries, each 0 or 1, row-major.
  std::vector<uint8_t> tables;

  int64_t tableSize() const { return int64_t(1) << fanIn; }
  int64_t input(int64_t lut, int64_t slot) const {
    return mapping[lut * fanIn + slot];
  }
  uint8_t entry(int64_t lut, int64_t address) const {
    return tables[lut * tableSize() + address];
  }
  /// True if the LUT's output does not depend on the given slot.
  bool ignoresSlot(int64_t lut, int64_t slot) const;
  /// The LUT's value if its table is constant.
  std::optional<uint8_t> constantValue(int64_t lut) const;

  /// Builds attributes for this data with the element types of `like` and
  /// creates a new layer reading `input`.
  LutLayerOp create(mlir::OpBuilder &builder, mlir::Location loc,
                    mlir::Value input, LutLayerOp like) const;

  /// Replaces the mapping and tables of `op` (which must have this data's
  /// numbers of inputs and LUTs) in place, keeping its element types.
  void assignTo(LutLayerOp op) const;
};

} // namespace quweit

#endif // QUWEIT_DIALECT_QUWEIT_LUTLAYERDATA_H
