//===- QuWeiTFolds.cpp - QuWeiT folds and canonicalizations ---------------===//
//
// Every rewrite here keeps the results bit for bit (docs/semantics.md):
//  - a LUT layer whose input is constant, or whose tables are all constant,
//    folds to a constant (when the batch size is static);
//  - a constant LUT's value is substituted into the tables of the layers that
//    read it, so those tables ignore that input;
//  - slots that a table ignores are moved to the top of the LUT's address and
//    pointed at input 0; when every LUT of a layer ignores its top slot the
//    fan-in of the layer shrinks;
//  - identical LUTs (same inputs, same table) read only by LUT layers merge,
//    and LUTs that no LUT reads are deleted (the optimisation passes also
//    simplify under group sums: LutRewritePatterns.h);
//  - a layer that copies its input (LUT j = input j) folds to its input.
//
//===----------------------------------------------------------------------===//

#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/LutLayerData.h"
#include "quweit/Dialect/QuWeiT/LutRewritePatterns.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"

#include <map>
#include <numeric>

using namespace mlir;
using namespace quweit;

//===----------------------------------------------------------------------===//
// Identity layers fold to their input
//===----------------------------------------------------------------------===//

/// True if the layer copies its input: M == N, fan-in 1, and LUT j reads
/// input j through the table [0, 1]. (Canonicalization first reduces any
/// LUT that only passes one input on to this fan-in-1 form.)
static bool isIdentityLayer(LutLayerOp op) {
  if (op.getFanIn() != 1 || op.getNumLuts() != op.getNumInputs() ||
      op.getInput().getType() != op.getOutput().getType())
    return false;
  FailureOr<LutLayerData> data = LutLayerData::read(op);
  if (failed(data))
    return false;
  for (int64_t lut = 0; lut < data->numLuts; ++lut)
    if (data->input(lut, 0) != lut || data->entry(lut, 0) != 0 ||
        data->entry(lut, 1) != 1)
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Folds
//===----------------------------------------------------------------------===//

OpFoldResult LutLayerOp::fold(FoldAdaptor adaptor) {
  // Inside a lut_ffn the body must stay a chain of quweit ops: removing a
  // layer or replacing it by a constant would break the composite. Expand the
  // FFN first (--quweit-expand-lut-ffn) to fold there.
  if (isa<LutFFNOp>((*this)->getParentOp()))
    return {};
  if (isIdentityLayer(*this))
    return getInput();
  auto resultType = getOutput().getType();
  if (!resultType.hasStaticShape())
    return {};
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  FailureOr<LutLayerData> data = LutLayerData::read(*this);
  if (failed(data))
    return {};
  int64_t batch = resultType.getDimSize(0);
  if (batch > 0 && data->numLuts > LutLayerData::kMaxRewriteEntries / batch)
    return {};

  std::vector<uint8_t> inputBits;
  if (input) {
    inputBits.reserve(input.getNumElements());
    for (bool bit : input.getValues<bool>())
      inputBits.push_back(bit);
  } else {
    for (int64_t lut = 0; lut < data->numLuts; ++lut)
      if (!data->constantValue(lut))
        return {};
  }
  SmallVector<bool> result(batch * data->numLuts);
  for (int64_t row = 0; row < batch; ++row)
    for (int64_t lut = 0; lut < data->numLuts; ++lut) {
      int64_t address = 0;
      if (input)
        for (int64_t slot = 0; slot < data->fanIn; ++slot)
          address |= int64_t(inputBits[row * data->numInputs +
                                       data->input(lut, slot)])
                     << slot;
      result[row * data->numLuts + lut] = data->entry(lut, address);
    }
  return DenseElementsAttr::get(resultType, ArrayRef<bool>(result));
}

//===----------------------------------------------------------------------===//
// Canonicalization patterns
//===----------------------------------------------------------------------===//

namespace {

/// Moves the slots each table ignores to the top of its address (pointing
/// them at input 0, so that they read nothing meaningful), then drops top
/// slots that every LUT ignores. Fan-in never drops below 1.
struct CanonicalizeIgnoredSlots : OpRewritePattern<LutLayerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LutLayerOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<LutLayerData> data = LutLayerData::read(op);
    if (failed(data))
      return rewriter.notifyMatchFailure(op, "tables unavailable or too large");
    LutLayerData next = *data;
    int64_t maxUsed = 1;
    bool changed = false;
    SmallVector<int64_t> order;
    for (int64_t lut = 0; lut < data->numLuts; ++lut) {
      // New slot order: used slots first (in their order), then ignored ones.
      order.clear();
      SmallVector<int64_t> ignored;
      for (int64_t slot = 0; slot < data->fanIn; ++slot)
        (data->ignoresSlot(lut, slot) ? ignored : order).push_back(slot);
      int64_t used = order.size();
      maxUsed = std::max(maxUsed, used);
      order.append(ignored.begin(), ignored.end());
      for (int64_t newSlot = 0; newSlot < data->fanIn; ++newSlot) {
        int64_t value =
            newSlot < used ? data->input(lut, order[newSlot]) : int64_t(0);
        next.mapping[lut * data->fanIn + newSlot] = value;
        changed |= value != data->input(lut, newSlot);
      }
      // Permute the table: new address bit s is old address bit order[s].
      for (int64_t address = 0; address < data->tableSize(); ++address) {
        int64_t oldAddress = 0;
        for (int64_t slot = 0; slot < data->fanIn; ++slot)
          oldAddress |= ((address >> slot) & 1) << order[slot];
        uint8_t value = data->entry(lut, oldAddress);
        next.tables[lut * data->tableSize() + address] = value;
        changed |= value != data->entry(lut, address);
      }
    }
    if (maxUsed < data->fanIn) {
      // Every LUT ignores slots >= maxUsed: keep the addresses below 2^maxUsed.
      LutLayerData shrunk = next;
      shrunk.fanIn = maxUsed;
      shrunk.mapping.clear();
      shrunk.tables.clear();
      for (int64_t lut = 0; lut < next.numLuts; ++lut) {
        for (int64_t slot = 0; slot < maxUsed; ++slot)
          shrunk.mapping.push_back(next.input(lut, slot));
        for (int64_t address = 0; address < shrunk.tableSize(); ++address)
          shrunk.tables.push_back(next.entry(lut, address));
      }
      next = std::move(shrunk);
      changed = true;
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "already canonical");
    LutLayerOp replacement =
        next.create(rewriter, op.getLoc(), op.getInput(), op);
    rewriter.replaceOp(op, replacement.getOutput());
    return success();
  }
};

/// Substitutes the value of constant LUTs of the producing layer into this
/// layer's tables, so that the slots reading them become ignored.
struct PropagateConstantLuts : OpRewritePattern<LutLayerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LutLayerOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<LutLayerOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a LUT layer");
    FailureOr<LutLayerData> source = LutLayerData::read(producer);
    FailureOr<LutLayerData> data = LutLayerData::read(op);
    if (failed(source) || failed(data))
      return rewriter.notifyMatchFailure(op, "tables unavailable or too large");
    std::vector<std::optional<uint8_t>> constants(source->numLuts);
    bool anyConstant = false;
    for (int64_t lut = 0; lut < source->numLuts; ++lut) {
      constants[lut] = source->constantValue(lut);
      anyConstant |= constants[lut].has_value();
    }
    if (!anyConstant)
      return rewriter.notifyMatchFailure(op, "no constant LUT in the input");

    bool changed = false;
    for (int64_t lut = 0; lut < data->numLuts; ++lut)
      for (int64_t slot = 0; slot < data->fanIn; ++slot) {
        std::optional<uint8_t> value = constants[data->input(lut, slot)];
        if (!value || data->ignoresSlot(lut, slot))
          continue;
        int64_t bit = int64_t(1) << slot;
        uint8_t *row = &data->tables[lut * data->tableSize()];
        for (int64_t address = 0; address < data->tableSize(); ++address)
          if (!(address & bit)) {
            uint8_t chosen = row[*value ? (address | bit) : address];
            row[address] = chosen;
            row[address | bit] = chosen;
          }
        changed = true;
      }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "constant inputs already ignored");
    LutLayerOp replacement = data->create(rewriter, op.getLoc(), op.getInput(), op);
    rewriter.replaceOp(op, replacement.getOutput());
    return success();
  }
};

/// Merges identical LUTs and deletes LUTs no user needs (LutOutputOptions).
/// Users must be LUT layers or, with `acrossGroupSums`, group sums: a group
/// sum counts every bit, so under one only constant-0 LUTs can be deleted
/// (the group sum then gets an explicit group_index) and duplicates are only
/// merged for the LUT layers that read them.
struct SimplifyLutOutputs : OpRewritePattern<LutLayerOp> {
  SimplifyLutOutputs(MLIRContext *context, LutOutputOptions options)
      : OpRewritePattern(context), options(options) {}

  LogicalResult matchAndRewrite(LutLayerOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<LutLayerOp> users;
    SmallVector<GroupSumOp> sums;
    for (Operation *user : op->getUsers()) {
      if (auto layer = dyn_cast<LutLayerOp>(user)) {
        if (!llvm::is_contained(users, layer))
          users.push_back(layer);
      } else if (auto sum = dyn_cast<GroupSumOp>(user);
                 sum && options.acrossGroupSums) {
        if (!llvm::is_contained(sums, sum))
          sums.push_back(sum);
      } else {
        return rewriter.notifyMatchFailure(op, "a user is not a LUT layer");
      }
    }
    if (users.empty() && sums.empty())
      return rewriter.notifyMatchFailure(op, "no users");
    FailureOr<LutLayerData> data = LutLayerData::read(op);
    if (failed(data))
      return rewriter.notifyMatchFailure(op, "tables unavailable or too large");
    SmallVector<LutLayerData> userData;
    for (LutLayerOp user : users) {
      FailureOr<LutLayerData> read = LutLayerData::read(user);
      if (failed(read))
        return rewriter.notifyMatchFailure(user, "tables unavailable");
      userData.push_back(std::move(*read));
    }
    // Group of every LUT under every group sum (contiguous groups are made
    // explicit in case LUTs go).
    SmallVector<std::vector<int64_t>> groupOf;
    for (GroupSumOp sum : sums) {
      std::vector<int64_t> groups;
      if (std::optional<ElementsAttr> index = sum.getGroupIndex()) {
        if (readIntegers(*index, groups) ||
            static_cast<int64_t>(groups.size()) != data->numLuts)
          return rewriter.notifyMatchFailure(sum, "group_index unavailable");
      } else {
        int64_t size = sum.getContiguousGroupSize();
        for (int64_t lut = 0; lut < data->numLuts; ++lut)
          groups.push_back(lut / size);
      }
      groupOf.push_back(std::move(groups));
    }

    // Representative of each LUT: the first LUT with the same row.
    std::vector<int64_t> representative(data->numLuts);
    std::iota(representative.begin(), representative.end(), 0);
    if (options.mergeIdentical) {
      std::map<std::pair<std::vector<int64_t>, std::vector<uint8_t>>, int64_t>
          firstWithRow;
      for (int64_t lut = 0; lut < data->numLuts; ++lut) {
        auto mapBegin = data->mapping.begin() + lut * data->fanIn;
        auto tableBegin = data->tables.begin() + lut * data->tableSize();
        auto key = std::make_pair(
            std::vector<int64_t>(mapBegin, mapBegin + data->fanIn),
            std::vector<uint8_t>(tableBegin, tableBegin + data->tableSize()));
        representative[lut] = firstWithRow.emplace(key, lut).first->second;
      }
    }
    // A LUT stays if a group sum counts it (a constant 0 adds nothing), if a
    // LUT layer reads it (or its representative) through a slot that the
    // reading table does not ignore, or if it is its own representative and
    // unread LUTs are kept.
    std::vector<bool> keep(data->numLuts, false);
    if (!sums.empty())
      for (int64_t lut = 0; lut < data->numLuts; ++lut)
        keep[lut] = data->constantValue(lut) != std::optional<uint8_t>(0);
    for (const LutLayerData &user : userData)
      for (int64_t lut = 0; lut < user.numLuts; ++lut)
        for (int64_t slot = 0; slot < user.fanIn; ++slot)
          if (!user.ignoresSlot(lut, slot))
            keep[representative[user.input(lut, slot)]] = true;
    if (!options.eliminateUnread)
      for (int64_t lut = 0; lut < data->numLuts; ++lut)
        if (representative[lut] == lut)
          keep[lut] = true;
    if (llvm::none_of(keep, [](bool k) { return k; }))
      keep[0] = true; // Keep the layer non-empty.

    std::vector<int64_t> newIndex(data->numLuts, -1);
    LutLayerData kept = *data;
    kept.mapping.clear();
    kept.tables.clear();
    kept.numLuts = 0;
    for (int64_t lut = 0; lut < data->numLuts; ++lut) {
      if (!keep[lut])
        continue;
      newIndex[lut] = kept.numLuts++;
      for (int64_t slot = 0; slot < data->fanIn; ++slot)
        kept.mapping.push_back(data->input(lut, slot));
      for (int64_t address = 0; address < data->tableSize(); ++address)
        kept.tables.push_back(data->entry(lut, address));
    }

    // Rewrite the users' mappings; ignored slots point at input 0. A reader
    // of a kept duplicate is redirected to its representative all the same,
    // so that the duplicate serves its group sum alone.
    bool changed = kept.numLuts != data->numLuts;
    for (LutLayerData &user : userData) {
      user.numInputs = kept.numLuts;
      for (int64_t lut = 0; lut < user.numLuts; ++lut)
        for (int64_t slot = 0; slot < user.fanIn; ++slot) {
          int64_t &input = user.mapping[lut * user.fanIn + slot];
          int64_t target = user.ignoresSlot(lut, slot)
                               ? 0
                               : newIndex[representative[input]];
          changed |= target != input;
          input = target;
        }
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "no duplicate or unneeded LUT");

    rewriter.setInsertionPoint(op);
    LutLayerOp producer = kept.create(rewriter, op.getLoc(), op.getInput(), op);
    for (auto [user, updated] : llvm::zip(users, userData)) {
      rewriter.setInsertionPoint(user);
      LutLayerOp replacement =
          updated.create(rewriter, user.getLoc(), producer.getOutput(), user);
      rewriter.replaceOp(user, replacement.getOutput());
    }
    for (auto [sum, groups] : llvm::zip(sums, groupOf)) {
      rewriter.setInsertionPoint(sum);
      ElementsAttr groupIndex = sum.getGroupIndexAttr();
      if (kept.numLuts != data->numLuts) {
        std::vector<int64_t> keptGroups;
        for (int64_t lut = 0; lut < data->numLuts; ++lut)
          if (keep[lut])
            keptGroups.push_back(groups[lut]);
        Type element = groupIndex ? groupIndex.getElementType()
                                  : Type(rewriter.getI32Type());
        groupIndex = buildIntegers(
            RankedTensorType::get({kept.numLuts}, element), keptGroups,
            "quweit_group_index");
      }
      auto replacement =
          GroupSumOp::create(rewriter, sum.getLoc(), sum.getOutput().getType(),
                             producer.getOutput(), groupIndex);
      rewriter.replaceOp(sum, replacement.getOutput());
    }
    rewriter.eraseOp(op);
    return success();
  }

private:
  LutOutputOptions options;
};

} // namespace

void LutLayerOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  populateDropIgnoredInputsPatterns(results);
  populateFoldConstantLutsPatterns(results);
  populateSimplifyLutOutputsPatterns(results, LutOutputOptions());
}

void quweit::populateDropIgnoredInputsPatterns(RewritePatternSet &patterns) {
  patterns.add<CanonicalizeIgnoredSlots>(patterns.getContext());
}

void quweit::populateFoldConstantLutsPatterns(RewritePatternSet &patterns) {
  patterns.add<PropagateConstantLuts>(patterns.getContext());
}

void quweit::populateSimplifyLutOutputsPatterns(RewritePatternSet &patterns,
                                                LutOutputOptions options) {
  patterns.add<SimplifyLutOutputs>(patterns.getContext(), options);
}
