//===- EmitLutKernels.cpp - specialised LUT kernels as LLVM dialect code --===//
//
// Defines the kernel declarations that quweit-specialise-lut-kernels made
// (after func-to-llvm: two memref descriptors, `in` and `out`): per group of
// 16 LUTs a loop over the word rows calling the group's straight-line
// function. Built directly as LLVM dialect ops at the end of the pipeline,
// so that no other MLIR pass sees the ~30 operations per LUT.
//
// With `ternlog`, a table of fan-in n becomes 2^(n-3) cofactors over its
// lowest three inputs, one AVX-512 `vpternlog` each with the cofactor's
// truth table as immediate, and a mux tree over the higher inputs (one
// `vpternlog` per mux): 15 instructions for a random 6-input table, where
// the Shannon expansion into and/or/xor left ~23 after LLVM's own fusion.
//
//===----------------------------------------------------------------------===//

#include "WordLogic.h"

#include "quweit/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include <map>

namespace quweit {
#define GEN_PASS_DEF_EMITLUTKERNELS
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;
using namespace quweit;
using namespace quweit::lowering;

namespace {

/// LUTs per straight-line function: each input word is loaded once per
/// function, and the block stays small enough for LLVM's instruction
/// selection and schedulers (superlinear in the block size: 128 LUTs per
/// block made P1 take minutes to compile).
constexpr int64_t kLutsPerLoop = 16;

/// Values in a memref descriptor of rank 2 after func-to-llvm: allocated and
/// aligned pointer, offset, 2 sizes, 2 strides.
constexpr unsigned kDescriptorValues = 7;

/// The Boolean function of one truth table on words (`table[a]` for addresses
/// a over `inputs`, least significant input first), memoised on the
/// sub-table so that equal cofactors are built once.
class TableLogic {
public:
  TableLogic(ImplicitLocOpBuilder &b, Type compute, StringRef ternlog,
             Value zeros, Value ones, ArrayRef<Value> inputs,
             llvm::DenseMap<unsigned, Value> &immediates)
      : b(b), compute(compute), ternlogName(ternlog), zeros(zeros), ones(ones),
        inputs(inputs), immediates(immediates) {}

  Value build(ArrayRef<uint8_t> table) {
    if (isConstant(table, 0))
      return zeros;
    if (isConstant(table, 1))
      return ones;
    std::string key(table.begin(), table.end());
    auto known = memo.find(key);
    if (known != memo.end())
      return known->second;
    Value result = ternlogName.empty() ? shannon(table) : ternary(table);
    memo.emplace(std::move(key), result);
    return result;
  }

private:
  static bool isConstant(ArrayRef<uint8_t> table, uint8_t value) {
    return llvm::all_of(table, [&](uint8_t bit) { return bit == value; });
  }

  /// Tables over the lowest three inputs are one ternary gate; above, a mux
  /// on the highest input between the two cofactors.
  Value ternary(ArrayRef<uint8_t> table) {
    if (table.size() <= 8) {
      // Operand A is the most significant address bit (vpternlog indexes
      // its immediate with A * 4 + B * 2 + C). Inputs a table of fewer than
      // three entries' bits does not have are don't-cares: repeating the
      // table makes the immediate independent of them.
      unsigned imm = 0;
      for (unsigned address = 0; address < 8; ++address)
        imm |= unsigned(table[address % table.size()]) << address;
      Value c = inputs[0];
      Value bIn = table.size() >= 4 ? inputs[1] : c;
      Value a = table.size() >= 8 ? inputs[2] : c;
      return gate(imm, a, bIn, c);
    }
    size_t half = table.size() / 2;
    ArrayRef<uint8_t> lo = table.take_front(half), hi = table.drop_front(half);
    if (lo == hi)
      return build(lo);
    Value x = inputs[llvm::Log2_64(table.size()) - 1];
    // x ? hi : lo.
    return gate(0xCA, x, build(hi), build(lo));
  }

  /// One vpternlog computing imm[A * 4 + B * 2 + C] bit by bit, with
  /// constant operands folded into the immediate first, so that constant
  /// cofactors cost nothing and results that are an operand are that
  /// operand.
  Value gate(unsigned imm, Value a, Value bVal, Value c) {
    Value operands[3] = {a, bVal, c};
    Value variable;
    for (Value operand : operands)
      if (operand != zeros && operand != ones)
        variable = operand;
    for (unsigned k = 0; k < 3; ++k) {
      if (operands[k] != zeros && operands[k] != ones)
        continue;
      unsigned bit = 2 - k, fixed = operands[k] == ones ? 1 : 0, folded = 0;
      for (unsigned address = 0; address < 8; ++address) {
        unsigned from = (address & ~(1u << bit)) | (fixed << bit);
        folded |= ((imm >> from) & 1) << address;
      }
      imm = folded;
      // The function no longer depends on this operand: any value will do.
      operands[k] = variable ? variable : zeros;
    }
    if (imm == 0x00)
      return zeros;
    if (imm == 0xFF)
      return ones;
    if (imm == 0xF0)
      return operands[0];
    if (imm == 0xCC)
      return operands[1];
    if (imm == 0xAA)
      return operands[2];
    Value &immediate = immediates[imm];
    if (!immediate) {
      // Constants live in the entry block, which dominates every use.
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(zeros.getParentBlock());
      immediate = LLVM::ConstantOp::create(b, b.getI32Type(), int64_t(imm));
    }
    return LLVM::CallIntrinsicOp::create(
               b, compute, b.getStringAttr(ternlogName),
               ValueRange{operands[0], operands[1], operands[2], immediate})
        .getResult(0);
  }

  /// Shannon expansion on the highest input into and/or/xor, with
  /// constant and literal cofactors simplified.
  Value shannon(ArrayRef<uint8_t> table) {
    size_t half = table.size() / 2;
    ArrayRef<uint8_t> lo = table.take_front(half), hi = table.drop_front(half);
    Value x = inputs[llvm::Log2_64(table.size()) - 1];
    if (lo == hi)
      return build(lo);
    if (isConstant(lo, 0) && isConstant(hi, 1))
      return x;
    if (isConstant(lo, 1) && isConstant(hi, 0))
      return invert(x);
    if (isConstant(lo, 0))
      return LLVM::AndOp::create(b, build(hi), x);
    if (isConstant(hi, 0))
      return LLVM::AndOp::create(b, build(lo), invert(x));
    if (isConstant(lo, 1))
      return LLVM::OrOp::create(b, build(hi), invert(x));
    if (isConstant(hi, 1))
      return LLVM::OrOp::create(b, build(lo), x);
    if (llvm::all_of(llvm::zip(lo, hi), [](auto pair) {
          return std::get<0>(pair) != std::get<1>(pair);
        }))
      return LLVM::XOrOp::create(b, build(lo), x);
    // lo ^ ((lo ^ hi) & x): a bit-select.
    Value low = build(lo);
    Value diff = LLVM::XOrOp::create(b, low, build(hi));
    return LLVM::XOrOp::create(b, low, LLVM::AndOp::create(b, diff, x));
  }

  Value invert(Value x) { return LLVM::XOrOp::create(b, x, ones); }

  ImplicitLocOpBuilder &b;
  Type compute;
  StringRef ternlogName;
  Value zeros, ones;
  ArrayRef<Value> inputs;
  llvm::DenseMap<unsigned, Value> &immediates;
  std::map<std::string, Value> memo;
};

/// The `quweit.lut_kernel` dictionary of a declaration, checked.
struct KernelSpec {
  SpecialisedLayer layer;
  IntegerType word;
  int64_t inputRowStride = 0, outputRowStride = 0;
};

FailureOr<KernelSpec> readKernelSpec(LLVM::LLVMFuncOp func) {
  auto spec = func->getAttrOfType<DictionaryAttr>(kLutKernelAttrName);
  auto wordAttr = spec ? spec.getAs<TypeAttr>("word_type") : TypeAttr();
  auto numInputs = spec ? spec.getAs<IntegerAttr>("num_inputs") : IntegerAttr();
  auto inStride = spec ? spec.getAs<IntegerAttr>("input_row_stride") : IntegerAttr();
  auto outStride = spec ? spec.getAs<IntegerAttr>("output_row_stride") : IntegerAttr();
  if (!wordAttr || !numInputs || !inStride || !outStride)
    return func.emitError() << "'" << kLutKernelAttrName
                            << "' needs 'word_type', 'num_inputs', "
                               "'input_row_stride' and 'output_row_stride'";
  KernelSpec kernel;
  kernel.word = dyn_cast<IntegerType>(wordAttr.getValue());
  unsigned bits = kernel.word ? kernel.word.getWidth() : 0;
  if (!llvm::isPowerOf2_32(bits) || bits < 8 || bits > 512)
    return func.emitError("word_type must be i8, i16, i32, i64, i128, i256 or i512");
  kernel.inputRowStride = inStride.getInt();
  kernel.outputRowStride = outStride.getInt();
  FailureOr<SpecialisedLayer> layer = readSpecialisedLayer(
      func, spec, kLutKernelAttrName, numInputs.getInt(), /*numLuts=*/-1);
  if (failed(layer))
    return failure();
  kernel.layer = std::move(*layer);
  if (numInputs.getInt() > kernel.inputRowStride ||
      kernel.layer.numLuts > kernel.outputRowStride)
    return func.emitError("row strides smaller than the rows");
  // Words per row are GEP indices (i32).
  if (kernel.inputRowStride > INT32_MAX || kernel.outputRowStride > INT32_MAX)
    return func.emitError("row strides above 2^31 words");
  return kernel;
}

LogicalResult checkSignature(LLVM::LLVMFuncOp func) {
  LLVM::LLVMFunctionType type = func.getFunctionType();
  bool matches = type.getNumParams() == 2 * kDescriptorValues &&
                 isa<LLVM::LLVMVoidType>(type.getReturnType());
  for (unsigned i = 0; matches && i < type.getNumParams(); ++i) {
    Type param = type.getParamType(i);
    matches = i % kDescriptorValues < 2 ? isa<LLVM::LLVMPointerType>(param)
                                        : param.isInteger(64);
  }
  if (!matches)
    return func.emitError("a LUT kernel takes two rank-2 memref descriptors "
                          "(ptr, ptr, 5 x i64 each) and returns nothing");
  if (!func.getBody().empty())
    return func.emitError("a LUT kernel must be a declaration");
  return success();
}

/// The intrinsic for words of `bits` bits, or "" for the Boolean form.
StringRef ternlogIntrinsic(unsigned bits) {
  switch (bits) {
  case 128:
    return "llvm.x86.avx512.pternlog.q.128";
  case 256:
    return "llvm.x86.avx512.pternlog.q.256";
  case 512:
    return "llvm.x86.avx512.pternlog.q.512";
  default:
    return "";
  }
}

/// Straight-line code of the LUTs [first, last) for one row of words:
/// `in` and `out` point at the row's first words.
void emitGroup(ImplicitLocOpBuilder &b, LLVM::LLVMFuncOp group,
               const KernelSpec &spec, Type compute, StringRef intrinsic,
               int64_t first, int64_t last) {
  const SpecialisedLayer &layer = spec.layer;
  unsigned bits = spec.word.getWidth();
  unsigned alignment = std::min(bits / 8, 8u);
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Block *entry = group.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  auto constant = [&](int64_t value) -> Value {
    if (auto vector = dyn_cast<VectorType>(compute))
      return LLVM::ConstantOp::create(
          b, compute, DenseElementsAttr::get(vector, APInt(64, value, true)));
    return LLVM::ConstantOp::create(b, compute, b.getIntegerAttr(compute, value));
  };
  Value zeros = constant(0), ones = constant(-1);
  Value in = group.getArgument(0), out = group.getArgument(1);
  llvm::DenseMap<int64_t, Value> inputWords;
  auto inputWord = [&](int64_t column) {
    Value &slot = inputWords[column];
    if (!slot) {
      Value address = LLVM::GEPOp::create(b, ptr, spec.word, in,
                                          ArrayRef<LLVM::GEPArg>{int32_t(column)});
      slot = LLVM::LoadOp::create(b, compute, address, alignment);
    }
    return slot;
  };
  llvm::DenseMap<unsigned, Value> immediates;
  ArrayRef<uint8_t> tables(layer.tables);
  int64_t tableSize = int64_t(1) << layer.fanIn;
  for (int64_t j = first; j < last; ++j) {
    SmallVector<Value> x;
    for (int64_t slot = 0; slot < layer.fanIn; ++slot)
      x.push_back(inputWord(layer.mapping[j * layer.fanIn + slot]));
    Value value = TableLogic(b, compute, intrinsic, zeros, ones, x, immediates)
                      .build(tables.slice(j * tableSize, tableSize));
    Value address = LLVM::GEPOp::create(b, ptr, spec.word, out,
                                        ArrayRef<LLVM::GEPArg>{int32_t(j - first)});
    LLVM::StoreOp::create(b, value, address, alignment);
  }
  LLVM::ReturnOp::create(b, ValueRange{});
}

/// Marks the kernel's functions for quweit-compile, which keeps LLVM's
/// middle end off them (they are final already, and its passes took ~14 s
/// on P1's 8192 LUTs) but lets the code generator optimise them.
void markKernelFunction(LLVM::LLVMFuncOp func) {
  func.setLinkage(LLVM::Linkage::Internal);
  func.setPassthroughAttr(
      ArrayAttr::get(func.getContext(), {StringAttr::get(func.getContext(),
                                                         kLutKernelFunctionAttr)}));
}

/// The kernel: per group of kLutsPerLoop LUTs, a loop over the word rows
/// that calls the group's straight-line function (through a switch on the
/// group in one loop nest). Group-major order keeps a
/// group's code (~2.5 KB) in the instruction cache for all rows: row-major
/// order streamed P1's 1.2 MB of code once per row and ran at half the
/// speed. Functions without loops keep the loop passes of LLVM (strength
/// reduction above all) from seeing hundreds of address computations per
/// loop; a call per 16 LUTs (~250 vector instructions) costs little.
void emitKernel(LLVM::LLVMFuncOp func, const KernelSpec &spec, bool ternlog) {
  MLIRContext *context = func.getContext();
  OpBuilder builder(context);
  ImplicitLocOpBuilder b(func.getLoc(), builder);
  const SpecialisedLayer &layer = spec.layer;
  unsigned bits = spec.word.getWidth();
  // Words above 64 bits are computed as vectors of i64 (one SIMD register).
  Type compute = bits > 64 ? Type(VectorType::get({bits / 64}, b.getI64Type()))
                           : Type(spec.word);
  StringRef intrinsic = ternlog ? ternlogIntrinsic(bits) : "";
  auto ptr = LLVM::LLVMPointerType::get(context);
  Type i64 = b.getI64Type();

  // The group functions, after the kernel.
  SmallVector<LLVM::LLVMFuncOp> groups;
  auto groupType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                               {ptr, ptr});
  b.setInsertionPointAfter(func);
  for (int64_t first = 0; first < layer.numLuts; first += kLutsPerLoop) {
    auto group = LLVM::LLVMFuncOp::create(
        b, (func.getSymName() + "_luts" + Twine(first)).str(), groupType);
    markKernelFunction(group);
    group.setNoInline(true);
    OpBuilder::InsertionGuard guard(b);
    emitGroup(b, group, spec, compute, intrinsic, first,
              std::min(layer.numLuts, first + kLutsPerLoop));
    groups.push_back(group);
  }

  Block *entry = func.addEntryBlock(builder);
  b.setInsertionPointToStart(entry);
  Value zero = LLVM::ConstantOp::create(b, i64, int64_t(0));
  Value one = LLVM::ConstantOp::create(b, i64, int64_t(1));
  Value inStride = LLVM::ConstantOp::create(b, i64, spec.inputRowStride);
  Value outStride = LLVM::ConstantOp::create(b, i64, spec.outputRowStride);
  // Descriptor values: [1] aligned pointer, [2] offset, [3] rows.
  auto base = [&](unsigned descriptor) -> Value {
    unsigned first = descriptor * kDescriptorValues;
    return LLVM::GEPOp::create(b, ptr, spec.word, func.getArgument(first + 1),
                               ArrayRef<LLVM::GEPArg>{func.getArgument(first + 2)});
  };
  Value inBase = base(0), outBase = base(1);
  Value rows = func.getArgument(kDescriptorValues + 3);
  // for group: for row: switch (group) { case k: call group k }. One loop
  // nest: LLVM's code generator has per-loop costs that grow with the
  // number of loops in a function (a loop per group took 10 s on P1).
  Region &region = func.getBody();
  auto block = [&](TypeRange args) {
    SmallVector<Location> locs(args.size(), b.getLoc());
    return b.createBlock(&region, region.end(), args, locs);
  };
  Block *outer = block({i64}), *inner = block({i64}), *dispatch = block({});
  Block *latch = block({}), *next = block({}), *exit = block({});
  LLVM::ReturnOp::create(b, ValueRange{});
  b.setInsertionPointToEnd(entry);
  LLVM::BrOp::create(b, ValueRange{zero}, outer);

  b.setInsertionPointToEnd(outer);
  Value group = outer->getArgument(0);
  Value numGroups = LLVM::ConstantOp::create(b, i64, int64_t(groups.size()));
  LLVM::CondBrOp::create(
      b, LLVM::ICmpOp::create(b, LLVM::ICmpPredicate::slt, group, numGroups),
      inner, ValueRange{zero}, exit, ValueRange{});

  b.setInsertionPointToEnd(inner);
  Value row = inner->getArgument(0);
  LLVM::CondBrOp::create(
      b, LLVM::ICmpOp::create(b, LLVM::ICmpPredicate::slt, row, rows), dispatch,
      next);

  b.setInsertionPointToEnd(dispatch);
  Value inRow = LLVM::GEPOp::create(
      b, ptr, spec.word, inBase,
      ArrayRef<LLVM::GEPArg>{Value(LLVM::MulOp::create(b, row, inStride))});
  Value outRow = LLVM::GEPOp::create(
      b, ptr, spec.word, outBase,
      ArrayRef<LLVM::GEPArg>{Value(LLVM::MulOp::create(b, row, outStride))});
  Value perGroup = LLVM::ConstantOp::create(b, i64, kLutsPerLoop);
  Value outGroup = LLVM::GEPOp::create(
      b, ptr, spec.word, outRow,
      ArrayRef<LLVM::GEPArg>{Value(LLVM::MulOp::create(b, group, perGroup))});
  SmallVector<APInt> cases;
  SmallVector<Block *> callers;
  for (auto [index, function] : llvm::enumerate(groups)) {
    cases.push_back(APInt(64, index));
    callers.push_back(block({}));
    LLVM::CallOp::create(b, function, ValueRange{inRow, outGroup});
    LLVM::BrOp::create(b, ValueRange{}, latch);
  }
  b.setInsertionPointToEnd(dispatch);
  SmallVector<ValueRange> noOperands(callers.size(), ValueRange{});
  LLVM::SwitchOp::create(b, group, latch, ValueRange{}, ArrayRef<APInt>(cases),
                         BlockRange(callers), noOperands);

  b.setInsertionPointToEnd(latch);
  LLVM::BrOp::create(b, ValueRange{Value(LLVM::AddOp::create(b, row, one))},
                     inner);
  b.setInsertionPointToEnd(next);
  LLVM::BrOp::create(b, ValueRange{Value(LLVM::AddOp::create(b, group, one))},
                     outer);
  func->removeAttr(kLutKernelAttrName);
  markKernelFunction(func);
}

struct EmitLutKernelsPass
    : quweit::impl::EmitLutKernelsBase<EmitLutKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<LLVM::LLVMFuncOp> kernels;
    getOperation()->walk([&](LLVM::LLVMFuncOp func) {
      if (func->hasAttr(kLutKernelAttrName))
        kernels.push_back(func);
    });
    for (LLVM::LLVMFuncOp func : kernels) {
      if (failed(checkSignature(func)))
        return signalPassFailure();
      FailureOr<KernelSpec> spec = readKernelSpec(func);
      if (failed(spec))
        return signalPassFailure();
      emitKernel(func, *spec, ternlog);
    }
  }
};

} // namespace
