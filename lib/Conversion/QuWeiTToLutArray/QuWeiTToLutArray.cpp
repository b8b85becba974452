//===- QuWeiTToLutArray.cpp - quweit functions to hardware modules --------===//
//
// A netlist is global (decomposition, adder trees and pipelining span ops),
// so this conversion builds each lutarray.module from the whole function in
// one walk rather than with per-op rewrite patterns.
//
//===----------------------------------------------------------------------===//

#include "quweit/Conversion/Passes.h"
#include "quweit/Dialect/LutArray/LutArray.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/LutLayerData.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>

namespace quweit {
#define GEN_PASS_DEF_CONVERTQUWEITTOLUTARRAY
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;
namespace la = quweit::lutarray;

namespace {

/// The quweit.scale_counts reading the group counts, if any (the counts may
/// also be returned directly, or not used at all).
ScaleCountsOp scaleOf(GroupSumOp groupSum) {
  for (Operation *user : groupSum.getOutput().getUsers())
    if (auto scale = dyn_cast<ScaleCountsOp>(user))
      return scale;
  return {};
}

/// Bits needed for an unsigned value up to `max`.
unsigned bitsFor(int64_t max) {
  unsigned bits = 1;
  while ((int64_t(1) << bits) <= max)
    ++bits;
  return bits;
}

struct Options {
  bool comparators;
  unsigned inputBits, fracBits, maxLutInputs, pipelineEvery;
  bool decompose;
  bool wrapper;
  bool compressors;
};

class NetlistBuilder {
public:
  NetlistBuilder(func::FuncOp func, const Options &options)
      : func(func), options(options), builder(func.getContext()) {}

  FailureOr<la::HWModuleOp> build();

private:
  Value named(Value value, const Twine &name) {
    value.getDefiningOp()->setAttr("lutarray.name", builder.getStringAttr(name));
    return value;
  }
  Value constantBits(int64_t value, unsigned width) {
    auto type = builder.getIntegerType(width);
    return la::ConstantOp::create(builder, loc, type,
                                  builder.getIntegerAttr(type, value));
  }
  Value lut(ArrayRef<Value> inputs, uint64_t table) {
    unsigned size = 1u << inputs.size();
    return la::LutOp::create(builder, loc, builder.getI1Type(), inputs,
                             builder.getIntegerAttr(
                                 builder.getIntegerType(size, /*isSigned=*/false),
                                 APInt(size, table)));
  }
  LogicalResult convertLayer(LutLayerOp op, unsigned layer);
  void convertGroupSum(GroupSumOp op, SmallVectorImpl<Value> &outputs,
                       SmallVectorImpl<std::string> &names);
  Value adderTree(ArrayRef<Value> members, int64_t group);
  Value compressorTree(ArrayRef<Value> members, int64_t group);
  void pipeline(la::HWModuleOp module);
  Value argmax(ArrayRef<Value> counts);
  void addHandshake(la::HWModuleOp module, Block *body);

  func::FuncOp func;
  const Options &options;
  OpBuilder builder;
  Location loc = UnknownLoc::get(func.getContext());
  /// The current layer's bits.
  std::vector<Value> bits;
};

LogicalResult NetlistBuilder::convertLayer(LutLayerOp op, unsigned layer) {
  FailureOr<LutLayerData> data = LutLayerData::read(op);
  if (failed(data))
    return op.emitError("cannot read the layer's tables");
  unsigned maxInputs = options.maxLutInputs;
  if (data->fanIn > int64_t(maxInputs) && !options.decompose)
    return op.emitError() << "fan-in " << data->fanIn << " exceeds "
                          << maxInputs
                          << "-input LUT cells and decomposition is off "
                             "(decompose=false)";
  std::vector<Value> next;
  for (int64_t j = 0; j < data->numLuts; ++j) {
    SmallVector<Value> inputs;
    for (int64_t slot = 0; slot < data->fanIn; ++slot)
      inputs.push_back(bits[data->input(j, slot)]);
    unsigned low = std::min<unsigned>(data->fanIn, maxInputs);
    // Cofactors over the high slots: one LUT of the low slots each.
    SmallVector<Value> level;
    for (int64_t chunk = 0; chunk < (int64_t(1) << (data->fanIn - low)); ++chunk) {
      uint64_t table = 0;
      for (int64_t a = 0; a < (int64_t(1) << low); ++a)
        if (data->entry(j, (chunk << low) | a))
          table |= uint64_t(1) << a;
      level.push_back(lut(ArrayRef<Value>(inputs).take_front(low), table));
    }
    // 2:1 multiplexers on the high slots, least significant first:
    // inputs (lo, hi, select) -> select ? hi : lo, table 0b11001010.
    for (int64_t slot = low; slot < data->fanIn; ++slot) {
      SmallVector<Value> reduced;
      for (size_t k = 0; k + 1 < level.size(); k += 2)
        reduced.push_back(lut({level[k], level[k + 1], inputs[slot]}, 0xCA));
      level = std::move(reduced);
    }
    next.push_back(named(level.front(), "layer" + Twine(layer) + "_lut" + Twine(j)));
  }
  bits = std::move(next);
  return success();
}

void NetlistBuilder::convertGroupSum(GroupSumOp op, SmallVectorImpl<Value> &outputs,
                                     SmallVectorImpl<std::string> &names) {
  int64_t groups = op.getNumGroups(), size = op.getContiguousGroupSize();
  std::vector<std::vector<Value>> members(groups);
  std::vector<int64_t> index;
  if (op.getGroupIndex())
    (void)readIntegers(*op.getGroupIndex(), index);
  for (size_t i = 0; i < bits.size(); ++i)
    members[index.empty() ? i / size : index[i]].push_back(bits[i]);
  for (int64_t g = 0; g < groups; ++g) {
    Value count = members[g].empty()       ? constantBits(0, 1)
                  : options.compressors ? compressorTree(members[g], g)
                                        : adderTree(members[g], g);
    outputs.push_back(count);
    names.push_back(("count" + Twine(g)).str());
  }
}

/// Balanced tree; each node as wide as its largest possible value.
Value NetlistBuilder::adderTree(ArrayRef<Value> members, int64_t group) {
  std::vector<std::pair<Value, int64_t>> level;
  for (Value bit : members)
    level.push_back({bit, 1});
  unsigned node = 0;
  while (level.size() > 1) {
    std::vector<std::pair<Value, int64_t>> reduced;
    for (size_t k = 0; k + 1 < level.size(); k += 2) {
      int64_t max = level[k].second + level[k + 1].second;
      Value sum = la::AddOp::create(builder, loc, builder.getIntegerType(bitsFor(max)),
                                    level[k].first, level[k + 1].first);
      reduced.push_back({named(sum, "group" + Twine(group) + "_add" + Twine(node++)), max});
    }
    if (level.size() % 2)
      reduced.push_back(level.back());
    level = std::move(reduced);
  }
  return level.front().first;
}

/// Columns of equal-weight bits (column c has weight 2^c), reduced by
/// counters: k = 3..6 bits of a column become their count, bitsFor(k) bits
/// in columns c, c+1, ..., each one LUT of the k bits. Rounds repeat until
/// every column holds at most two bits; one adder sums the two rows. Bits in
/// columns at or above the count's width are always 0 (the count is at most
/// the number of members) and are dropped.
Value NetlistBuilder::compressorTree(ArrayRef<Value> members, int64_t group) {
  if (members.size() == 1)
    return members.front();
  unsigned width = bitsFor(members.size());
  std::vector<std::vector<Value>> columns(width);
  columns[0].assign(members.begin(), members.end());
  unsigned counter = 0;
  auto tall = [&] {
    return llvm::any_of(columns, [](const std::vector<Value> &c) { return c.size() > 2; });
  };
  while (tall()) {
    std::vector<std::vector<Value>> next(width);
    for (unsigned c = 0; c < width; ++c) {
      ArrayRef<Value> bits = columns[c];
      while (bits.size() > 2) {
        // Up to 6 bits per counter; one or two left over wait for the next
        // round.
        size_t k = std::min<size_t>(6, bits.size());
        SmallVector<Value> inputs(bits.take_front(k));
        bits = bits.drop_front(k);
        for (unsigned b = 0; b < bitsFor(k) && c + b < width; ++b) {
          uint64_t table = 0;
          for (uint64_t a = 0; a < (uint64_t(1) << k); ++a)
            if ((llvm::popcount(a) >> b) & 1)
              table |= uint64_t(1) << a;
          next[c + b].push_back(named(lut(inputs, table), "group" + Twine(group) + "_count" +
                                                              Twine(counter) + "_bit" + Twine(b)));
        }
        ++counter;
      }
      next[c].insert(next[c].end(), bits.begin(), bits.end());
    }
    columns = std::move(next);
  }
  // Columns below the first one holding two bits are final; the rest are
  // two rows (missing bits are 0) for one adder.
  unsigned first = 0;
  while (first < width && columns[first].size() < 2)
    ++first;
  SmallVector<Value> result;
  Value zero = constantBits(0, 1);
  for (unsigned c = 0; c < first; ++c)
    result.push_back(columns[c].empty() ? zero : columns[c][0]);
  if (first < width) {
    unsigned rowWidth = width - first;
    Type type = builder.getIntegerType(rowWidth);
    SmallVector<Value> rows[2];
    for (unsigned c = first; c < width; ++c)
      for (unsigned r = 0; r < 2; ++r)
        rows[r].push_back(r < columns[c].size() ? columns[c][r] : zero);
    auto rowValue = [&](ArrayRef<Value> bits) -> Value {
      return rowWidth == 1 ? bits[0] : Value(la::ConcatOp::create(builder, loc, type, bits));
    };
    Value sum = la::AddOp::create(builder, loc, type, rowValue(rows[0]), rowValue(rows[1]));
    result.push_back(named(sum, "group" + Twine(group) + "_sum"));
  }
  if (result.size() == 1)
    return result.front();
  return la::ConcatOp::create(builder, loc, builder.getIntegerType(width), result);
}

/// Inserts registers so that every stage has at most K logic levels and all
/// paths from the inputs to an output cross the same number of registers.
void NetlistBuilder::pipeline(la::HWModuleOp module) {
  unsigned k = options.pipelineEvery;
  Block &body = module.getBody().front();
  llvm::DenseMap<Value, int64_t> level;
  auto stageOf = [&](Value v) -> int64_t {
    int64_t l = level.lookup(v);
    return l == 0 ? 0 : (l - 1) / k;
  };
  for (Operation &op : body) {
    int64_t in = 0;
    for (Value operand : op.getOperands())
      in = std::max(in, level.lookup(operand));
    bool logic = isa<la::LutOp, la::AddOp, la::GreaterThanOp,
                     la::UnsignedGreaterOp, la::MuxOp>(op);
    for (Value result : op.getResults())
      level[result] = in + (logic ? 1 : 0);
  }
  // Delayed copies of each value: delays[v][d] is v delayed by d+1 cycles.
  llvm::DenseMap<Value, SmallVector<Value>> delays;
  auto delayed = [&](Value v, int64_t cycles) -> Value {
    SmallVector<Value> &chain = delays[v];
    OpBuilder::InsertionGuard guard(builder);
    while (int64_t(chain.size()) < cycles) {
      Value source = chain.empty() ? v : chain.back();
      if (Operation *def = source.getDefiningOp())
        builder.setInsertionPointAfter(def);
      else
        builder.setInsertionPointToStart(&body);
      Value reg = la::RegOp::create(builder, loc, source, Value());
      chain.push_back(reg);
    }
    return chain[cycles - 1];
  };
  int64_t lastStage = 0;
  for (auto &entry : level)
    lastStage = std::max(lastStage, stageOf(entry.first));
  SmallVector<Operation *> ops;
  for (Operation &op : body)
    ops.push_back(&op);
  for (Operation *op : ops) {
    int64_t target = isa<la::OutputOp>(op) ? lastStage : -1;
    if (target < 0) {
      if (op->getNumResults() == 0)
        continue;
      target = stageOf(op->getResult(0));
    }
    for (OpOperand &operand : op->getOpOperands()) {
      int64_t d = target - stageOf(operand.get());
      if (d > 0)
        operand.set(delayed(operand.get(), d));
    }
  }
  module->setAttr("lutarray.latency", builder.getI64IntegerAttr(lastStage));
}

/// Index of the largest count, lowest index on ties: a balanced tree whose
/// nodes keep the left (lower-index) candidate unless the right one is
/// strictly greater.
Value NetlistBuilder::argmax(ArrayRef<Value> counts) {
  unsigned countWidth = 1, indexWidth = bitsFor(std::max<int64_t>(counts.size() - 1, 1));
  for (Value count : counts)
    countWidth = std::max(countWidth, count.getType().getIntOrFloatBitWidth());
  std::vector<std::pair<Value, Value>> level; // (index, count)
  for (auto [g, count] : llvm::enumerate(counts)) {
    Value wide = count;
    unsigned w = count.getType().getIntOrFloatBitWidth();
    if (w < countWidth)
      wide = la::ConcatOp::create(builder, loc, builder.getIntegerType(countWidth),
                                  ValueRange{count, constantBits(0, countWidth - w)});
    level.push_back({constantBits(g, indexWidth), wide});
  }
  unsigned node = 0;
  while (level.size() > 1) {
    std::vector<std::pair<Value, Value>> next;
    for (size_t k = 0; k + 1 < level.size(); k += 2) {
      auto [leftIndex, leftCount] = level[k];
      auto [rightIndex, rightCount] = level[k + 1];
      Value right = named(la::UnsignedGreaterOp::create(builder, loc, rightCount, leftCount),
                          "argmax_gt" + Twine(node));
      Value index = la::MuxOp::create(builder, loc, right, rightIndex, leftIndex);
      Value count = la::MuxOp::create(builder, loc, right, rightCount, leftCount);
      next.push_back({named(index, "argmax_index" + Twine(node)),
                      named(count, "argmax_count" + Twine(node))});
      ++node;
    }
    if (level.size() % 2)
      next.push_back(level.back());
    level = std::move(next);
  }
  return level.front().first;
}

/// Valid/ready on both sides. `advance` = !out_valid || out_ready: every
/// register (pipeline stage or valid bit) loads only when the pipeline
/// advances, so a stalled output holds the whole pipeline.
void NetlistBuilder::addHandshake(la::HWModuleOp module, Block *body) {
  auto output = cast<la::OutputOp>(body->getTerminator());
  builder.setInsertionPoint(output);
  SmallVector<std::string> inputNames, outputNames;
  for (unsigned i = 0; i < module.getNumArguments(); ++i)
    inputNames.push_back(module.getInputName(i));
  for (unsigned i = 0; i < module.getNumResults(); ++i)
    outputNames.push_back(module.getOutputName(i));
  inputNames.append({"in_valid", "out_ready"});
  outputNames.append({"out_valid", "in_ready"});
  // Ports: in_valid and out_ready are new inputs.
  Value inValid = body->addArgument(builder.getI1Type(), loc);
  Value outReady = body->addArgument(builder.getI1Type(), loc);
  int64_t latency = module->getAttrOfType<IntegerAttr>("lutarray.latency").getInt();
  SmallVector<Value> outputs(output.getOutputs());
  if (latency == 0) {
    // Register the outputs so that valid/ready has a stage to hold.
    for (Value &value : outputs)
      value = la::RegOp::create(builder, loc, value, Value());
    latency = 1;
  }
  // The valid chain: one bit per stage. The last one is out_valid, which
  // `advance` reads: a loop through registers (the region is a graph).
  SmallVector<la::RegOp> valid;
  Value previous = inValid;
  for (int64_t stage = 0; stage < latency; ++stage) {
    valid.push_back(la::RegOp::create(builder, loc, previous, Value()));
    named(valid.back(), "valid_stage" + Twine(stage));
    previous = valid.back();
  }
  Value outValid = valid.back();
  Value stalled = la::NotOp::create(builder, loc, outValid);
  Value advance = named(la::OrOp::create(builder, loc, stalled, outReady), "advance");
  for (la::RegOp reg : body->getOps<la::RegOp>())
    reg.getEnableMutable().assign(advance);
  outputs.push_back(outValid);
  outputs.push_back(advance); // in_ready
  output.getOutputsMutable().assign(outputs);
  SmallVector<Type> inputTypes(body->getArgumentTypes());
  SmallVector<Type> outputTypes;
  for (Value v : outputs)
    outputTypes.push_back(v.getType());
  module.setFunctionTypeAttr(TypeAttr::get(builder.getFunctionType(inputTypes, outputTypes)));
  auto nameDicts = [&](ArrayRef<std::string> names) {
    SmallVector<Attribute> dicts;
    for (const std::string &name : names)
      dicts.push_back(builder.getDictionaryAttr(
          builder.getNamedAttr("lutarray.name", builder.getStringAttr(name))));
    return builder.getArrayAttr(dicts);
  };
  module.setArgAttrsAttr(nameDicts(inputNames));
  module.setResAttrsAttr(nameDicts(outputNames));
  module->setAttr("lutarray.latency", builder.getI64IntegerAttr(latency));
  module->setAttr("lutarray.wrapper", builder.getUnitAttr());
}

FailureOr<la::HWModuleOp> NetlistBuilder::build() {
  if (!func.getBody().hasOneBlock())
    return func.emitError("hardware lowering needs a single-block function");
  Block &entry = func.getBody().front();
  if (func.getNumArguments() != 1)
    return func.emitError("hardware lowering needs a function with one argument "
                          "(features or thermometer bits)");
  // Find the chain argument -> [thermometer] -> lut_layer* -> group_sum.
  ThermometerOp thermometer;
  SmallVector<LutLayerOp> layers;
  GroupSumOp groupSum;
  for (Operation &op : entry) {
    if (auto t = dyn_cast<ThermometerOp>(op)) {
      if (thermometer || !layers.empty())
        return op.emitError("hardware lowering expects one thermometer first");
      thermometer = t;
    } else if (auto l = dyn_cast<LutLayerOp>(op)) {
      layers.push_back(l);
    } else if (auto g = dyn_cast<GroupSumOp>(op)) {
      if (groupSum)
        return op.emitError("hardware lowering expects one group sum");
      groupSum = g;
    } else if (!isa<ScaleCountsOp, ArgMaxOp, func::ReturnOp, arith::ConstantOp>(op)) {
      return op.emitError() << "'" << op.getName()
                            << "' cannot be lowered to hardware (expected "
                               "thermometer, lut_layer, group_sum, scale_counts, "
                               "argmax; run --quweit-flatten first for region ops)";
    }
  }
  if (!groupSum)
    return func.emitError("hardware lowering needs a quweit.group_sum: the "
                          "circuit outputs group counts");
  Value expected = thermometer ? Value(thermometer.getOutput()) : Value(func.getArgument(0));
  if (thermometer && thermometer.getInput() != func.getArgument(0))
    return thermometer.emitError("the thermometer must read the function argument");
  for (LutLayerOp layer : layers) {
    if (layer.getInput() != expected)
      return layer.emitError("LUT layers must form a chain from the input");
    expected = layer.getOutput();
  }
  if (groupSum.getInput() != expected)
    return groupSum.emitError("the group sum must read the last LUT layer");

  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  std::vector<float> thresholds;
  int64_t features = 0, perFeature = 0;
  if (thermometer) {
    features = thermometer.getNumFeatures();
    perFeature = thermometer.getBitsPerFeature();
    if (readFloats(thermometer.getThresholds(), thresholds))
      return thermometer.emitError("cannot read thresholds");
    if (options.comparators) {
      if (options.inputBits < 2 || options.inputBits > 32 ||
          options.fracBits >= options.inputBits)
        return func.emitError("input-bits must be 2..32 and frac-bits below it");
      for (int64_t f = 0; f < features; ++f) {
        inputTypes.push_back(builder.getIntegerType(options.inputBits));
        inputNames.push_back(("x" + Twine(f)).str());
      }
    } else {
      inputTypes.push_back(builder.getIntegerType(features * perFeature));
      inputNames.push_back("bits");
    }
  } else {
    auto type = cast<RankedTensorType>(func.getArgument(0).getType());
    if (!type.getElementType().isInteger(1))
      return func.emitError("without a thermometer the argument must be i1 bits");
    inputTypes.push_back(builder.getIntegerType(type.getDimSize(1)));
    inputNames.push_back("bits");
  }

  builder.setInsertionPoint(func);
  auto module = la::HWModuleOp::create(
      builder, func.getLoc(), func.getSymNameAttr(),
      TypeAttr::get(builder.getFunctionType(inputTypes, {})), ArrayAttr(), ArrayAttr());
  Block *body = builder.createBlock(&module.getBody());
  for (Type type : inputTypes)
    body->addArgument(type, func.getLoc());
  builder.setInsertionPointToStart(body);
  loc = func.getLoc();

  // Input bits.
  if (thermometer && options.comparators) {
    double scale = std::ldexp(1.0, options.fracBits);
    int64_t maxCode = (int64_t(1) << (options.inputBits - 1)) - 1;
    int64_t minCode = -(int64_t(1) << (options.inputBits - 1));
    for (int64_t f = 0; f < features; ++f)
      for (int64_t k = 0; k < perFeature; ++k) {
        double t = std::floor(double(thresholds[f * perFeature + k]) * scale);
        Value bit;
        if (t >= double(maxCode))
          bit = constantBits(0, 1); // no input exceeds the threshold
        else if (t < double(minCode))
          bit = constantBits(1, 1); // every input exceeds it
        else
          bit = la::GreaterThanOp::create(builder, loc, body->getArgument(f),
                                          int64_t(t));
        bits.push_back(named(bit, "therm_f" + Twine(f) + "_b" + Twine(k)));
      }
  } else {
    Value port = body->getArgument(0);
    for (unsigned i = 0; i < port.getType().getIntOrFloatBitWidth(); ++i)
      bits.push_back(la::ExtractOp::create(builder, loc, port, i));
  }
  for (auto [index, layer] : llvm::enumerate(layers))
    if (failed(convertLayer(layer, index)))
      return failure();
  SmallVector<Value> outputs;
  SmallVector<std::string> outputNames;
  convertGroupSum(groupSum, outputs, outputNames);
  if (options.wrapper) {
    // The class is argmax of the scores; it equals argmax of the counts only
    // if the scores are an increasing function of the counts shared by all
    // classes (no per-class scale or bias).
    if (ScaleCountsOp scale = scaleOf(groupSum))
      if (scale.getScale() || scale.getBias())
        return scale.emitError("the hardware argmax needs scores that order like "
                               "the counts: remove per-class scale/bias or use "
                               "wrapper=false");
    outputs.push_back(argmax(outputs));
    outputNames.push_back("class_index");
  }
  la::OutputOp::create(builder, loc, outputs);

  SmallVector<Type> outputTypes;
  for (Value output : outputs)
    outputTypes.push_back(output.getType());
  module.setFunctionTypeAttr(TypeAttr::get(builder.getFunctionType(inputTypes, outputTypes)));
  for (auto [i, name] : llvm::enumerate(inputNames))
    module.setArgAttr(i, "lutarray.name", builder.getStringAttr(name));
  for (auto [i, name] : llvm::enumerate(outputNames))
    module.setResultAttr(i, "lutarray.name", builder.getStringAttr(name));
  // What the host needs to turn counts into the model's outputs.
  if (ScaleCountsOp scale = scaleOf(groupSum)) {
    module->setAttr("lutarray.tau", scale.getTauAttr());
    if (scale.getScale())
      module->setAttr("lutarray.scale", *scale.getScale());
    if (scale.getBias())
      module->setAttr("lutarray.bias", *scale.getBias());
  }
  if (thermometer && options.comparators) {
    module->setAttr("lutarray.input_bits", builder.getI64IntegerAttr(options.inputBits));
    module->setAttr("lutarray.frac_bits", builder.getI64IntegerAttr(options.fracBits));
  }
  // Cells no output depends on (LUTs the next layer never reads) are not
  // built into the circuit.
  SmallVector<Operation *> ops;
  for (Operation &op : *body)
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (!isa<la::OutputOp>(op) && op->use_empty())
      op->erase();
  if (options.pipelineEvery > 0)
    pipeline(module);
  else
    module->setAttr("lutarray.latency", builder.getI64IntegerAttr(0));
  if (options.wrapper)
    addHandshake(module, body);
  return module;
}

struct ConvertQuWeiTToLutArrayPass
    : quweit::impl::ConvertQuWeiTToLutArrayBase<ConvertQuWeiTToLutArrayPass> {
  using ConvertQuWeiTToLutArrayBase::ConvertQuWeiTToLutArrayBase;

  void runOnOperation() override {
    if (thermometer != "ports" && thermometer != "comparators") {
      getOperation()->emitError() << "unknown thermometer mode '" << thermometer
                                  << "' (use ports or comparators)";
      return signalPassFailure();
    }
    if (maxLutInputs < 2 || maxLutInputs > 6) {
      getOperation()->emitError("max-lut-inputs must be in [2, 6]");
      return signalPassFailure();
    }
    if (groupSum != "adders" && groupSum != "compressors") {
      getOperation()->emitError() << "unknown group-sum mode '" << groupSum
                                  << "' (use adders or compressors)";
      return signalPassFailure();
    }
    Options options{thermometer == "comparators", inputBits, fracBits,
                    maxLutInputs, pipelineEvery, decompose, wrapper,
                    groupSum == "compressors"};
    SmallVector<func::FuncOp> funcs;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && !func.isPrivate())
        funcs.push_back(func);
    for (func::FuncOp func : funcs) {
      NetlistBuilder netlist(func, options);
      if (failed(netlist.build()))
        return signalPassFailure();
      func.erase();
    }
  }
};

} // namespace
