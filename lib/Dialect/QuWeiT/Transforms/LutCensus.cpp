//===- LutCensus.cpp - sizes of the LUT networks under an op --------------===//

#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/LutLayerData.h"

#include "mlir/IR/Diagnostics.h"

#include <cstdlib>

using namespace mlir;
using namespace quweit;

LutCensus quweit::takeLutCensus(Operation *root) {
  LutCensus census;
  root->walk([&](Operation *op) {
    if (auto thermometer = dyn_cast<ThermometerOp>(op)) {
      census.thermometerBits +=
          thermometer.getNumFeatures() * thermometer.getBitsPerFeature();
      return;
    }
    auto layer = dyn_cast<LutLayerOp>(op);
    if (!layer)
      return;
    ++census.layers;
    census.luts += layer.getNumLuts();
    census.slots += layer.getNumLuts() * layer.getFanIn();
    census.tableBits += layer.getNumLuts() << layer.getFanIn();
    FailureOr<LutLayerData> data = LutLayerData::read(layer);
    if (failed(data))
      return;
    std::optional<LutLayerData> producer;
    if (auto source = layer.getInput().getDefiningOp<LutLayerOp>()) {
      FailureOr<LutLayerData> read = LutLayerData::read(source);
      if (succeeded(read))
        producer = std::move(*read);
    }
    int64_t previous = -1;
    for (int64_t lut = 0; lut < data->numLuts; ++lut) {
      census.constantLuts += data->constantValue(lut).has_value();
      for (int64_t slot = 0; slot < data->fanIn; ++slot) {
        if (data->ignoresSlot(lut, slot))
          continue;
        int64_t input = data->input(lut, slot);
        ++census.usedSlots;
        if (producer && producer->constantValue(input))
          ++census.constantReads;
        if (previous >= 0)
          census.readDistance += std::llabs(input - previous);
        previous = input;
      }
    }
  });
  return census;
}

void quweit::remarkChanges(
    Operation *root, llvm::StringRef pass,
    llvm::ArrayRef<std::pair<llvm::StringRef, int64_t>> values) {
  // Not root->emitRemark(): that would print the whole op with the remark.
  InFlightDiagnostic remark = emitRemark(root->getLoc()) << pass << ":";
  for (auto [index, value] : llvm::enumerate(values))
    remark << (index ? ", " : " ") << value.first << "=" << value.second;
}
