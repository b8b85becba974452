//===- ReorderMapping.cpp - reorder LUTs and slots for locality ----------===//
//
// Both permutations are exact: a LUT's slots may be listed in any order if
// its table's address bits are permuted alike, and a layer's LUTs in any
// order if every reader is renumbered alike. Only a contiguous group sum
// gives LUT positions a meaning, so layers under one keep their order.
//
//===----------------------------------------------------------------------===//

#include "ReorderMapping.h"
#include "LutCensus.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/LutLayerData.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include <algorithm>

namespace quweit {
#define GEN_PASS_DEF_REORDERMAPPING
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

/// Sorts the used slots of each LUT by input index, keeping the ignored slots
/// in place. Returns true if anything moved.
static bool sortUsedSlots(LutLayerData &data) {
  bool changed = false;
  std::vector<uint8_t> oldTable;
  for (int64_t lut = 0; lut < data.numLuts; ++lut) {
    SmallVector<int64_t> positions;
    for (int64_t slot = 0; slot < data.fanIn; ++slot)
      if (!data.ignoresSlot(lut, slot))
        positions.push_back(slot);
    SmallVector<int64_t> sorted = positions;
    llvm::stable_sort(sorted, [&](int64_t a, int64_t b) {
      return data.input(lut, a) < data.input(lut, b);
    });
    if (sorted == positions)
      continue;
    changed = true;
    // order[s]: the old slot whose input slot s now reads.
    SmallVector<int64_t> order(data.fanIn);
    for (int64_t slot = 0; slot < data.fanIn; ++slot)
      order[slot] = slot;
    for (auto [position, source] : llvm::zip(positions, sorted))
      order[position] = source;
    std::vector<int64_t> oldMapping(data.mapping.begin() + lut * data.fanIn,
                                    data.mapping.begin() + (lut + 1) * data.fanIn);
    oldTable.assign(data.tables.begin() + lut * data.tableSize(),
                    data.tables.begin() + (lut + 1) * data.tableSize());
    for (int64_t slot = 0; slot < data.fanIn; ++slot)
      data.mapping[lut * data.fanIn + slot] = oldMapping[order[slot]];
    for (int64_t address = 0; address < data.tableSize(); ++address) {
      int64_t oldAddress = 0;
      for (int64_t slot = 0; slot < data.fanIn; ++slot)
        oldAddress |= ((address >> slot) & 1) << order[slot];
      data.tables[lut * data.tableSize() + address] = oldTable[oldAddress];
    }
  }
  return changed;
}

/// Renumbers the LUTs of `layer` in the order its readers first read them.
static bool renumberByFirstRead(LutLayerOp layer) {
  SmallVector<LutLayerOp> readers;
  SmallVector<GroupSumOp> sums;
  for (Operation *user : layer->getUsers()) {
    if (auto reader = dyn_cast<LutLayerOp>(user)) {
      if (!llvm::is_contained(readers, reader))
        readers.push_back(reader);
    } else if (auto sum = dyn_cast<GroupSumOp>(user);
               sum && sum.getGroupIndex()) {
      if (!llvm::is_contained(sums, sum))
        sums.push_back(sum);
    } else {
      return false; // A contiguous group sum or an unknown user.
    }
  }
  if (readers.empty())
    return false;
  if (llvm::any_of(readers, [&](LutLayerOp r) {
        return r->getBlock() != readers.front()->getBlock();
      }))
    return false;
  llvm::sort(readers, [](LutLayerOp a, LutLayerOp b) {
    return a->isBeforeInBlock(b);
  });
  FailureOr<LutLayerData> data = LutLayerData::read(layer);
  if (failed(data))
    return false;
  SmallVector<LutLayerData> readerData;
  for (LutLayerOp reader : readers) {
    FailureOr<LutLayerData> read = LutLayerData::read(reader);
    if (failed(read))
      return false;
    // First reads are counted in input order, so that the renumbered inputs
    // of each reader come out increasing.
    sortUsedSlots(*read);
    readerData.push_back(std::move(*read));
  }
  SmallVector<std::vector<int64_t>> groupIndices;
  for (GroupSumOp sum : sums) {
    std::vector<int64_t> index;
    if (readIntegers(*sum.getGroupIndex(), index))
      return false;
    groupIndices.push_back(std::move(index));
  }

  std::vector<int64_t> newIndex(data->numLuts, -1);
  int64_t next = 0;
  for (const LutLayerData &reader : readerData)
    for (int64_t lut = 0; lut < reader.numLuts; ++lut)
      for (int64_t slot = 0; slot < reader.fanIn; ++slot)
        if (!reader.ignoresSlot(lut, slot) &&
            newIndex[reader.input(lut, slot)] < 0)
          newIndex[reader.input(lut, slot)] = next++;
  for (int64_t lut = 0; lut < data->numLuts; ++lut)
    if (newIndex[lut] < 0)
      newIndex[lut] = next++;
  bool identity = true;
  for (int64_t lut = 0; lut < data->numLuts; ++lut)
    identity &= newIndex[lut] == lut;
  if (identity)
    return false;

  LutLayerData permuted = *data;
  for (int64_t lut = 0; lut < data->numLuts; ++lut) {
    int64_t to = newIndex[lut];
    std::copy_n(data->mapping.begin() + lut * data->fanIn, data->fanIn,
                permuted.mapping.begin() + to * data->fanIn);
    std::copy_n(data->tables.begin() + lut * data->tableSize(),
                data->tableSize(),
                permuted.tables.begin() + to * data->tableSize());
  }
  permuted.assignTo(layer);
  for (auto [reader, readerValues] : llvm::zip(readers, readerData)) {
    for (int64_t &input : readerValues.mapping)
      input = newIndex[input];
    readerValues.assignTo(reader);
  }
  for (auto [sum, index] : llvm::zip(sums, groupIndices)) {
    std::vector<int64_t> permutedIndex(index.size());
    for (int64_t lut = 0; lut < data->numLuts; ++lut)
      permutedIndex[newIndex[lut]] = index[lut];
    ElementsAttr old = *sum.getGroupIndex();
    sum.setGroupIndexAttr(buildIntegers(old.getShapedType(), permutedIndex,
                                        "quweit_group_index"));
  }
  return true;
}

int64_t quweit::reorderLutsForLocality(Operation *root) {
  SmallVector<LutLayerOp> layers;
  root->walk([&](LutLayerOp layer) { layers.push_back(layer); });
  int64_t renumbered = 0;
  // Last to first: a layer's order follows its readers' final slot order.
  for (LutLayerOp layer : llvm::reverse(layers))
    renumbered += renumberByFirstRead(layer);
  for (LutLayerOp layer : layers) {
    FailureOr<LutLayerData> data = LutLayerData::read(layer);
    if (succeeded(data) && sortUsedSlots(*data))
      data->assignTo(layer);
  }
  return renumbered;
}

namespace {
struct ReorderMappingPass : quweit::impl::ReorderMappingBase<ReorderMappingPass> {
  using Base::Base;

  void runOnOperation() override {
    int64_t before = takeLutCensus(getOperation()).readDistance;
    int64_t renumbered = reorderLutsForLocality(getOperation());
    int64_t after = takeLutCensus(getOperation()).readDistance;
    readDistanceBefore += before;
    readDistanceAfter += after;
    numLayersRenumbered += renumbered;
    if (remarks)
      remarkChanges(getOperation(), getArgument(),
                    {{"read-distance-before", before},
                     {"read-distance-after", after},
                     {"layers-renumbered", renumbered}});
  }
};
} // namespace
