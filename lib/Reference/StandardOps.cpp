//===- StandardOps.cpp - reference evaluation of the float parts ----------===//
//
// The attention, norms, embeddings and heads of hybrid models are written in
// tensor, linalg, arith and math. Every linalg structured op (generic,
// matmul, batch_matmul, transpose, broadcast, fill, ...) is interpreted the
// same way: its indexing maps and its scalar body, point by point over the
// iteration space, exactly as the op's definition reads. This is slow and
// obvious on purpose; f32 arithmetic is done in float, one IEEE operation per
// arith/math op, so results differ from compiled code only by the order of
// reductions and by libm.
//
//===----------------------------------------------------------------------===//

#include "BlockEvaluator.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace quweit::reference {

namespace {

/// One scalar of a body: f32 in `f`, integers, indices and i1 in `i`.
struct Scalar {
  float f = 0;
  int64_t i = 0;
};

Scalar readElement(const Tensor &tensor, int64_t index) {
  Scalar s;
  if (tensor.isFloat())
    s.f = tensor.floats[index];
  else if (tensor.isBits())
    s.i = tensor.bits[index];
  else
    s.i = tensor.ints[index];
  return s;
}

void writeElement(Tensor &tensor, int64_t index, Scalar s) {
  if (tensor.isFloat())
    tensor.floats[index] = s.f;
  else if (tensor.isBits())
    tensor.bits[index] = s.i != 0;
  else
    tensor.ints[index] = s.i;
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

bool compareFloat(arith::CmpFPredicate predicate, float a, float b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (predicate) {
  case arith::CmpFPredicate::AlwaysFalse: return false;
  case arith::CmpFPredicate::OEQ: return !unordered && a == b;
  case arith::CmpFPredicate::OGT: return !unordered && a > b;
  case arith::CmpFPredicate::OGE: return !unordered && a >= b;
  case arith::CmpFPredicate::OLT: return !unordered && a < b;
  case arith::CmpFPredicate::OLE: return !unordered && a <= b;
  case arith::CmpFPredicate::ONE: return !unordered && a != b;
  case arith::CmpFPredicate::ORD: return !unordered;
  case arith::CmpFPredicate::UEQ: return unordered || a == b;
  case arith::CmpFPredicate::UGT: return unordered || a > b;
  case arith::CmpFPredicate::UGE: return unordered || a >= b;
  case arith::CmpFPredicate::ULT: return unordered || a < b;
  case arith::CmpFPredicate::ULE: return unordered || a <= b;
  case arith::CmpFPredicate::UNE: return unordered || a != b;
  case arith::CmpFPredicate::UNO: return unordered;
  case arith::CmpFPredicate::AlwaysTrue: return true;
  }
  return false;
}

bool compareInt(arith::CmpIPredicate predicate, int64_t a, int64_t b) {
  switch (predicate) {
  case arith::CmpIPredicate::eq: return a == b;
  case arith::CmpIPredicate::ne: return a != b;
  case arith::CmpIPredicate::slt: return a < b;
  case arith::CmpIPredicate::sle: return a <= b;
  case arith::CmpIPredicate::sgt: return a > b;
  case arith::CmpIPredicate::sge: return a >= b;
  case arith::CmpIPredicate::ult: return uint64_t(a) < uint64_t(b);
  case arith::CmpIPredicate::ule: return uint64_t(a) <= uint64_t(b);
  case arith::CmpIPredicate::ugt: return uint64_t(a) > uint64_t(b);
  case arith::CmpIPredicate::uge: return uint64_t(a) >= uint64_t(b);
  }
  return false;
}

/// Evaluates one scalar op of a body; fails on an op it does not know.
LogicalResult evaluateScalar(Operation *op, ArrayRef<Scalar> in, Scalar &out,
                             ArrayRef<int64_t> point) {
  auto f = [&](unsigned k) { return in[k].f; };
  auto i = [&](unsigned k) { return in[k].i; };
  bool known = true;
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](arith::AddFOp) { out.f = f(0) + f(1); })
      .Case([&](arith::SubFOp) { out.f = f(0) - f(1); })
      .Case([&](arith::MulFOp) { out.f = f(0) * f(1); })
      .Case([&](arith::DivFOp) { out.f = f(0) / f(1); })
      .Case([&](arith::NegFOp) { out.f = -f(0); })
      .Case([&](arith::MaximumFOp) {
        out.f = (std::isnan(f(0)) || std::isnan(f(1))) ? NAN : std::fmax(f(0), f(1));
      })
      .Case([&](arith::MinimumFOp) {
        out.f = (std::isnan(f(0)) || std::isnan(f(1))) ? NAN : std::fmin(f(0), f(1));
      })
      .Case([&](arith::MaxNumFOp) { out.f = std::fmax(f(0), f(1)); })
      .Case([&](arith::MinNumFOp) { out.f = std::fmin(f(0), f(1)); })
      .Case([&](arith::CmpFOp c) { out.i = compareFloat(c.getPredicate(), f(0), f(1)); })
      .Case([&](arith::CmpIOp c) { out.i = compareInt(c.getPredicate(), i(0), i(1)); })
      .Case([&](arith::SelectOp) { out = i(0) ? in[1] : in[2]; })
      .Case([&](arith::AddIOp) { out.i = i(0) + i(1); })
      .Case([&](arith::SubIOp) { out.i = i(0) - i(1); })
      .Case([&](arith::MulIOp) { out.i = i(0) * i(1); })
      .Case([&](arith::AndIOp) { out.i = i(0) & i(1); })
      .Case([&](arith::OrIOp) { out.i = i(0) | i(1); })
      .Case([&](arith::XOrIOp) { out.i = i(0) ^ i(1); })
      .Case([&](arith::SIToFPOp) { out.f = static_cast<float>(i(0)); })
      .Case([&](arith::UIToFPOp) { out.f = static_cast<float>(uint64_t(i(0))); })
      .Case([&](arith::FPToSIOp) { out.i = static_cast<int64_t>(f(0)); })
      .Case([&](arith::IndexCastOp) { out.i = i(0); })
      .Case([&](arith::ExtUIOp) { out.i = i(0); })
      .Case([&](arith::ExtSIOp) { out.i = i(0); })
      .Case([&](math::ExpOp) { out.f = std::exp(f(0)); })
      .Case([&](math::LogOp) { out.f = std::log(f(0)); })
      .Case([&](math::SqrtOp) { out.f = std::sqrt(f(0)); })
      .Case([&](math::RsqrtOp) { out.f = 1.0f / std::sqrt(f(0)); })
      .Case([&](math::ErfOp) { out.f = std::erf(f(0)); })
      .Case([&](math::TanhOp) { out.f = std::tanh(f(0)); })
      .Case([&](math::AbsFOp) { out.f = std::fabs(f(0)); })
      .Case([&](math::PowFOp) { out.f = std::pow(f(0), f(1)); })
      .Case([&](linalg::IndexOp index) { out.i = point[index.getDim()]; })
      .Default([&](Operation *) { known = false; });
  if (!known)
    return op->emitError() << "the reference evaluator does not support '"
                           << op->getName() << "' in a linalg body";
  return success();
}

} // namespace

LogicalResult BlockEvaluator::evaluateStandard(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (!linalgOp.hasPureTensorSemantics())
      return op->emitError("reference evaluator: linalg ops must work on tensors");
    return evaluateLinalg(op);
  }
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](tensor::EmptyOp empty) -> LogicalResult {
        auto type = empty.getType();
        std::vector<int64_t> shape;
        unsigned dynamic = 0;
        for (int64_t dim : type.getShape())
          shape.push_back(ShapedType::isDynamic(dim)
                              ? indexValue(empty.getDynamicSizes()[dynamic++])
                              : dim);
        return success(succeeded(allocate(op, empty.getResult(), shape)));
      })
      .Case([&](tensor::ExpandShapeOp expand) -> LogicalResult {
        const Tensor &source = values[expand.getSrc()];
        std::vector<int64_t> shape;
        unsigned dynamic = 0;
        for (int64_t dim : expand.getStaticOutputShape())
          shape.push_back(ShapedType::isDynamic(dim)
                              ? indexValue(expand.getOutputShape()[dynamic++])
                              : dim);
        Tensor result = source;
        result.shape = shape;
        if (result.numElements() != source.numElements())
          return op->emitError("expand_shape changes the element count");
        values[expand.getResult()] = std::move(result);
        return success();
      })
      .Case([&](tensor::CollapseShapeOp collapse) -> LogicalResult {
        const Tensor &source = values[collapse.getSrc()];
        std::vector<int64_t> shape;
        for (const ReassociationIndices &group : collapse.getReassociationIndices()) {
          int64_t size = 1;
          for (int64_t dim : group)
            size *= source.shape[dim];
          shape.push_back(size);
        }
        Tensor result = source;
        result.shape = shape;
        values[collapse.getResult()] = std::move(result);
        return success();
      })
      .Case([&](tensor::ExtractSliceOp slice) -> LogicalResult {
        const Tensor &source = values[slice.getSource()];
        auto resolve = [&](ArrayRef<OpFoldResult> mixed) {
          std::vector<int64_t> out;
          for (OpFoldResult value : mixed)
            out.push_back(isa<Attribute>(value)
                              ? cast<IntegerAttr>(cast<Attribute>(value)).getInt()
                              : indexValue(cast<Value>(value)));
          return out;
        };
        std::vector<int64_t> offsets = resolve(slice.getMixedOffsets());
        std::vector<int64_t> sizes = resolve(slice.getMixedSizes());
        std::vector<int64_t> steps = resolve(slice.getMixedStrides());
        for (size_t d = 0; d < sizes.size(); ++d)
          if (offsets[d] < 0 || sizes[d] < 0 ||
              (sizes[d] > 0 && offsets[d] + (sizes[d] - 1) * steps[d] >= source.shape[d]))
            return op->emitError("extract_slice reads out of bounds");
        // The result drops rank-reduced unit dimensions; iterate the full slice.
        std::optional<Tensor> full = Tensor::zeros(source.type, sizes, options.maxElements);
        if (!full)
          return op->emitError("slice too large");
        std::vector<int64_t> sourceStrides = stridesOf(source.shape);
        std::vector<int64_t> point(sizes.size(), 0);
        for (int64_t n = 0; n < full->numElements(); ++n) {
          int64_t at = 0;
          for (size_t d = 0; d < sizes.size(); ++d)
            at += (offsets[d] + point[d] * steps[d]) * sourceStrides[d];
          writeElement(*full, n, readElement(source, at));
          for (int64_t d = sizes.size() - 1; d >= 0; --d) {
            if (++point[d] < sizes[d])
              break;
            point[d] = 0;
          }
        }
        full->shape = std::vector<int64_t>(slice.getType().getShape());
        for (size_t d = 0, r = 0; d < full->shape.size(); ++d)
          if (ShapedType::isDynamic(full->shape[d]))
            full->shape[d] = sizes[r++]; // dynamic dims keep their size
        values[slice.getResult()] = std::move(*full);
        return success();
      })
      .Case([&](tensor::ConcatOp concat) -> LogicalResult {
        int64_t axis = concat.getDim();
        std::vector<int64_t> shape = values[concat.getInputs()[0]].shape;
        shape[axis] = 0;
        for (Value input : concat.getInputs())
          shape[axis] += values[input].shape[axis];
        FailureOr<Tensor *> out = allocate(op, concat.getResult(), shape);
        if (failed(out))
          return failure();
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < axis; ++d)
          outer *= shape[d];
        for (size_t d = axis + 1; d < shape.size(); ++d)
          inner *= shape[d];
        int64_t offset = 0;
        for (Value inputValue : concat.getInputs()) {
          const Tensor &input = values[inputValue];
          int64_t width = input.shape[axis] * inner;
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t k = 0; k < width; ++k)
              writeElement(**out, o * shape[axis] * inner + offset + k,
                           readElement(input, o * width + k));
          offset += width;
        }
        return success();
      })
      .Case<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
            arith::MaximumFOp, arith::MinimumFOp, arith::NegFOp, math::ExpOp,
            math::SqrtOp, math::RsqrtOp, math::ErfOp, math::TanhOp>(
          [&](Operation *elementwise) { return evaluateElementwise(elementwise); })
      .Default([&](Operation *other) {
        return other->emitError()
               << "the reference evaluator does not support '"
               << other->getName() << "'";
      });
}

LogicalResult BlockEvaluator::evaluateElementwise(Operation *op) {
  if (!isa<RankedTensorType>(op->getResult(0).getType()))
    return op->emitError("reference evaluator: scalar arith/math outside a "
                         "linalg body is not supported");
  const Tensor &first = values[op->getOperand(0)];
  for (Value operand : op->getOperands())
    if (values[operand].shape != first.shape)
      return op->emitError("elementwise operands differ in shape");
  FailureOr<Tensor *> out = allocate(op, op->getResult(0), first.shape);
  if (failed(out))
    return failure();
  SmallVector<Scalar> in(op->getNumOperands());
  for (int64_t n = 0; n < first.numElements(); ++n) {
    for (unsigned k = 0; k < op->getNumOperands(); ++k)
      in[k] = readElement(values[op->getOperand(k)], n);
    Scalar result;
    if (failed(evaluateScalar(op, in, result, {})))
      return failure();
    writeElement(**out, n, result);
  }
  return success();
}

LogicalResult BlockEvaluator::evaluateLinalg(Operation *op) {
  auto linalgOp = cast<linalg::LinalgOp>(op);
  SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
  unsigned numLoops = linalgOp.getNumLoops();
  SmallVector<OpOperand *> operands;
  for (OpOperand &operand : op->getOpOperands())
    operands.push_back(&operand);

  // Loop ranges from the operands' shapes.
  std::vector<int64_t> ranges(numLoops, -1);
  for (auto [operand, map] : llvm::zip(operands, maps)) {
    const Tensor &tensor = values[operand->get()];
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      if (auto dim = dyn_cast<AffineDimExpr>(map.getResult(r)))
        if (ranges[dim.getPosition()] < 0)
          ranges[dim.getPosition()] = tensor.shape.at(r);
  }
  for (int64_t range : ranges)
    if (range < 0)
      return op->emitError("reference evaluator: cannot infer a loop range");

  // Outputs start as copies of the inits (reductions accumulate into them).
  SmallVector<Tensor> outputs;
  for (OpOperand &init : linalgOp.getDpsInitsMutable())
    outputs.push_back(values[init.get()]);
  unsigned numInputs = linalgOp.getNumDpsInputs();

  // Map every body value to a slot.
  Block *body = linalgOp.getBlock();
  llvm::DenseMap<Value, unsigned> slot;
  for (BlockArgument argument : body->getArguments())
    slot[argument] = slot.size();
  SmallVector<Operation *> program;
  for (Operation &bodyOp : body->without_terminator()) {
    program.push_back(&bodyOp);
    for (Value result : bodyOp.getResults())
      slot[result] = slot.size();
  }
  // Values from outside the body (captured scalars) are read once.
  SmallVector<Scalar> scalars(slot.size());
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  for (Operation *bodyOp : program)
    for (Value operand : bodyOp->getOperands())
      if (!slot.count(operand)) {
        const Tensor &outside = values[operand];
        if (!outside.shape.empty())
          return bodyOp->emitError("reference evaluator: a linalg body may only "
                                   "capture scalars");
        slot[operand] = scalars.size();
        scalars.push_back(readElement(outside, 0));
      }
  for (Value operand : yield.getOperands())
    if (!slot.count(operand)) {
      slot[operand] = scalars.size();
      scalars.push_back(readElement(values[operand], 0));
    }
  // Constants in the body: evaluate once.
  for (Operation *bodyOp : program)
    if (auto constant = dyn_cast<arith::ConstantOp>(bodyOp)) {
      Scalar s;
      if (auto number = dyn_cast<FloatAttr>(constant.getValue()))
        s.f = number.getValue().convertToFloat();
      else if (auto number = dyn_cast<IntegerAttr>(constant.getValue()))
        s.i = number.getValue().getSExtValue();
      else
        return constant.emitError("reference evaluator: unsupported constant");
      scalars[slot[constant.getResult()]] = s;
    }

  std::vector<std::vector<int64_t>> strides;
  for (OpOperand *operand : operands) {
    unsigned number = operand->getOperandNumber();
    const Tensor &tensor = number < numInputs ? values[operand->get()]
                                              : outputs[number - numInputs];
    strides.push_back(stridesOf(tensor.shape));
  }
  int64_t total = 1;
  for (int64_t range : ranges)
    total *= range;
  std::vector<int64_t> point(numLoops, 0);
  SmallVector<Scalar> in;
  for (int64_t n = 0; n < total; ++n) {
    // Load the operands at this point.
    SmallVector<int64_t> positions;
    for (auto [index, map] : llvm::enumerate(maps)) {
      SmallVector<int64_t> coordinates = map.compose(point);
      int64_t at = 0;
      for (auto [c, stride] : llvm::zip(coordinates, strides[index]))
        at += c * stride;
      positions.push_back(at);
      const Tensor &tensor = index < numInputs ? values[operands[index]->get()]
                                               : outputs[index - numInputs];
      scalars[slot[body->getArgument(index)]] =
          tensor.shape.empty() ? readElement(tensor, 0) : readElement(tensor, at);
    }
    for (Operation *bodyOp : program) {
      if (isa<arith::ConstantOp>(bodyOp))
        continue;
      in.clear();
      for (Value operand : bodyOp->getOperands())
        in.push_back(scalars[slot[operand]]);
      Scalar result;
      if (failed(evaluateScalar(bodyOp, in, result, point)))
        return failure();
      scalars[slot[bodyOp->getResult(0)]] = result;
    }
    for (auto [k, value] : llvm::enumerate(yield.getOperands()))
      writeElement(outputs[k], positions[numInputs + k], scalars[slot[value]]);
    for (int64_t d = numLoops - 1; d >= 0; --d) {
      if (++point[d] < ranges[d])
        break;
      point[d] = 0;
    }
  }
  for (auto [result, output] : llvm::zip(op->getResults(), outputs))
    values[result] = std::move(output);
  return success();
}

} // namespace quweit::reference
