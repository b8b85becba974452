//===- Compile.cpp - compile a QuWeiT model to a native object ------------===//

#include "quweit/Target/CPU/Compile.h"
#include "quweit/Conversion/QuWeiTToLinalg/QuWeiTToLinalg.h"
#include "quweit/Pipelines/Pipelines.h"
#include "ConstantGlobals.h"
#include "ScratchAllocator.h"
#include "quweit/Support/InputLimits.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/JSON.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Pass.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace quweit {
namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// One argument or result of a public function, as the C ABI sees it.
struct Port {
  std::string name;
  RankedTensorType type;
  bool isResult;
};

struct Entry {
  std::string name;
  std::vector<Port> ports; // arguments first, then results
  /// Why the batch cannot be split over threads ("" if it can).
  std::string notSplittable;
  /// Largest batch whose buffers (ports and the function's intermediate
  /// tensors) all stay within quweit::kMaxStaticBytes: beyond it, sizes and
  /// strides computed from the batch could overflow int64, so the entry
  /// point refuses it before touching memory.
  int64_t maxBatch;
};

/// CPU features an object may need, how to test them with cpuid, and the
/// XCR0 state bits the OS must enable for them.
struct CpuFeature {
  const char *llvmName;
  unsigned leaf, subleaf;
  unsigned reg; // 0 eax, 1 ebx, 2 ecx, 3 edx
  unsigned bit;
  unsigned xcr0Mask;
};
constexpr CpuFeature kCpuFeatures[] = {
    {"popcnt", 1, 0, 2, 23, 0},       {"sse4.2", 1, 0, 2, 20, 0},
    {"avx", 1, 0, 2, 28, 0x6},        {"fma", 1, 0, 2, 12, 0x6},
    {"avx2", 7, 0, 1, 5, 0x6},        {"bmi2", 7, 0, 1, 8, 0},
    {"avx512f", 7, 0, 1, 16, 0xe6},   {"avx512dq", 7, 0, 1, 17, 0xe6},
    {"avx512bw", 7, 0, 1, 30, 0xe6},  {"avx512vl", 7, 0, 1, 31, 0xe6},
    {"avx512vbmi", 7, 0, 2, 1, 0xe6}, {"avx512bitalg", 7, 0, 2, 12, 0xe6},
    {"avx512fp16", 7, 0, 3, 23, 0xe6}, {"amx-tile", 7, 0, 3, 24, 0x60000},
};

const char *cType(Type type) {
  if (type.isF32()) return "float";
  if (type.isF64()) return "double";
  if (type.isInteger(1)) return "uint8_t";
  if (type.isInteger(8)) return "int8_t";
  if (type.isInteger(16)) return "int16_t";
  if (type.isInteger(32)) return "int32_t";
  // Words wider than 64 bits (bit-sliced SIMD words) are passed as W/64
  // consecutive int64_t, least significant first.
  if (type.isInteger(64) || type.isInteger(128) || type.isInteger(256) ||
      type.isInteger(512))
    return "int64_t";
  return nullptr;
}

/// int64_t values per element: W/64 for the wide word types, else 1.
int64_t valuesPerElement(Type type) {
  unsigned width = type.getIntOrFloatBitWidth();
  return type.isInteger() && width > 64 ? width / 64 : 1;
}

/// The port's shape as the C and numpy view sees it (wide words become
/// W/64 int64 values along the last dimension).
SmallVector<int64_t> viewShape(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  if (!shape.empty() && !ShapedType::isDynamic(shape.back()))
    shape.back() *= valuesPerElement(type.getElementType());
  return shape;
}

/// Bytes per unit of batch of a tensor whose first dimension is dynamic (the
/// other dimensions, zero and dynamic ones counted as 1: an upper bound of
/// the strides), or 0 for other types.
int64_t bytesPerBatchRow(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() == 0 || !tensor.isDynamicDim(0) ||
      !tensor.getElementType().isIntOrIndexOrFloat())
    return 0;
  Type element = tensor.getElementType();
  unsigned bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
  int64_t bytes = std::max<int64_t>(1, (bits + 7) / 8);
  for (int64_t dim : tensor.getShape().drop_front())
    if (!ShapedType::isDynamic(dim) &&
        (llvm::MulOverflow(bytes, std::max<int64_t>(dim, 1), bytes) ||
         bytes > kMaxStaticBytes))
      return kMaxStaticBytes; // checkShapeSizes refuses such types anyway
  return bytes;
}

/// See Entry::maxBatch.
int64_t maxBatchOf(func::FuncOp func) {
  int64_t widest = 1;
  auto visit = [&](Type type) {
    widest = std::max(widest, bytesPerBatchRow(type));
  };
  for (Type type : func.getFunctionType().getInputs())
    visit(type);
  for (Type type : func.getFunctionType().getResults())
    visit(type);
  func.walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      visit(type);
  });
  return kMaxStaticBytes / widest;
}

/// Records the public functions' signatures before lowering and checks that
/// the C ABI can express them.
llvm::Expected<std::vector<Entry>> collectEntries(ModuleOp module) {
  std::vector<Entry> entries;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    Entry entry{func.getSymName().str(), {}, {}, 0};
    auto addPort = [&](Type type, std::string name, bool isResult) -> llvm::Error {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !cType(tensor.getElementType()))
        return error("function '" + entry.name + "': " + name +
                     " must be a ranked tensor of f32, f64, i1, i8, i16, "
                     "i32, i64 or i128/i256/i512 words to be compiled");
      for (int64_t dim = 1; dim < tensor.getRank(); ++dim)
        if (tensor.isDynamicDim(dim))
          return error("function '" + entry.name + "': " + name +
                       " has a dynamic dimension other than the first; only "
                       "the batch (dimension 0) may be dynamic");
      entry.ports.push_back({std::move(name), tensor, isResult});
      return llvm::Error::success();
    };
    for (auto [index, type] : llvm::enumerate(func.getArgumentTypes()))
      if (llvm::Error err = addPort(type, "arg" + std::to_string(index), false))
        return std::move(err);
    for (auto [index, type] : llvm::enumerate(func.getResultTypes()))
      if (llvm::Error err = addPort(type, "result" + std::to_string(index), true))
        return std::move(err);
    for (const Port &port : entry.ports)
      if (port.type.getRank() == 0 || !port.type.isDynamicDim(0))
        entry.notSplittable = port.name + " has no dynamic batch dimension";
    entry.maxBatch = maxBatchOf(func);
    func.walk([&](Operation *op) {
      // quweit ops (and the constants and shape queries lowering adds) work
      // row by row; anything else, attention above all, may mix rows.
      if (!entry.notSplittable.empty() || op == func.getOperation() ||
          op->getDialect()->getNamespace() == "quweit" ||
          isa<func::ReturnOp>(op) || op->getName().getStringRef() == "arith.constant")
        return;
      entry.notSplittable = "'" + op->getName().getStringRef().str() +
                            "' may mix rows of the batch";
    });
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
    return error("no public function to compile");
  return entries;
}

std::string describe(RankedTensorType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

const char *numpyType(Type type) {
  if (type.isF32()) return "float32";
  if (type.isF64()) return "float64";
  if (type.isInteger(1)) return "bool";
  if (type.isInteger(8)) return "int8";
  if (type.isInteger(16)) return "int16";
  if (type.isInteger(32)) return "int32";
  return "int64";
}

std::string signatureJson(const std::vector<Entry> &entries,
                          const CompileOptions &options) {
  llvm::json::Array functions;
  for (const Entry &entry : entries) {
    llvm::json::Array ports;
    for (const Port &port : entry.ports) {
      llvm::json::Array shape;
      for (int64_t dim : viewShape(port.type))
        shape.push_back(ShapedType::isDynamic(dim) ? int64_t(-1) : dim);
      ports.push_back(llvm::json::Object{
          {"name", port.name},
          {"role", port.isResult ? "result" : "argument"},
          {"dtype", numpyType(port.type.getElementType())},
          {"shape", std::move(shape)},
          {"mlir_type", describe(port.type)}});
    }
    functions.push_back(llvm::json::Object{
        {"name", entry.name},
        {"symbol", options.symbolPrefix + entry.name},
        {"ports", std::move(ports)}});
  }
  llvm::json::Object root{{"format", "quweit-signature-1"},
                          {"source", options.sourceName},
                          {"cpu", options.cpu},
                          {"layout", options.layout},
                          {"threads", int64_t(options.threads)},
                          {"parallel", options.parallel},
                          {"matmul", options.matmul},
                          {"functions", std::move(functions)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return text;
}

std::string headerText(const std::vector<Entry> &entries,
                       const CompileOptions &options) {
  std::string guard = "QUWEIT_" + llvm::StringRef(options.symbolPrefix).upper() + "H";
  for (char &c : guard)
    if (!llvm::isAlnum(c))
      c = '_';
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "/* Generated by quweit-compile from " << options.sourceName
     << ". Do not edit.\n"
     << " * ABI: docs/abi.md. Every buffer is dense, row-major and owned by the\n"
     << " * caller; every dynamic dimension is the batch. Functions are\n"
     << " * reentrant: concurrent calls on distinct buffers are safe."
     << (options.matmul == "blas"
             ? "\n * Compiled with --matmul=blas: link with a CBLAS library that "
               "provides\n * cblas_sgemm (LP64), e.g. -lopenblas."
             : "")
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const Entry &entry : entries) {
    os << "/* " << entry.name << " (target CPU " << options.cpu << ", layout "
       << options.layout << ")\n";
    for (const Port &port : entry.ports) {
      os << " *   " << port.name << ": " << cType(port.type.getElementType());
      for (int64_t dim : viewShape(port.type))
        os << "[" << (ShapedType::isDynamic(dim) ? std::string("batch")
                                                 : std::to_string(dim))
           << "]";
      os << "  (" << describe(port.type) << ")"
         << (port.isResult ? ", written by the call" : "") << "\n";
    }
    os << " * Returns 0; 1 if batch is negative, larger than " << entry.maxBatch
       << "\n * (buffers past 2^48 bytes) or differs from a static batch size;\n"
       << " * 2 if this CPU lacks features the object was compiled for\n"
       << " * (nothing is written then). Threads per call: " << options.threads
       << (options.parallel == "openmp" && options.threads > 1
               ? " (OpenMP: link with -lomp)" : "")
       << ". */\n";
    os << "int32_t " << options.symbolPrefix << entry.name << "(int64_t batch";
    for (const Port &port : entry.ports)
      os << ", " << (port.isResult ? "" : "const ")
         << cType(port.type.getElementType()) << " *" << port.name;
    os << ");\n\n";
  }
  os << "/* Calls keep their largest freed temporaries (at most 64 blocks of 64 KiB or more) for\n"
     << " * the next call, so that large batches do not fault in fresh pages on\n"
     << " * every call. This frees them; calls made afterwards still work. */\n"
     << "void " << options.symbolPrefix << "release_scratch(void);\n\n";
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return out;
}

/// Number of scalar values the lowered function takes for the entry's ports
/// (allocated, aligned, offset, sizes, strides per memref).
size_t descriptorValues(const Entry &entry) {
  size_t count = 0;
  for (const Port &port : entry.ports)
    count += 3 + 2 * port.type.getRank();
  return count;
}

/// Bytes of one batch row of a port (i1 is stored as one byte).
int64_t rowBytes(const Port &port) {
  int64_t bytes = std::max<int64_t>(1, port.type.getElementTypeBitWidth() / 8);
  for (int64_t dim = 1; dim < port.type.getRank(); ++dim)
    bytes *= port.type.getDimSize(dim);
  return bytes;
}

/// Calls the lowered function on rows [begin, begin + count) of every port.
void emitImplCall(llvm::IRBuilder<> &b, llvm::Function *impl, const Entry &entry,
                  ArrayRef<llvm::Value *> data, llvm::Value *begin,
                  llvm::Value *count) {
  SmallVector<llvm::Value *> args;
  for (auto [port, base] : llvm::zip(entry.ports, data)) {
    llvm::Value *offset = b.CreateMul(begin, b.getInt64(rowBytes(port)));
    llvm::Value *pointer = b.CreateGEP(b.getInt8Ty(), base, offset);
    SmallVector<llvm::Value *> sizes;
    for (int64_t dim : port.type.getShape())
      sizes.push_back(ShapedType::isDynamic(dim) ? count : b.getInt64(dim));
    // Descriptor: allocated, aligned, offset, sizes..., strides... (row-major).
    args.append({pointer, pointer, b.getInt64(0)});
    args.append(sizes.begin(), sizes.end());
    SmallVector<llvm::Value *> strides(sizes.size());
    llvm::Value *stride = b.getInt64(1);
    for (int64_t dim = sizes.size() - 1; dim >= 0; --dim) {
      strides[dim] = stride;
      stride = b.CreateMul(stride, sizes[dim]);
    }
    args.append(strides.begin(), strides.end());
  }
  b.CreateCall(impl, args);
}

/// Splits the batch into `threads` chunks (multiples of `granule` rows, the
/// samples of one bit-sliced word, so that no word is shared or padded twice); chunk 0 runs on the caller's thread, the
/// others on pthreads. A thread that cannot be created runs inline.
void emitThreadedCalls(llvm::IRBuilder<> &b, llvm::Module &module,
                       llvm::Function *impl, const Entry &entry,
                       ArrayRef<llvm::Value *> data, llvm::Value *batch,
                       unsigned threads, int64_t granule) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i64 = b.getInt64Ty();
  llvm::Type *ptr = b.getPtrTy();
  llvm::Function *wrapper = b.GetInsertBlock()->getParent();
  // Closure: {begin, count, port pointers...}.
  SmallVector<llvm::Type *> fields = {i64, i64};
  fields.append(entry.ports.size(), ptr);
  auto *closureType = llvm::StructType::get(context, fields);

  // The thread body: unpack the closure and call the lowered function.
  auto *thunk = llvm::Function::Create(
      llvm::FunctionType::get(ptr, {ptr}, false),
      llvm::GlobalValue::InternalLinkage,
      "__quweit_thread_" + entry.name, module);
  {
    llvm::IRBuilder<> tb(llvm::BasicBlock::Create(context, "entry", thunk));
    llvm::Value *closure = thunk->getArg(0);
    auto load = [&](unsigned field, llvm::Type *type) {
      return tb.CreateLoad(type, tb.CreateStructGEP(closureType, closure, field));
    };
    llvm::Value *begin = load(0, i64), *count = load(1, i64);
    SmallVector<llvm::Value *> ports;
    for (size_t i = 0; i < entry.ports.size(); ++i)
      ports.push_back(load(2 + i, ptr));
    emitImplCall(tb, impl, entry, ports, begin, count);
    tb.CreateRet(llvm::ConstantPointerNull::get(b.getPtrTy()));
  }

  llvm::FunctionCallee create = module.getOrInsertFunction(
      "pthread_create", llvm::FunctionType::get(b.getInt32Ty(), {ptr, ptr, ptr, ptr}, false));
  llvm::FunctionCallee join = module.getOrInsertFunction(
      "pthread_join", llvm::FunctionType::get(b.getInt32Ty(), {i64, ptr}, false));

  // chunk = ceil(ceil(batch / threads) / granule) * granule
  llvm::Value *perThread = b.CreateUDiv(b.CreateAdd(batch, b.getInt64(threads - 1)),
                                        b.getInt64(threads));
  llvm::Value *chunk = b.CreateMul(
      b.CreateUDiv(b.CreateAdd(perThread, b.getInt64(granule - 1)),
                   b.getInt64(granule)),
      b.getInt64(granule));
  auto *closures = b.CreateAlloca(closureType, b.getInt32(threads));
  auto *tids = b.CreateAlloca(i64, b.getInt32(threads));
  auto *started = b.CreateAlloca(b.getInt1Ty(), b.getInt32(threads));
  auto clampedBegin = [&](unsigned t) {
    return b.CreateSelect(b.CreateICmpULT(b.CreateMul(chunk, b.getInt64(t)), batch),
                          b.CreateMul(chunk, b.getInt64(t)), batch);
  };
  auto countOf = [&](llvm::Value *begin) {
    llvm::Value *rest = b.CreateSub(batch, begin);
    return b.CreateSelect(b.CreateICmpULT(rest, chunk), rest, chunk);
  };
  for (unsigned t = 1; t < threads; ++t) {
    llvm::Value *begin = clampedBegin(t);
    llvm::Value *count = countOf(begin);
    llvm::Value *closure = b.CreateGEP(closureType, closures, b.getInt32(t));
    b.CreateStore(begin, b.CreateStructGEP(closureType, closure, 0));
    b.CreateStore(count, b.CreateStructGEP(closureType, closure, 1));
    for (size_t i = 0; i < data.size(); ++i)
      b.CreateStore(data[i], b.CreateStructGEP(closureType, closure, 2 + i));
    llvm::Value *flag = b.CreateGEP(b.getInt1Ty(), started, b.getInt32(t));
    b.CreateStore(b.getFalse(), flag);
    auto *spawn = llvm::BasicBlock::Create(context, "spawn", wrapper);
    auto *inline_ = llvm::BasicBlock::Create(context, "inline", wrapper);
    auto *next = llvm::BasicBlock::Create(context, "next", wrapper);
    b.CreateCondBr(b.CreateICmpUGT(count, b.getInt64(0)), spawn, next);
    b.SetInsertPoint(spawn);
    llvm::Value *status = b.CreateCall(
        create, {b.CreateGEP(i64, tids, b.getInt32(t)),
                 llvm::ConstantPointerNull::get(b.getPtrTy()), thunk, closure});
    llvm::Value *ok = b.CreateICmpEQ(status, b.getInt32(0));
    b.CreateStore(ok, flag);
    b.CreateCondBr(ok, next, inline_);
    b.SetInsertPoint(inline_);
    b.CreateCall(thunk, {closure});
    b.CreateBr(next);
    b.SetInsertPoint(next);
  }
  emitImplCall(b, impl, entry, data, b.getInt64(0), countOf(b.getInt64(0)));
  for (unsigned t = 1; t < threads; ++t) {
    auto *joinBlock = llvm::BasicBlock::Create(context, "join", wrapper);
    auto *next = llvm::BasicBlock::Create(context, "joined", wrapper);
    llvm::Value *flag = b.CreateLoad(b.getInt1Ty(), b.CreateGEP(b.getInt1Ty(), started, b.getInt32(t)));
    b.CreateCondBr(flag, joinBlock, next);
    b.SetInsertPoint(joinBlock);
    b.CreateCall(join, {b.CreateLoad(i64, b.CreateGEP(i64, tids, b.getInt32(t))),
                        llvm::ConstantPointerNull::get(b.getPtrTy())});
    b.CreateBr(next);
    b.SetInsertPoint(next);
  }
}

/// If the object needs CPU features beyond the x86-64 baseline, checks them
/// with cpuid (and the OS's XCR0 state for AVX/AVX-512) and returns 2 with a
/// message on stderr instead of executing an illegal instruction. A passed
/// check is remembered in a module-wide flag: cpuid traps to the hypervisor
/// in a virtual machine (~70 us per call measured here, 8% of a batch-1
/// ViT call). The flag is only ever set to 1 after a full check, with
/// monotonic atomics, so racing callers at worst check twice.
llvm::Error emitCpuCheck(llvm::IRBuilder<> &b, llvm::Function *wrapper,
                         ArrayRef<const CpuFeature *> features,
                         const CompileOptions &options) {
  if (features.empty())
    return llvm::Error::success();
  llvm::Module &module = *wrapper->getParent();
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i32 = b.getInt32Ty();
  auto *cpuidResult = llvm::StructType::get(context, {i32, i32, i32, i32});
  auto *cpuid = llvm::InlineAsm::get(
      llvm::FunctionType::get(cpuidResult, {i32, i32}, false), "cpuid",
      "={ax},={bx},={cx},={dx},{ax},{cx},~{dirflag},~{fpsr},~{flags}",
      /*hasSideEffects=*/true);
  auto *xgetbv = llvm::InlineAsm::get(
      llvm::FunctionType::get(llvm::StructType::get(context, {i32, i32}), {i32}, false),
      "xgetbv", "={ax},={dx},{cx},~{dirflag},~{fpsr},~{flags}", true);
  auto *fail = llvm::BasicBlock::Create(context, "cpu_unsupported", wrapper);
  auto *cont = llvm::BasicBlock::Create(context, "cpu_ok", wrapper);
  auto *check = llvm::BasicBlock::Create(context, "cpu_check", wrapper);
  llvm::GlobalVariable *checked = module.getNamedGlobal("__quweit_cpu_checked");
  if (!checked)
    checked = new llvm::GlobalVariable(
        module, b.getInt8Ty(), /*isConstant=*/false,
        llvm::GlobalValue::InternalLinkage, b.getInt8(0), "__quweit_cpu_checked");
  llvm::LoadInst *known = b.CreateLoad(b.getInt8Ty(), checked);
  known->setAtomic(llvm::AtomicOrdering::Monotonic);
  known->setAlignment(llvm::Align(1));
  b.CreateCondBr(b.CreateICmpEQ(known, b.getInt8(1)), cont, check);
  b.SetInsertPoint(check);
  auto *pass = llvm::BasicBlock::Create(context, "cpu_pass", wrapper);
  llvm::Value *ok = b.getTrue();
  unsigned xcr0Needed = 0;
  std::string names;
  for (const CpuFeature *feature : features) {
    llvm::Value *regs = b.CreateCall(cpuid, {b.getInt32(feature->leaf), b.getInt32(feature->subleaf)});
    llvm::Value *reg = b.CreateExtractValue(regs, feature->reg);
    llvm::Value *bit = b.CreateAnd(b.CreateLShr(reg, feature->bit), b.getInt32(1));
    ok = b.CreateAnd(ok, b.CreateICmpEQ(bit, b.getInt32(1)));
    xcr0Needed |= feature->xcr0Mask;
    names += std::string(names.empty() ? "" : " ") + feature->llvmName;
  }

  if (xcr0Needed) {
    // OSXSAVE (cpuid 1, ecx bit 27) must be set before xgetbv may run.
    llvm::Value *regs = b.CreateCall(cpuid, {b.getInt32(1), b.getInt32(0)});
    llvm::Value *osxsave = b.CreateAnd(b.CreateLShr(b.CreateExtractValue(regs, 2), 27), b.getInt32(1));
    auto *xcr = llvm::BasicBlock::Create(context, "check_xcr0", wrapper);
    b.CreateCondBr(b.CreateAnd(ok, b.CreateICmpEQ(osxsave, b.getInt32(1))), xcr, fail);
    b.SetInsertPoint(xcr);
    llvm::Value *low = b.CreateExtractValue(b.CreateCall(xgetbv, {b.getInt32(0)}), 0);
    llvm::Value *enabled = b.CreateICmpEQ(b.CreateAnd(low, b.getInt32(xcr0Needed)), b.getInt32(xcr0Needed));
    b.CreateCondBr(enabled, pass, fail);
  } else {
    b.CreateCondBr(ok, pass, fail);
  }
  b.SetInsertPoint(pass);
  llvm::StoreInst *remember = b.CreateStore(b.getInt8(1), checked);
  remember->setAtomic(llvm::AtomicOrdering::Monotonic);
  remember->setAlignment(llvm::Align(1));
  b.CreateBr(cont);
  b.SetInsertPoint(fail);
  std::string message = "quweit: " + options.symbolPrefix + wrapper->getName().drop_front(options.symbolPrefix.size()).str() +
                        ": this CPU lacks features the model was compiled for (--mcpu=" +
                        options.cpu + "; needs " + names + "); recompile with --mcpu=generic or native\n";
  llvm::FunctionCallee write = module.getOrInsertFunction(
      "write", llvm::FunctionType::get(b.getInt64Ty(), {i32, b.getPtrTy(), b.getInt64Ty()}, false));
  llvm::Value *text = b.CreateGlobalString(message, "__quweit_cpu_message");
  b.CreateCall(write, {b.getInt32(2), text, b.getInt64(message.size())});
  b.CreateRet(b.getInt32(2));
  b.SetInsertPoint(cont);
  return llvm::Error::success();
}

/// Adds `int32_t <prefix><name>(int64_t batch, T *ports...)`, which builds the
/// memref descriptors of the lowered function and calls it.
llvm::Error addEntryWrapper(llvm::Module &module, const Entry &entry,
                            ArrayRef<const CpuFeature *> features,
                            const CompileOptions &options, int64_t rowGranule) {
  llvm::Function *impl = module.getFunction(entry.name);
  if (!impl)
    return error("lowered function '" + entry.name + "' not found");
  // The lowered body is private: only the C entry point is exported.
  impl->setName("__quweit_impl_" + entry.name);
  impl->setLinkage(llvm::GlobalValue::InternalLinkage);

  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *i32 = llvm::Type::getInt32Ty(context);
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  SmallVector<llvm::Type *> params = {i64};
  params.append(entry.ports.size(), ptr);
  auto *wrapper = llvm::Function::Create(
      llvm::FunctionType::get(i32, params, false),
      llvm::GlobalValue::ExternalLinkage, options.symbolPrefix + entry.name,
      module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", wrapper));
  llvm::Value *batch = wrapper->getArg(0);
  batch->setName("batch");

  // Refuse a negative batch, one whose buffers would pass 2^48 bytes (their
  // size arithmetic could overflow), or one that contradicts a static batch
  // size. Unsigned, the first two are one comparison.
  llvm::Value *bad = b.CreateICmpUGT(batch, b.getInt64(entry.maxBatch));
  for (const Port &port : entry.ports)
    if (port.type.getRank() > 0 && !port.type.isDynamicDim(0))
      bad = b.CreateOr(bad, b.CreateICmpNE(batch, b.getInt64(port.type.getDimSize(0))));
  auto *fail = llvm::BasicBlock::Create(context, "fail", wrapper);
  auto *run = llvm::BasicBlock::Create(context, "run", wrapper);
  b.CreateCondBr(bad, fail, run);
  b.SetInsertPoint(fail);
  b.CreateRet(b.getInt32(1));
  b.SetInsertPoint(run);

  if (llvm::Error err = emitCpuCheck(b, wrapper, features, options))
    return err;

  SmallVector<llvm::Value *> data;
  for (auto [index, port] : llvm::enumerate(entry.ports)) {
    data.push_back(wrapper->getArg(index + 1));
    data.back()->setName(port.name);
  }
  if (impl->arg_size() != descriptorValues(entry))
    return error("lowered function '" + entry.name + "' takes " +
                 llvm::Twine(impl->arg_size()) + " values, expected " +
                 llvm::Twine(descriptorValues(entry)));
  if (options.threads <= 1 || options.parallel != "batch") {
    emitImplCall(b, impl, entry, data, b.getInt64(0), batch);
    b.CreateRet(b.getInt32(0));
    return llvm::Error::success();
  }
  emitThreadedCalls(b, module, impl, entry, data, batch, options.threads,
                    std::max<int64_t>(64, rowGranule));
  b.CreateRet(b.getInt32(0));
  return llvm::Error::success();
}

/// A timer for one phase of compileModel under options.timing (a no-op
/// scope when timing is off).
TimingScope phase(const CompileOptions &options, StringRef name) {
  return options.timing ? options.timing->nest(name) : TimingScope();
}

/// Moves the specialised LUT kernels (straight-line code in the final form,
/// ~25 instructions per LUT) out of `module` into a module of their own,
/// leaving declarations for their callers, so that LLVM's middle end does not
/// spend its time on them (~14 s, more than the code generator, for P1's
/// 8192 LUTs; marking them optnone still left seconds of per-function and
/// call-graph work). Returns null when there are none. Linked back
/// (IRMover moves the bodies, it does not copy them) before code generation.
std::unique_ptr<llvm::Module> splitLutKernels(llvm::Module &module) {
  SmallVector<llvm::Function *> kernels;
  for (llvm::Function &function : module)
    if (function.hasFnAttribute(kLutKernelFunctionAttr) && !function.isDeclaration())
      kernels.push_back(&function);
  if (kernels.empty())
    return nullptr;
  auto kernelModule =
      std::make_unique<llvm::Module>("quweit-lut-kernels", module.getContext());
  llvm::SmallPtrSet<llvm::Function *, 32> moved(kernels.begin(), kernels.end());
  for (llvm::Function *function : kernels) {
    // Callers outside the kernels call a declaration of the same name (the
    // kernel leaves the module's symbol table first, so the name is free).
    function->removeFromParent();
    auto *declaration = llvm::Function::Create(
        function->getFunctionType(), llvm::GlobalValue::ExternalLinkage,
        function->getName(), module);
    function->replaceUsesWithIf(declaration, [&](llvm::Use &use) -> bool {
      auto *user = dyn_cast<llvm::Instruction>(use.getUser());
      return !user || !moved.contains(user->getFunction());
    });
    function->setLinkage(llvm::GlobalValue::ExternalLinkage);
    kernelModule->getFunctionList().push_back(function);
  }
  // Callees the kernels share with the rest (intrinsics) are declared anew.
  for (llvm::Function *function : kernels)
    for (llvm::Instruction &instruction : llvm::instructions(*function))
      if (auto *call = dyn_cast<llvm::CallBase>(&instruction))
        if (llvm::Function *callee = call->getCalledFunction();
            callee && !moved.contains(callee))
          call->setCalledFunction(kernelModule->getOrInsertFunction(
              callee->getName(), callee->getFunctionType(),
              callee->getAttributes()));
  return kernelModule;
}

} // namespace

llvm::Expected<CompiledModel> compileModel(ModuleOp module,
                                           const CompileOptions &options) {
  if (options.optLevel > 3)
    return error("optimisation level must be 0..3, got " +
                 llvm::Twine(options.optLevel));
  ToLLVMOptions pipelineOptions;
  pipelineOptions.layout = options.layout;
  pipelineOptions.lutCodegen = options.lutCodegen;
  pipelineOptions.specialiseMaxLuts = options.specialiseMaxLuts;
  pipelineOptions.genericAlloc = true;
  pipelineOptions.wordBits = options.wordBits == 0 ? 64 : options.wordBits;
  pipelineOptions.matmul = options.matmul;
  if (std::string problem = validate(pipelineOptions); !problem.empty())
    return error(problem);
  if (options.threads < 1 || options.threads > 256)
    return error("--num-threads must be in [1, 256], got " + llvm::Twine(options.threads));

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // The CPU feature check is inline asm (cpuid), which needs the parser.
  llvm::InitializeNativeTargetAsmParser();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string lookupError;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return error("no target for " + triple.str() + ": " + lookupError);
  std::string cpu = options.cpu, features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    SmallVector<std::string> list;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      list.push_back((feature.second ? "+" : "-") + feature.first().str());
    features = llvm::join(list, ",");
  }
  llvm::CodeGenOptLevel level[] = {llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
                                   llvm::CodeGenOptLevel::Default,
                                   llvm::CodeGenOptLevel::Aggressive};
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, level[options.optLevel]));
  if (!machine)
    return error("cannot create a target machine for " + triple.str());
  if (!machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return error("unknown target CPU '" + options.cpu +
                 "' (try native, generic, x86-64, x86-64-v2, x86-64-v3, "
                 "x86-64-v4, or an LLVM CPU name such as znver4)");

  // The widest SIMD register: a bit-sliced word is one register of samples,
  // and a vectorised matmul keeps rows of two registers of f32 per block.
  const llvm::MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
  unsigned simdBits = !triple.isX86()                        ? 128
                      : subtarget->checkFeatures("+avx512f") ? 512
                      : subtarget->checkFeatures("+avx2")    ? 256
                                                             : 128;
  if (options.wordBits == 0)
    pipelineOptions.wordBits = triple.isX86() ? simdBits : 64;
  // Specialised LUT tables become vpternlog immediates where the word is an
  // AVX-512 register (AVX-512VL for the 128- and 256-bit forms).
  unsigned words = pipelineOptions.wordBits;
  pipelineOptions.ternlog =
      simdBits == 512 &&
      (words == 512 ||
       ((words == 128 || words == 256) && subtarget->checkFeatures("+avx512vl")));
  pipelineOptions.matmulTileN = 2 * simdBits / 32;
  // Instructions the LUT kernels may use beyond portable vector operations.
  if (triple.isX86() && subtarget->checkFeatures("+avx512vbmi"))
    pipelineOptions.targetFeatures = "+avx512vbmi";

  llvm::Expected<std::vector<Entry>> entries = collectEntries(module);
  if (!entries)
    return entries.takeError();
  if (options.parallel != "batch" && options.parallel != "openmp")
    return error("unknown parallel mode '" + options.parallel +
                 "' (use batch or openmp)");
  bool batchThreads = options.parallel == "batch" && options.threads > 1;
  if (options.parallel == "openmp")
    pipelineOptions.threads = options.threads;
  if (batchThreads)
    for (const Entry &entry : *entries)
      if (!entry.notSplittable.empty())
        return error("cannot split '" + entry.name + "' over " +
                     llvm::Twine(options.threads) + " threads: " +
                     entry.notSplittable + " (use --num-threads=1)");

  PassManager pm(module->getContext());
  if (failed(buildToLLVMPipeline(pm, pipelineOptions)))
    return error("cannot build the quweit-to-llvm pipeline");
  TimingScope passesTimer = phase(options, "MLIR passes (quweit-to-llvm)");
  if (options.timing)
    pm.enableTiming(passesTimer);
  if (failed(pm.run(module)))
    return error("lowering to the LLVM dialect failed (see the diagnostics above)");
  passesTimer.stop();

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  auto llvmContext = std::make_unique<llvm::LLVMContext>();
  TimingScope translateTimer = phase(options, "translation to LLVM IR");
  std::vector<DetachedConstant> constants =
      detachLargeConstants(module, triple.isLittleEndian());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, *llvmContext, options.sourceName);
  if (!llvmModule)
    return error("translation to LLVM IR failed");
  translateTimer.stop();
  TimingScope wrapperTimer = phase(options, "entry points and LLVM IR verifier");
  // Features beyond the x86-64 baseline that the object may use.
  SmallVector<const CpuFeature *> needed;
  if (triple.isX86())
    for (const CpuFeature &feature : kCpuFeatures)
      if (machine->getMCSubtargetInfo()->checkFeatures(std::string("+") + feature.llvmName))
        needed.push_back(&feature);
  for (const Entry &entry : *entries)
    if (llvm::Error err = addEntryWrapper(*llvmModule, entry, needed, options,
                                          pipelineOptions.wordBits))
      return std::move(err);
  addScratchAllocator(*llvmModule, options.symbolPrefix);
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  if (std::string problem = attachLargeConstants(*llvmModule, constants);
      !problem.empty())
    return error("internal error: " + problem);
  if (llvm::verifyModule(*llvmModule, &llvm::errs()))
    return error("internal error: the generated LLVM IR does not verify");
  wrapperTimer.stop();

  // Optimise with the standard -O pipeline; specialised LUT kernels are
  // final code and skip it (splitLutKernels).
  std::unique_ptr<llvm::Module> kernelModule = splitLutKernels(*llvmModule);
  {
    TimingScope optTimer = phase(options, "LLVM optimisation");
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    // With --time-passes, LLVM's pass timers (TimePassesIsEnabled) also
    // cover the new pass manager's optimisation pipeline.
    llvm::PassInstrumentationCallbacks callbacks;
    std::optional<llvm::StandardInstrumentations> instrumentations;
    if (options.timing) {
      instrumentations.emplace(*llvmContext, /*DebugLogging=*/false);
      instrumentations->registerCallbacks(callbacks, &mam);
    }
    llvm::PassBuilder builder(machine.get(), llvm::PipelineTuningOptions(),
                              std::nullopt,
                              options.timing ? &callbacks : nullptr);
    builder.registerModuleAnalyses(mam);
    builder.registerCGSCCAnalyses(cgam);
    builder.registerFunctionAnalyses(fam);
    builder.registerLoopAnalyses(lam);
    builder.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel levels[] = {
        llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1,
        llvm::OptimizationLevel::O2, llvm::OptimizationLevel::O3};
    llvm::ModulePassManager mpm =
        options.optLevel == 0
            ? builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0)
            : builder.buildPerModuleDefaultPipeline(levels[options.optLevel]);
    mpm.run(*llvmModule, mam);
  }
  if (kernelModule) {
    kernelModule->setDataLayout(llvmModule->getDataLayout());
    kernelModule->setTargetTriple(triple);
    if (llvm::Linker::linkModules(*llvmModule, std::move(kernelModule)))
      return error("internal error: cannot link the specialised LUT kernels");
    for (llvm::Function &function : *llvmModule)
      if (function.hasFnAttribute(kLutKernelFunctionAttr) && !function.isDeclaration())
        function.setLinkage(llvm::GlobalValue::InternalLinkage);
  }

  CompiledModel result;
  if (options.keepLLVMIR) {
    TimingScope printTimer = phase(options, "printing LLVM IR (--emit-llvm)");
    llvm::raw_string_ostream irStream(result.llvmIR);
    llvmModule->print(irStream, nullptr);
  }
  TimingScope codegenTimer = phase(options, "code generation (object)");
  {
    // Written straight into the result (no second copy of an object that
    // holds the model's tables).
    llvm::raw_svector_ostream objectStream(result.object);
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, objectStream, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return error("the target cannot emit object files");
    codegen.run(*llvmModule);
  }
  codegenTimer.stop();
  {
    TimingScope freeTimer = phase(options, "freeing LLVM IR");
    llvmModule.reset();
    llvmContext.reset();
  }
  result.header = headerText(*entries, options);
  result.signature = signatureJson(*entries, options);
  return result;
}

} // namespace quweit
