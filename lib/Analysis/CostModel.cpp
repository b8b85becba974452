//===- CostModel.cpp - operation counts and energy of a model -------------===//
//
// Counting rules (docs/cost-model.md):
//  - a linalg structured op runs its body once per point of its iteration
//    space; each arith/math op of the body counts once per point, its
//    multiplications as matmul/convolution multiplications when the op is a
//    contraction or convolution, as elementwise ones otherwise;
//  - an arith/math op outside linalg counts once per element of its result;
//  - quweit ops count what semantics.md says they compute: one comparison
//    per thermometer bit, one lookup per LUT and row, one addition per bit
//    counted by a group sum, one division (and optional multiply-add) per
//    scaled count, k-1 comparisons per argmax row;
//  - dynamic dimensions count as 1 (the report says so).
//
//===----------------------------------------------------------------------===//

#include "quweit/Analysis/CostModel.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace quweit;

OpCounts &OpCounts::operator+=(const OpCounts &o) {
  matmulMults += o.matmulMults;
  elementwiseMults += o.elementwiseMults;
  adds += o.adds;
  countAdds += o.countAdds;
  comparisons += o.comparisons;
  expDiv += o.expDiv;
  lutLookups += o.lutLookups;
  parameterBytes += o.parameterBytes;
  return *this;
}

namespace {
enum class Kind { None, Mult, Add, Compare, ExpDiv };
} // namespace

static Kind classify(Operation *op) {
  if (isa<arith::MulFOp, arith::MulIOp>(op))
    return Kind::Mult;
  if (isa<arith::AddFOp, arith::AddIOp, arith::SubFOp, arith::SubIOp>(op))
    return Kind::Add;
  if (isa<arith::CmpFOp, arith::CmpIOp, arith::MaximumFOp, arith::MinimumFOp,
          arith::MaxNumFOp, arith::MinNumFOp, arith::MaxSIOp, arith::MinSIOp,
          arith::MaxUIOp, arith::MinUIOp>(op))
    return Kind::Compare;
  if (isa<arith::DivFOp, arith::DivSIOp, arith::DivUIOp, arith::RemFOp,
          math::ExpOp, math::Exp2Op, math::ExpM1Op, math::ErfOp, math::TanhOp,
          math::SqrtOp, math::RsqrtOp, math::LogOp, math::Log2Op,
          math::PowFOp>(op))
    return Kind::ExpDiv;
  return Kind::None;
}

static void add(OpCounts &counts, Kind kind, int64_t times, bool contraction) {
  switch (kind) {
  case Kind::Mult:
    (contraction ? counts.matmulMults : counts.elementwiseMults) += times;
    break;
  case Kind::Add:
    counts.adds += times;
    break;
  case Kind::Compare:
    counts.comparisons += times;
    break;
  case Kind::ExpDiv:
    counts.expDiv += times;
    break;
  case Kind::None:
    break;
  }
}

static int64_t product(ArrayRef<int64_t> shape, bool &dynamicDims) {
  int64_t result = 1;
  for (int64_t dim : shape) {
    if (ShapedType::isDynamic(dim)) {
      dynamicDims = true;
      continue;
    }
    result *= dim;
  }
  return result;
}

static int64_t elementsOf(Type type, bool &dynamicDims) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.hasRank() ? product(shaped.getShape(), dynamicDims) : 1;
  return 1;
}

/// Bytes of an elements attribute (i1 counts one bit).
static int64_t attrBytes(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return 0;
  bool ignored = false;
  int64_t count = product(elements.getShapedType().getShape(), ignored);
  Type element = elements.getElementType();
  int64_t bits = element.isIntOrFloat() ? element.getIntOrFloatBitWidth() : 64;
  return (count * bits + 7) / 8;
}

OpCounts quweit::countOp(Operation *op, bool &dynamicDims) {
  OpCounts counts;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    int64_t points = 1;
    for (int64_t range : linalgOp.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range))
        dynamicDims = true;
      else
        points *= range;
    }
    bool contraction = linalg::isaContractionOpInterface(linalgOp) ||
                       linalg::isaConvolutionOpInterface(linalgOp);
    for (Operation &bodyOp : linalgOp->getRegion(0).front())
      add(counts, classify(&bodyOp), points, contraction);
    return counts;
  }
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    if (isa<ShapedType>(constant.getType()))
      counts.parameterBytes += attrBytes(constant.getValue());
    return counts;
  }
  if (isa<arith::ArithDialect, math::MathDialect>(op->getDialect())) {
    if (op->getNumResults() == 1)
      add(counts, classify(op), elementsOf(op->getResult(0).getType(), dynamicDims),
          /*contraction=*/false);
    return counts;
  }
  auto rows = [&](Value value) {
    int64_t dim = cast<ShapedType>(value.getType()).getDimSize(0);
    if (ShapedType::isDynamic(dim)) {
      dynamicDims = true;
      return int64_t(1);
    }
    return dim;
  };
  if (auto thermometer = dyn_cast<ThermometerOp>(op)) {
    counts.comparisons += rows(thermometer.getInput()) *
                          thermometer.getNumFeatures() *
                          thermometer.getBitsPerFeature();
    counts.parameterBytes += attrBytes(thermometer.getThresholds());
  } else if (auto layer = dyn_cast<LutLayerOp>(op)) {
    counts.lutLookups += rows(layer.getInput()) * layer.getNumLuts();
    counts.parameterBytes +=
        attrBytes(layer.getMapping()) + attrBytes(layer.getTables());
  } else if (auto layer = dyn_cast<PackedLutLayerOp>(op)) {
    counts.lutLookups += rows(layer.getInput()) * layer.getNumLuts();
    counts.parameterBytes +=
        attrBytes(layer.getMapping()) + attrBytes(layer.getTables());
  } else if (auto sum = dyn_cast<GroupSumOp>(op)) {
    counts.countAdds +=
        rows(sum.getInput()) * sum.getInput().getType().getDimSize(1);
    if (sum.getGroupIndex())
      counts.parameterBytes += attrBytes(*sum.getGroupIndex());
  } else if (auto scale = dyn_cast<ScaleCountsOp>(op)) {
    int64_t values = rows(scale.getInput()) * scale.getInput().getType().getDimSize(1);
    counts.expDiv += values;
    if (scale.getScale()) {
      counts.elementwiseMults += values;
      counts.parameterBytes += attrBytes(*scale.getScale());
    }
    if (scale.getBias()) {
      counts.adds += values;
      counts.parameterBytes += attrBytes(*scale.getBias());
    }
  } else if (auto argmax = dyn_cast<ArgMaxOp>(op)) {
    int64_t classes = argmax.getInput().getType().getDimSize(1);
    counts.comparisons += rows(argmax.getInput()) * std::max<int64_t>(classes - 1, 0);
  }
  return counts;
}

OpCounts quweit::denseTwinOf(Operation *op, bool &dynamicDims) {
  auto ffn = cast<LutFFNOp>(op);
  auto inputType = ffn.getInput().getType();
  int64_t width = inputType.getDimSize(1);
  int64_t out = ffn.getOutput().getType().getDimSize(1);
  int64_t hidden = 4 * width;
  if (auto attr = ffn->getAttrOfType<IntegerAttr>(kDenseHiddenAttrName))
    hidden = attr.getInt();
  int64_t rows = inputType.getDimSize(0);
  if (ShapedType::isDynamic(rows)) {
    dynamicDims = true;
    rows = 1;
  }
  OpCounts twin;
  int64_t macs = width * hidden + hidden * out;
  twin.matmulMults = rows * macs;
  // One addition per multiply-accumulate, the two biases, and GELU's
  // 0.5 * x * (1 + erf(x / sqrt 2)): 3 multiplications, 1 addition, 1 erf.
  twin.adds = rows * (macs + hidden + out + hidden);
  twin.elementwiseMults = rows * 3 * hidden;
  twin.expDiv = rows * hidden;
  twin.parameterBytes = 4 * (macs + hidden + out);
  return twin;
}

std::vector<FunctionCost> quweit::analyzeCosts(ModuleOp module) {
  std::vector<FunctionCost> result;
  module.walk([&](func::FuncOp function) {
    if (function.isExternal())
      return;
    FunctionCost cost;
    cost.total.name = function.getSymName().str();
    llvm::StringMap<size_t> blockIndex;
    function.walk([&](Operation *op) {
      // The body of a linalg op is counted with the op, once per point.
      if (isa_and_nonnull<linalg::LinalgOp>(op->getParentOp()))
        return;
      bool insideFFN = op->getParentOfType<LutFFNOp>() != nullptr;
      auto block = op->getParentOfType<TransformerBlockOp>();
      CostEntry *entry = nullptr;
      if (block) {
        auto [it, inserted] =
            blockIndex.try_emplace(block.getName(), cost.blocks.size());
        if (inserted) {
          cost.blocks.emplace_back();
          cost.blocks.back().name = block.getName().str();
        }
        entry = &cost.blocks[it->second];
      }
      OpCounts counts = countOp(op, cost.hasDynamicDims);
      OpCounts dense;
      if (isa<LutFFNOp>(op))
        dense = denseTwinOf(op, cost.hasDynamicDims);
      else if (!insideFFN)
        dense = counts;
      for (CostEntry *target : {&cost.total, entry}) {
        if (!target)
          continue;
        target->hybrid += counts;
        target->dense += dense;
        target->lutFFNs += isa<LutFFNOp>(op);
      }
    });
    result.push_back(std::move(cost));
  });
  return result;
}

EnergyTable EnergyTable::horowitz45nm(llvm::StringRef precision,
                                      double lutLookupPJ) {
  EnergyTable table;
  table.name = precision.str();
  if (precision == "int8") {
    table.mult = 0.2;
    table.add = 0.03;
  } else {
    table.mult = 3.7;
    table.add = 0.9;
  }
  // A comparison is a subtraction; exp/erf/div have no figure in the source:
  // charged as four multiplications (docs/cost-model.md).
  table.compare = table.add;
  table.expDiv = 4 * table.mult;
  // Group-sum counts are small integers: 8-bit integer additions.
  table.countAdd = 0.03;
  // A 64-entry table read as one 64-bit word of an 8 KB SRAM.
  table.lutLookup = lutLookupPJ >= 0 ? lutLookupPJ : 10.0;
  return table;
}

double quweit::energyPicojoules(const OpCounts &c, const EnergyTable &t) {
  return double(c.multiplications()) * t.mult + double(c.adds) * t.add +
         double(c.countAdds) * t.countAdd +
         double(c.comparisons) * t.compare + double(c.expDiv) * t.expDiv +
         double(c.lutLookups) * t.lutLookup;
}
