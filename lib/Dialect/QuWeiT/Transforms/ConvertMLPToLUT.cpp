//===- ConvertMLPToLUT.cpp - dense MLPs -> quweit.lut_ffn -----------------===//
//
// Finds linear -> elementwise (bias, GELU/ReLU) -> linear (-> bias) chains in
// linalg/tensor/arith/math and replaces each by a named quweit.lut_ffn from a
// tables file (docs/transforms.md). The elementwise part is not matched
// syntactically: it is *evaluated* per hidden unit on probe values (in
// double), so every spelling of GELU (x*0.5 or 0.5*x, divide by sqrt 2 or
// multiply by its inverse, one generic or many tensor ops, bias fused or
// not) is recognised by what it computes.
//
//===----------------------------------------------------------------------===//

#include "quweit/Analysis/CostModel.h"
#include "quweit/Dialect/QuWeiT/ElementsAccess.h"
#include "quweit/Dialect/QuWeiT/Passes.h"
#include "quweit/Dialect/QuWeiT/QuWeiTOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <variant>

namespace quweit {
#define GEN_PASS_DEF_CONVERTMLPTOLUT
#include "quweit/Dialect/QuWeiT/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;

namespace {

//===----------------------------------------------------------------------===//
// Parameters: values that do not depend on the model's activations
//===----------------------------------------------------------------------===//

/// An argument of a function's or a transformer block's entry block: weights
/// may be passed in, as in hand-written IR.
static bool isEntryArgument(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || !arg.getOwner()->isEntryBlock())
    return false;
  return isa_and_nonnull<func::FuncOp, TransformerBlockOp>(
      arg.getOwner()->getParentOp());
}

/// True if `v` is computed from `on` (through op operands; a tensor.dim reads
/// a shape only, not values).
static bool dependsOn(Value v, Value on) {
  SmallVector<Value> worklist{v};
  DenseSet<Value> seen{v};
  while (!worklist.empty()) {
    Value x = worklist.pop_back_val();
    if (x == on)
      return true;
    Operation *def = x.getDefiningOp();
    if (def && !isa<tensor::DimOp>(def))
      for (Value operand : def->getOperands())
        if (seen.insert(operand).second)
          worklist.push_back(operand);
  }
  return false;
}

/// Parameters: values computed from constants and shapes only (weights,
/// biases, zero fills, tensor.empty of a dynamic size). Weights: the same,
/// where entry arguments are also allowed (weights passed as arguments); the
/// activations an MLP reads are never parameters.
class ParameterOracle {
public:
  bool isParameter(Value v) { return lookup(v, /*allowArgs=*/false); }
  /// A weight of a layer reading `activation`: a parameter, or computed from
  /// entry arguments that the activation is not computed from (which tells a
  /// weight argument from the model's input, e.g. in a residual add).
  bool isWeightFor(Value v, Value activation) {
    if (isParameter(v))
      return true;
    return lookup(v, /*allowArgs=*/true) && !dependsOn(activation, v) &&
           !dependsOn(v, activation);
  }

private:
  bool lookup(Value v, bool allowArgs) {
    DenseMap<Value, bool> &cache = caches[allowArgs];
    auto it = cache.find(v);
    if (it != cache.end())
      return it->second;
    cache[v] = false; // cycles (graph regions) are not parameters
    bool result = compute(v, allowArgs);
    caches[allowArgs][v] = result;
    return result;
  }

  bool compute(Value v, bool allowArgs) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return allowArgs && isEntryArgument(v);
    if (def->hasTrait<OpTrait::ConstantLike>() ||
        isa<tensor::EmptyOp, tensor::DimOp>(def))
      return true;
    if (!isMemoryEffectFree(def) && !isa<linalg::LinalgOp>(def))
      return false;
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(def))
      if (!linalgOp.hasPureTensorSemantics())
        return false;
    // Values captured by a region (e.g. a generic reading an outer scalar)
    // must be parameters too.
    bool ok = true;
    def->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (!def->isAncestor(operand.getParentRegion()->getParentOp()) &&
            operand.getParentRegion()->getParentOp() != def &&
            !lookup(operand, allowArgs))
          ok = false;
    });
    return ok;
  }

  DenseMap<Value, bool> caches[2];
};

/// Reads the values of a parameter tensor along its last dimension, checking
/// that it does not vary along the others: one value (a splat, or a 0-d
/// tensor) or one per channel. std::nullopt when that cannot be shown.
///
/// A vector passed as an entry argument (a bias given to the function) has no
/// known values: with `seed` != 0 it reads as pseudo-random values of that
/// seed, so that evaluating with two seeds checks a property for any values.
static std::optional<SmallVector<double>>
readChannelValues(Value v, unsigned seed = 0, int depth = 0) {
  if (depth > 16)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  Operation *def = v.getDefiningOp();
  if (type && type.hasStaticShape() && seed && isEntryArgument(v)) {
    int64_t channels = type.getRank() ? type.getShape().back() : 1;
    if (type.getRank() && type.getNumElements() != channels)
      return std::nullopt; // a matrix argument may vary along its rows
    SmallVector<double> values;
    for (int64_t j = 0; j < channels; ++j)
      values.push_back(0.75 * std::sin(12.9898 * seed + 78.233 * (j + 1)));
    return values;
  }
  if (!type || !def || !type.hasStaticShape())
    return std::nullopt;
  if (auto constant = dyn_cast<arith::ConstantOp>(def)) {
    auto attr = dyn_cast<ElementsAttr>(constant.getValue());
    if (!attr || !attr.getElementType().isF32())
      return std::nullopt;
    std::vector<float> values;
    if (readFloats(attr, values))
      return std::nullopt;
    int64_t channels = type.getRank() ? type.getShape().back() : 1;
    if (values.empty() || channels == 0)
      return std::nullopt;
    bool splat = llvm::all_of(values, [&](float x) {
      return x == values[0] || (std::isnan(x) && std::isnan(values[0]));
    });
    if (splat)
      return SmallVector<double>{values[0]};
    // Row-invariant: every row equals the first.
    for (size_t i = channels; i < values.size(); ++i)
      if (values[i] != values[i % channels])
        return std::nullopt;
    return SmallVector<double>(values.begin(), values.begin() + channels);
  }
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    FloatAttr value;
    if (!matchPattern(fill.getInputs()[0], m_Constant(&value)))
      return std::nullopt;
    return SmallVector<double>{value.getValueAsDouble()};
  }
  if (auto broadcast = dyn_cast<linalg::BroadcastOp>(def)) {
    // Broadcasting along the channel dimension would make rows differ.
    if (llvm::is_contained(broadcast.getDimensions(), type.getRank() - 1)) {
      auto source = readChannelValues(broadcast.getInput(), seed, depth + 1);
      if (source && source->size() == 1)
        return source;
      return std::nullopt;
    }
    return readChannelValues(broadcast.getInput(), seed, depth + 1);
  }
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(
          def)) {
    Value source = def->getOperand(0);
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto values = readChannelValues(source, seed, depth + 1);
    if (!values || values->size() == 1)
      return values;
    if (sourceType.getRank() && type.getRank() &&
        sourceType.getShape().back() == type.getShape().back())
      return values;
    return std::nullopt;
  }
  if (auto generic = dyn_cast<linalg::GenericOp>(def)) {
    // A copy (the body yields its only input) that broadcasts a vector along
    // the rows: the input's last index is the output's channel loop.
    if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return std::nullopt;
    Block &body = generic.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (yield.getValues().size() != 1 ||
        yield.getValues()[0] != body.getArgument(0))
      return std::nullopt;
    AffineMap outMap = generic.getIndexingMapsArray()[1];
    AffineMap inMap = generic.getIndexingMapsArray()[0];
    if (!outMap.isIdentity())
      return std::nullopt;
    auto source = readChannelValues(generic.getInputs()[0], seed, depth + 1);
    if (!source || source->size() == 1)
      return source;
    if (inMap.getNumResults() == 0 ||
        !inMap.getResults().back().isFunctionOfDim(outMap.getNumDims() - 1))
      return std::nullopt;
    for (AffineExpr e : inMap.getResults().drop_back())
      if (e.isFunctionOfDim(outMap.getNumDims() - 1))
        return std::nullopt;
    return source;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Linears
//===----------------------------------------------------------------------===//

/// A contraction `y[rows..., n] = init[rows..., n] + sum_k x[rows..., k] *
/// W[k, n]` with W (and init) parameters not varying over the rows.
struct Linear {
  mutable linalg::LinalgOp op;
  unsigned activationIndex = 0;
  int64_t inWidth = 0, outWidth = 0;
  Value activation() const { return op.getDpsInputs()[activationIndex]; }
  Value result() const { return op->getResult(0); }
};

/// True if the parameter `w` does not vary along loop `dim` of the op that
/// reads it with `map` (the loop does not index it, or it is a splat or a
/// broadcast along that operand dimension).
static bool invariantAlong(Value w, AffineMap map, unsigned dim) {
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    if (!e.isFunctionOfDim(dim))
      continue;
    if (auto broadcast = w.getDefiningOp<linalg::BroadcastOp>())
      if (llvm::is_contained(broadcast.getDimensions(), (int64_t)i))
        continue;
    auto values = readChannelValues(w);
    if (values && values->size() == 1)
      continue;
    return false;
  }
  return true;
}

static std::optional<Linear> matchLinear(Operation *op,
                                         ParameterOracle &params) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || !linalg::isaContractionOpInterface(linalgOp))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  if (failed(dims) || dims->k.size() != 1 || dims->n.size() != 1)
    return std::nullopt;
  unsigned k = dims->k[0], n = dims->n[0];
  SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
  AffineMap outMap = maps[2];
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!outType || outMap.getNumResults() == 0 ||
      outMap.getResults().back() != getAffineDimExpr(n, op->getContext()) ||
      !outMap.isProjectedPermutation())
    return std::nullopt;
  for (unsigned actIndex = 0; actIndex < 2; ++actIndex) {
    Value act = linalgOp.getDpsInputs()[actIndex];
    Value weight = linalgOp.getDpsInputs()[1 - actIndex];
    AffineMap actMap = maps[actIndex], weightMap = maps[1 - actIndex];
    auto actType = dyn_cast<RankedTensorType>(act.getType());
    if (!actType || actType.getRank() < 2 || params.isParameter(act) ||
        act == weight || !params.isWeightFor(weight, act) ||
        !params.isWeightFor(linalgOp.getDpsInits()[0], act) ||
        !actMap.isProjectedPermutation())
      continue;
    // x is read as [rows..., k] with the rows in the output's order.
    if (actMap.getResults().back() != getAffineDimExpr(k, op->getContext()) ||
        actMap.getResults().drop_back() != outMap.getResults().drop_back())
      continue;
    // W is read as (k, n) in either order, constant over every row loop.
    bool weightOk = true;
    for (unsigned d = 0; d < linalgOp.getNumLoops(); ++d)
      if (d != k && d != n && !invariantAlong(weight, weightMap, d))
        weightOk = false;
    if (!weightOk)
      continue;
    Linear linear;
    linear.op = linalgOp;
    linear.activationIndex = actIndex;
    linear.inWidth = actType.getShape().back();
    linear.outWidth = outType.getShape().back();
    if (ShapedType::isDynamic(linear.inWidth) ||
        ShapedType::isDynamic(linear.outWidth))
      return std::nullopt;
    return linear;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Elementwise chains and their evaluation
//===----------------------------------------------------------------------===//

/// An op applied independently to every element of same-shaped tensors: an
/// arith/math op on tensors, or an all-parallel linalg op whose output map
/// is the identity (named elementwise ops, linalg.map, generics).
static bool isElementwiseOp(Operation *op) {
  if (op->getNumResults() != 1 ||
      !isa<RankedTensorType>(op->getResult(0).getType()))
    return false;
  if (op->hasTrait<OpTrait::Elementwise>())
    return op->getNumRegions() == 0;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInits() != 1 ||
      linalgOp.getNumParallelLoops() != linalgOp.getNumLoops() ||
      !linalgOp.getMatchingIndexingMap(linalgOp.getDpsInitOperand(0))
           .isIdentity() ||
      linalgOp->getNumRegions() != 1 || linalgOp.getBlock() == nullptr)
    return false;
  // linalg.index would make the op depend on positions.
  bool usesIndex = false;
  linalgOp.getBlock()->walk([&](linalg::IndexOp) { usesIndex = true; });
  return !usesIndex;
}

static double geluErf(double z) { return 0.5 * z * (1.0 + std::erf(z / std::sqrt(2.0))); }
static double geluTanh(double z) {
  return 0.5 * z *
         (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (z + 0.044715 * z * z * z)));
}

enum class Activation { Identity, Relu, GeluErf, GeluTanh };

static StringRef activationName(Activation a) {
  switch (a) {
  case Activation::Identity:
    return "none";
  case Activation::Relu:
    return "ReLU";
  case Activation::GeluErf:
    return "GELU(erf)";
  case Activation::GeluTanh:
    return "GELU(tanh)";
  }
  return "";
}

/// Evaluates the chain of elementwise ops from a linear's result (the
/// "input", given as a number) for one channel, in double.
class ChainEvaluator {
public:
  ChainEvaluator(Value input, int64_t channels, unsigned seed)
      : input(input), channels(channels), seed(seed) {}

  /// The value of `v` at channel `j` when the input is `y`; std::nullopt
  /// (and `error` set) when some op cannot be evaluated.
  std::optional<double> evaluate(Value v, int64_t j, double y) {
    memo.clear();
    return eval(v, j, y);
  }

  std::string error;

private:
  std::optional<double> fail(const Twine &message) {
    if (error.empty())
      error = message.str();
    return std::nullopt;
  }

  std::optional<double> parameter(Value v, int64_t j) {
    auto it = parameters.find(v);
    if (it == parameters.end()) {
      auto values = readChannelValues(v, seed);
      if (values && values->size() != 1 && (int64_t)values->size() != channels)
        values.reset();
      it = parameters.try_emplace(v, std::move(values)).first;
    }
    if (!it->second)
      return fail("an operand of the ops between the linears varies along "
                  "the rows or cannot be read");
    const SmallVector<double> &values = *it->second;
    return values.size() == 1 ? values[0] : values[j];
  }

  std::optional<double> eval(Value v, int64_t j, double y) {
    if (v == input)
      return y;
    auto it = memo.find(v);
    if (it != memo.end())
      return it->second;
    Operation *def = v.getDefiningOp();
    std::optional<double> result;
    if (!def || !isElementwiseOp(def))
      result = parameter(v, j);
    else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(def))
      result = evalLinalg(linalgOp, j, y);
    else {
      SmallVector<double> args;
      for (Value operand : def->getOperands()) {
        std::optional<double> a = eval(operand, j, y);
        if (!a)
          return std::nullopt;
        args.push_back(*a);
      }
      result = scalar(def, args);
    }
    if (result)
      memo[v] = *result;
    return result;
  }

  std::optional<double> evalLinalg(linalg::LinalgOp op, int64_t j, double y) {
    Block *body = op.getBlock();
    DenseMap<Value, double> env;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(&operand);
      if (arg.use_empty())
        continue;
      AffineMap map = op.getMatchingIndexingMap(&operand);
      Value value = operand.get();
      std::optional<double> a;
      if (!isa<RankedTensorType>(value.getType())) {
        FloatAttr attr; // a scalar operand (linalg.fill)
        if (!matchPattern(value, m_Constant(&attr)))
          return fail("a scalar operand is not a constant");
        a = attr.getValueAsDouble();
      } else if (map.isIdentity()) {
        // Hidden values (and same-shaped parameters) element for element.
        a = eval(value, j, y);
      } else {
        // A parameter broadcast along the rows: one value, or one per channel
        // read at the channel loop (the last: the output map is the identity).
        auto values = readChannelValues(value, seed);
        if (values && values->size() == 1)
          a = (*values)[0];
        else if (!map.getNumResults() ||
                 !map.getResults().back().isFunctionOfDim(map.getNumDims() - 1))
          return fail("an operand between the linears is not indexed by the "
                      "hidden unit");
        else
          a = parameter(value, j);
      }
      if (!a)
        return std::nullopt;
      env[arg] = *a;
    }
    for (Operation &op : body->without_terminator()) {
      SmallVector<double> args;
      for (Value operand : op.getOperands()) {
        auto found = env.find(operand);
        if (found != env.end()) {
          args.push_back(found->second);
          continue;
        }
        FloatAttr attr;
        if (matchPattern(operand, m_Constant(&attr))) {
          args.push_back(attr.getValueAsDouble());
          continue;
        }
        return fail("the body reads a value it cannot evaluate");
      }
      if (op.getNumResults() != 1)
        return fail("unsupported op '" + op.getName().getStringRef() + "'");
      if (isa<arith::ConstantOp>(op)) {
        FloatAttr attr = dyn_cast<FloatAttr>(cast<arith::ConstantOp>(op).getValue());
        if (!attr)
          return fail("a non-float constant in the body");
        env[op.getResult(0)] = attr.getValueAsDouble();
        continue;
      }
      std::optional<double> r = scalar(&op, args);
      if (!r)
        return std::nullopt;
      env[op.getResult(0)] = *r;
    }
    auto yield = body->getTerminator();
    if (yield->getNumOperands() != 1 || !env.count(yield->getOperand(0)))
      return fail("the body yields a value it cannot evaluate");
    return env[yield->getOperand(0)];
  }

  std::optional<double> scalar(Operation *op, ArrayRef<double> a) {
    auto need = [&](size_t n) { return a.size() == n; };
    std::optional<double> r =
        llvm::TypeSwitch<Operation *, std::optional<double>>(op)
            .Case([&](arith::AddFOp) { return need(2) ? std::optional(a[0] + a[1]) : std::nullopt; })
            .Case([&](arith::SubFOp) { return need(2) ? std::optional(a[0] - a[1]) : std::nullopt; })
            .Case([&](arith::MulFOp) { return need(2) ? std::optional(a[0] * a[1]) : std::nullopt; })
            .Case([&](arith::DivFOp) { return need(2) ? std::optional(a[0] / a[1]) : std::nullopt; })
            .Case([&](arith::NegFOp) { return need(1) ? std::optional(-a[0]) : std::nullopt; })
            .Case<arith::MaximumFOp, arith::MaxNumFOp>([&](Operation *) {
              return need(2) ? std::optional(std::fmax(a[0], a[1])) : std::nullopt;
            })
            .Case<arith::MinimumFOp, arith::MinNumFOp>([&](Operation *) {
              return need(2) ? std::optional(std::fmin(a[0], a[1])) : std::nullopt;
            })
            .Case<arith::ExtFOp, arith::TruncFOp>([&](Operation *) {
              return need(1) ? std::optional(a[0]) : std::nullopt;
            })
            .Case([&](arith::SelectOp) {
              return need(3) ? std::optional(a[0] != 0 ? a[1] : a[2]) : std::nullopt;
            })
            .Case([&](arith::CmpFOp cmp) -> std::optional<double> {
              if (!need(2))
                return std::nullopt;
              std::optional<bool> b = compare(cmp.getPredicate(), a[0], a[1]);
              if (!b)
                return std::nullopt;
              return *b ? 1.0 : 0.0;
            })
            .Case([&](math::ErfOp) { return need(1) ? std::optional(std::erf(a[0])) : std::nullopt; })
            .Case([&](math::TanhOp) { return need(1) ? std::optional(std::tanh(a[0])) : std::nullopt; })
            .Case([&](math::ExpOp) { return need(1) ? std::optional(std::exp(a[0])) : std::nullopt; })
            .Case([&](math::SqrtOp) { return need(1) ? std::optional(std::sqrt(a[0])) : std::nullopt; })
            .Case([&](math::RsqrtOp) { return need(1) ? std::optional(1.0 / std::sqrt(a[0])) : std::nullopt; })
            .Case([&](math::AbsFOp) { return need(1) ? std::optional(std::fabs(a[0])) : std::nullopt; })
            .Case([&](math::LogOp) { return need(1) ? std::optional(std::log(a[0])) : std::nullopt; })
            .Case([&](math::PowFOp) { return need(2) ? std::optional(std::pow(a[0], a[1])) : std::nullopt; })
            .Case([&](math::FmaOp) { return need(3) ? std::optional(a[0] * a[1] + a[2]) : std::nullopt; })
            .Default([](Operation *) { return std::nullopt; });
    if (!r)
      return fail("unsupported op '" + op->getName().getStringRef() +
                  "' between the linears");
    return r;
  }

  static std::optional<bool> compare(arith::CmpFPredicate p, double x, double y) {
    bool unordered = std::isnan(x) || std::isnan(y);
    using P = arith::CmpFPredicate;
    switch (p) {
    case P::OGT: return !unordered && x > y;
    case P::OGE: return !unordered && x >= y;
    case P::OLT: return !unordered && x < y;
    case P::OLE: return !unordered && x <= y;
    case P::OEQ: return !unordered && x == y;
    case P::ONE: return !unordered && x != y;
    case P::UGT: return unordered || x > y;
    case P::UGE: return unordered || x >= y;
    case P::ULT: return unordered || x < y;
    case P::ULE: return unordered || x <= y;
    case P::UEQ: return unordered || x == y;
    case P::UNE: return unordered || x != y;
    default: return std::nullopt;
    }
  }

  Value input;
  int64_t channels;
  unsigned seed;
  DenseMap<Value, double> memo;
  DenseMap<Value, std::optional<SmallVector<double>>> parameters;
};

/// Probe points (inputs to the activation, after the bias).
static constexpr double kProbes[] = {-6.0, -3.0, -1.5, -0.7, -0.2, 0.0,
                                     0.25, 0.8,  1.7,  3.5,  7.0};

/// For `out = F_j(y)` over every channel j: is F_j(y) = g(y + b_j) for one of
/// the activations g? (The bias is read off far out, where every candidate
/// is the identity.) Sets `why` when not.
static std::optional<Activation>
classifyActivation(ChainEvaluator &eval, Value out, int64_t channels,
                   std::string &why) {
  constexpr double far = 1.0e4, tolerance = 1.0e-5;
  std::optional<Activation> found;
  for (int64_t j = 0; j < channels; ++j) {
    std::optional<double> atFar = eval.evaluate(out, j, far);
    if (!atFar) {
      why = eval.error;
      return std::nullopt;
    }
    double bias = *atFar - far;
    if (!std::isfinite(bias) || std::fabs(bias) > 1.0e3) {
      why = "the ops between the linears are not an activation of (x + bias)";
      return std::nullopt;
    }
    SmallVector<double> values;
    for (double z : kProbes) {
      std::optional<double> v = eval.evaluate(out, j, z - bias);
      if (!v) {
        why = eval.error;
        return std::nullopt;
      }
      values.push_back(*v);
    }
    auto fits = [&](double (*g)(double)) {
      for (auto [z, v] : llvm::zip(kProbes, values))
        if (!(std::fabs(v - g(z)) <= tolerance * (1.0 + std::fabs(g(z)))))
          return false;
      return true;
    };
    std::optional<Activation> here;
    if (fits([](double z) { return z; }))
      here = Activation::Identity;
    else if (fits([](double z) { return std::fmax(z, 0.0); }))
      here = Activation::Relu;
    else if (fits(geluErf))
      here = Activation::GeluErf;
    else if (fits(geluTanh))
      here = Activation::GeluTanh;
    if (!here) {
      why = "the activation is not GELU (erf or tanh) or ReLU (hidden unit " +
            std::to_string(j) + ")";
      return std::nullopt;
    }
    if (found && *found != *here) {
      why = "the hidden units use different activations";
      return std::nullopt;
    }
    found = here;
  }
  return found;
}

//===----------------------------------------------------------------------===//
// MLP matching
//===----------------------------------------------------------------------===//

struct MLPMatch {
  Linear fc1, fc2;
  /// The elementwise ops between the linears and the bias ops after fc2.
  SmallVector<Operation *> between, after;
  Value output;
  Activation activation = Activation::Identity;
  SmallVector<std::string> names;
};

/// Why an MLP-shaped chain (linear, elementwise, linear) is not an MLP; empty
/// when `fc1` starts no such chain at all (nothing to report).
struct MatchFailure {
  std::string reason;
  Linear fc1;
};

static std::string locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations()) {
      std::string n = locationName(inner);
      if (!n.empty())
        return n;
    }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return locationName(callSite.getCallee());
  return "";
}

static std::string commonDottedPrefix(StringRef a, StringRef b) {
  SmallVector<StringRef> pa, pb;
  a.split(pa, '.');
  b.split(pb, '.');
  std::string prefix;
  for (size_t i = 0; i < pa.size() && i < pb.size() && pa[i] == pb[i]; ++i)
    prefix += (prefix.empty() ? "" : ".") + pa[i].str();
  return prefix;
}

class MLPMatcher {
public:
  /// Matches an MLP starting at `fc1`. Returns the match, or a failure whose
  /// reason is empty when `fc1` does not start an MLP-shaped chain.
  std::variant<MLPMatch, MatchFailure> match(const Linear &fc1) {
    MatchFailure failure{"", fc1};
    // Forward closure of the hidden values through elementwise users.
    SetVector<Operation *> chain;
    SmallVector<Value> worklist{fc1.result()};
    DenseSet<Value> hidden{fc1.result()};
    std::optional<Linear> fc2;
    std::string problem;
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto linear = matchLinear(user, params);
            linear && linear->activation() == v) {
          if (fc2 && fc2->op != linear->op)
            problem = "the hidden values feed two linears";
          fc2 = linear;
          continue;
        }
        if (isElementwiseOp(user)) {
          if (chain.insert(user))
            for (Value r : user->getResults())
              if (hidden.insert(r).second)
                worklist.push_back(r);
          continue;
        }
        if (problem.empty())
          problem = "a hidden value is used by '" +
                    user->getName().getStringRef().str() +
                    "' outside the MLP";
      }
    }
    // An op that mixes in a value from elsewhere (a residual add, a norm's
    // statistics) ends the pattern: this linear starts no MLP (attention's
    // output projection, say), so there is nothing to report.
    for (Operation *op : chain)
      for (Value operand : op->getOperands())
        if (!hidden.contains(operand) &&
            !params.isWeightFor(operand, fc1.activation()))
          return failure;
    if (!fc2)
      return failure; // not MLP-shaped: nothing to say
    failure.reason = problem;
    if (!problem.empty())
      return failure;
    Value h = fc2->activation();
    if (!h.hasOneUse()) {
      failure.reason = "the hidden activations have other users";
      return failure;
    }
    for (Value v : hidden)
      if (v != h && v.use_empty()) {
        failure.reason = "a hidden value is unused"; // dead branch: odd form
        return failure;
      }
    if (fc2->inWidth != fc1.outWidth) {
      failure.reason = "the linears' widths do not chain";
      return failure;
    }
    // The rows of fc2's result must be those of fc1's input.
    auto inType = cast<RankedTensorType>(fc1.activation().getType());
    auto outType = cast<RankedTensorType>(fc2->result().getType());
    if (inType.getShape().drop_back() != outType.getShape().drop_back()) {
      failure.reason = "the second linear's rows differ from the first's";
      return failure;
    }
    // Biases passed as arguments read as two different pseudo-random vectors:
    // the activation must be recognised under both.
    int64_t hiddenWidth = fc1.outWidth;
    std::optional<Activation> activation;
    for (unsigned seed : {1u, 2u}) {
      ChainEvaluator evaluator(fc1.result(), hiddenWidth, seed);
      std::string why;
      std::optional<Activation> found =
          classifyActivation(evaluator, h, hiddenWidth, why);
      if (!found || (activation && *activation != *found)) {
        failure.reason = found ? "the activation depends on a function argument" : why;
        return failure;
      }
      activation = found;
    }
    if (*activation == Activation::Identity) {
      failure.reason = "there is no activation between the linears";
      return failure;
    }
    MLPMatch m;
    m.fc1 = fc1;
    m.fc2 = *fc2;
    m.between.assign(chain.begin(), chain.end());
    m.activation = *activation;
    m.output = fc2->result();
    extendOverBias(m);
    return m;
  }

private:
  /// Takes the bias adds after fc2 (`z + c_j`) into the MLP.
  void extendOverBias(MLPMatch &m) {
    int64_t channels = m.fc2.outWidth;
    while (m.output.hasOneUse()) {
      Operation *user = *m.output.getUsers().begin();
      if (!isElementwiseOp(user) || user->getNumResults() != 1)
        return;
      for (Value operand : user->getOperands())
        if (operand != m.output &&
            !params.isWeightFor(operand, m.fc1.activation()))
          return;
      Value r = user->getResult(0);
      for (unsigned seed : {1u, 2u}) {
        ChainEvaluator eval(m.output, channels, seed);
        for (int64_t j = 0; j < channels; ++j) {
          std::optional<double> c = eval.evaluate(r, j, 0.0);
          if (!c)
            return;
          for (double z : {-2.5, 1.0, 4.0}) {
            std::optional<double> v = eval.evaluate(r, j, z);
            if (!v ||
                std::fabs(*v - (z + *c)) > 1e-6 * (1.0 + std::fabs(z + *c)))
              return;
          }
        }
      }
      m.after.push_back(user);
      m.output = r;
    }
  }

  ParameterOracle params;

public:
  ParameterOracle &parameters() { return params; }
};

//===----------------------------------------------------------------------===//
// Tables file
//===----------------------------------------------------------------------===//

/// The lut_ffn of each table function of the tables file, by name.
struct TableSet {
  OwningOpRef<ModuleOp> module;
  llvm::StringMap<LutFFNOp> ffns;
  llvm::StringSet<> used;
};

static LogicalResult loadTables(MLIRContext *ctx, StringRef path,
                                TableSet &tables) {
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &message);
  if (!file)
    return emitError(UnknownLoc::get(ctx))
           << "quweit-convert-mlp-to-lut: cannot open tables file '" << path
           << "': " << message;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
  tables.module = parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(ctx));
  if (!tables.module)
    return emitError(UnknownLoc::get(ctx))
           << "quweit-convert-mlp-to-lut: tables file '" << path
           << "' does not parse";
  if (failed(verify(*tables.module)))
    return failure();
  for (Operation &op : tables.module->getBody()->getOperations()) {
    auto func = dyn_cast<func::FuncOp>(op);
    if (!func)
      return op.emitError("tables file: expected only func.func table "
                          "entries, found '")
             << op.getName() << "'";
    auto fail = [&]() {
      return func.emitError("tables file: '")
             << func.getSymName()
             << "' must be a function of one tensor<?xDxf32> argument whose "
                "body is one quweit.lut_ffn of it and the return of its "
                "result";
    };
    if (func.isExternal() || func.getNumArguments() != 1 ||
        func.getNumResults() != 1)
      return fail();
    Block &body = func.getBody().front();
    auto ffn = dyn_cast<LutFFNOp>(body.front());
    if (!ffn || ffn.getInput() != body.getArgument(0) ||
        body.getOperations().size() != 2)
      return fail();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    if (ret.getNumOperands() != 1 || ret.getOperand(0) != ffn.getOutput())
      return fail();
    if (!ShapedType::isDynamic(ffn.getInput().getType().getDimSize(0)))
      return func.emitError("tables file: '")
             << func.getSymName()
             << "' must take a dynamic number of rows (tensor<?xDxf32>)";
    tables.ffns[func.getSymName()] = ffn;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

static int64_t countLuts(LutFFNOp ffn) {
  int64_t luts = 0;
  for (LutLayerOp layer : ffn.getLutLayers())
    luts += layer.getNumLuts();
  return luts;
}

/// [[0, ..., rank-2], [rank-1]]: all leading dimensions as the rows.
static SmallVector<ReassociationIndices> rowsAndFeatures(int64_t rank) {
  ReassociationIndices leading;
  for (int64_t i = 0; i + 1 < rank; ++i)
    leading.push_back(i);
  return {leading, {rank - 1}};
}

/// Replaces the MLP by a clone of `table`; returns the new op.
static LutFFNOp replaceMLP(MLPMatch &m, LutFFNOp table, StringRef name) {
  Operation *last = m.output.getDefiningOp();
  OpBuilder b(last->getContext());
  b.setInsertionPointAfter(last);
  Location loc = m.fc1.op->getLoc();
  Value x = m.fc1.activation();
  auto xType = cast<RankedTensorType>(x.getType());
  auto outType = cast<RankedTensorType>(m.output.getType());
  Value rows = x;
  if (xType.getRank() > 2)
    rows = tensor::CollapseShapeOp::create(b, loc, x,
                                           rowsAndFeatures(xType.getRank()));
  Type ffnInType = table.getInput().getType();
  if (rows.getType() != ffnInType)
    rows = tensor::CastOp::create(b, loc, ffnInType, rows);
  IRMapping mapping;
  mapping.map(table.getInput(), rows);
  auto ffn = cast<LutFFNOp>(b.clone(*table, mapping));
  ffn->setLoc(loc);
  ffn->setAttr(kDenseHiddenAttrName, b.getI64IntegerAttr(m.fc1.outWidth));
  ffn->setAttr("quweit.mlp", b.getStringAttr(name));
  Value result = ffn.getOutput();
  if (outType.getRank() > 2) {
    // Back to [d0, ..., dr-2, k]; the leading sizes are x's.
    int64_t rowCount = 1;
    for (int64_t d : outType.getShape().drop_back())
      rowCount = ShapedType::isDynamic(d) || ShapedType::isDynamic(rowCount)
                     ? ShapedType::kDynamic
                     : rowCount * d;
    auto flatType =
        RankedTensorType::get({rowCount, outType.getShape().back()},
                              outType.getElementType());
    if (result.getType() != flatType)
      result = tensor::CastOp::create(b, loc, flatType, result);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i + 1 < outType.getRank(); ++i) {
      if (ShapedType::isDynamic(outType.getDimSize(i)))
        sizes.push_back(tensor::DimOp::create(b, loc, x, i).getResult());
      else
        sizes.push_back(b.getIndexAttr(outType.getDimSize(i)));
    }
    sizes.push_back(b.getIndexAttr(outType.getShape().back()));
    result = tensor::ExpandShapeOp::create(
        b, loc, outType, result, rowsAndFeatures(outType.getRank()), sizes);
  } else if (result.getType() != outType) {
    result = tensor::CastOp::create(b, loc, outType, result);
  }
  m.output.replaceAllUsesWith(result);
  return ffn;
}

/// Erases `ops` (in reverse order of definition) and then every op that
/// became dead through it (weights, fills, empties).
static void eraseDead(ArrayRef<Operation *> ops) {
  SmallVector<Operation *> worklist(ops.rbegin(), ops.rend());
  DenseSet<Operation *> erased;
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (erased.contains(op) || !op->use_empty() ||
        (!isMemoryEffectFree(op) && !isa<linalg::LinalgOp>(op)))
      continue;
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      if (!linalgOp.hasPureTensorSemantics())
        continue;
    SmallVector<Operation *> operands;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        operands.push_back(def);
    erased.insert(op);
    op->erase();
    for (Operation *def : operands)
      if (!erased.contains(def) && def->use_empty())
        worklist.push_back(def);
  }
}

struct ConvertMLPToLUTPass
    : quweit::impl::ConvertMLPToLUTBase<ConvertMLPToLUTPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    // Parsed once, before any IR is visited; every MLP clones from it.
    tables = std::make_shared<TableSet>();
    if (tablesFile.empty())
      return success();
    return loadTables(ctx, tablesFile, *tables);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLPMatcher matcher;
    std::vector<MLPMatch> matches;
    SmallVector<MatchFailure> failures;
    DenseSet<Operation *> taken;
    module.walk([&](Operation *op) {
      if (taken.contains(op))
        return;
      std::optional<Linear> fc1 = matchLinear(op, matcher.parameters());
      if (!fc1)
        return;
      auto result = matcher.match(*fc1);
      if (auto *m = std::get_if<MLPMatch>(&result)) {
        taken.insert(m->fc2.op);
        matches.push_back(std::move(*m));
      } else if (!std::get<MatchFailure>(result).reason.empty()) {
        failures.push_back(std::get<MatchFailure>(result));
      }
    });
    nameMatches(matches);

    // First resolve every table (reporting every error), then change the IR
    // only if all resolved: a failing run leaves the module as it was.
    bool failed = false;
    int64_t converted = 0, left = 0;
    SmallVector<std::pair<MLPMatch *, std::pair<LutFFNOp, std::string>>> plan;
    for (MLPMatch &m : matches) {
      std::string describe = describeMLP(m);
      if (tablesFile.empty()) {
        ++left;
        if (remarks)
          emitRemark(m.fc1.op->getLoc())
              << "MLP '" << m.names.front() << "' (" << describe
              << ") not converted: no tables= file given";
        continue;
      }
      LutFFNOp table;
      std::string name;
      for (const std::string &candidate : m.names)
        if (auto it = tables->ffns.find(candidate); it != tables->ffns.end()) {
          table = it->second;
          name = candidate;
          break;
        }
      if (!table) {
        ++left;
        std::string tried = llvm::join(m.names, "', '");
        if (!allowMissing) {
          emitError(m.fc1.op->getLoc())
              << "no LUT FFN tables for MLP '" << m.names.front() << "' ("
              << describe << ") in '" << tablesFile << "' (names tried: '"
              << tried << "')";
          failed = true;
        } else if (remarks) {
          emitRemark(m.fc1.op->getLoc())
              << "MLP '" << m.names.front() << "' (" << describe
              << ") not converted: no tables for it (names tried: '" << tried
              << "')";
        }
        continue;
      }
      tables->used.insert(name);
      int64_t inWidth = table.getInput().getType().getDimSize(1);
      int64_t outWidth = table.getOutput().getType().getDimSize(1);
      if (inWidth != m.fc1.inWidth || outWidth != m.fc2.outWidth) {
        InFlightDiagnostic diag = emitError(m.fc1.op->getLoc())
                                  << "LUT FFN tables '" << name << "' map "
                                  << inWidth << " -> " << outWidth
                                  << " features but the MLP maps "
                                  << m.fc1.inWidth << " -> "
                                  << m.fc2.outWidth;
        diag.attachNote(table->getParentOp()->getLoc())
            << "tables '" << name << "' defined here";
        failed = true;
        continue;
      }
      plan.push_back({&m, {table, name}});
    }
    if (failed)
      return signalPassFailure();
    SmallVector<Operation *> toErase;
    for (auto &[m, entry] : plan) {
      auto &[table, name] = entry;
      LutFFNOp ffn = replaceMLP(*m, table, name);
      ++converted;
      if (remarks)
        emitRemark(ffn.getLoc())
            << "converted MLP '" << name << "' (" << describeMLP(*m)
            << ") to a LUT FFN (" << ffn.getLutLayers().size()
            << " LUT layers, " << countLuts(ffn) << " LUTs)";
      toErase.append(m->after.begin(), m->after.end());
      toErase.push_back(m->fc2.op);
      toErase.append(m->between.begin(), m->between.end());
      toErase.push_back(m->fc1.op);
    }
    for (MatchFailure &f : failures) {
      ++left;
      if (remarks)
        emitRemark(f.fc1.op->getLoc())
            << "MLP-shaped pattern not converted: " << f.reason;
    }
    eraseDead(toErase);
    numConverted += converted;
    numLeft += left;
    if (remarks) {
      for (auto &entry : tables->ffns)
        if (!tables->used.contains(entry.getKey()))
          emitRemark(module.getLoc())
              << "tables '" << entry.getKey() << "' matched no MLP";
      emitRemark(module.getLoc())
          << "quweit-convert-mlp-to-lut: " << converted << " of "
          << matches.size() + failures.size()
          << " MLPs converted, " << left << " left dense";
    }
  }

private:
  static std::string describeMLP(const MLPMatch &m) {
    return std::to_string(m.fc1.inWidth) + " -> " +
           std::to_string(m.fc1.outWidth) + " -> " +
           std::to_string(m.fc2.outWidth) + ", " +
           activationName(m.activation).str();
  }

  /// Names by which the tables may refer to each MLP (in order of priority).
  static void nameMatches(std::vector<MLPMatch> &matches) {
    // MLPs per transformer block: a block name only names a lone MLP.
    DenseMap<Operation *, int> perBlock;
    for (MLPMatch &m : matches)
      if (auto block = m.fc1.op->getParentOfType<TransformerBlockOp>())
        ++perBlock[block];
    for (size_t index = 0; index < matches.size(); ++index) {
      MLPMatch &m = matches[index];
      std::string n1 = locationName(m.fc1.op->getLoc());
      std::string n2 = locationName(m.fc2.op->getLoc());
      auto add = [&](const std::string &n) {
        if (!n.empty() && !llvm::is_contained(m.names, n))
          m.names.push_back(n);
      };
      // A named MLP is only found by its names: falling back to a position
      // could silently pick another MLP's tables.
      if (!n1.empty() && !n2.empty())
        add(commonDottedPrefix(n1, n2));
      add(n1);
      if (!m.names.empty())
        continue;
      if (auto block = m.fc1.op->getParentOfType<TransformerBlockOp>())
        if (perBlock[block] == 1)
          add(block.getName().str());
      if (!m.names.empty())
        continue;
      add("mlp" + std::to_string(index));
    }
  }

  std::shared_ptr<TableSet> tables;
};

} // namespace
