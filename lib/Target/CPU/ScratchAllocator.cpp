//===- ScratchAllocator.cpp - temporaries kept across calls ---------------===//
//
// The lowered code allocates its temporaries (bit-sliced words, counts,
// attention activations) on every call and frees them before returning. With
// glibc, blocks above the mmap threshold (128 KiB to 32 MiB, adapting) are
// mapped and unmapped each time, and freed heap tops are trimmed, so every
// call touches fresh zero pages: on the benchmark machine the page faults took
// 85-90% of a batch-1024 LUT FFN call (docs/performance.md, P2).
//
// The object therefore routes the lowered code's allocations
// (finalize-memref-to-llvm's generic allocation functions) through a small
// cache of freed blocks: a free parks a block of at least 4 KiB in one of 256
// slots, an allocation of at least 4 KiB takes the smallest parked block that
// is large enough. Small blocks are cached too: a batch-1 transformer call
// allocates dozens of 4-64 KiB temporaries, and when they are all freed at
// the top of glibc's heap, the heap is trimmed (brk) and the next call faults
// them in again (a third of a batch-1 QuWeiT-ViT call, docs/performance.md).
// Smaller blocks come from glibc's bins. Slots are
// taken and filled with atomic exchange/compare-exchange, so concurrent calls
// (and the batch threads of one call) are safe without locks. A block's
// capacity is stored in a 16-byte header in front of it; the per-slot
// capacities only guide the choice and are checked against the header once
// the block is owned. At most 256 blocks stay allocated between calls;
// `<prefix>release_scratch()` frees them (docs/abi.md).
//
//===----------------------------------------------------------------------===//

#include "ScratchAllocator.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace {

constexpr unsigned kSlots = 256;
/// Blocks below a page come from glibc's bins and do not move the heap top
/// much; caching them would only take slots from the larger ones.
constexpr uint64_t kMinCachedBytes = 4096;
constexpr uint64_t kHeaderBytes = 16;

struct Runtime {
  Module &module;
  LLVMContext &context;
  Type *ptr, *i64, *i32;
  FunctionCallee malloc, free;
  GlobalVariable *slots, *capacities;

  explicit Runtime(Module &module)
      : module(module), context(module.getContext()),
        ptr(PointerType::getUnqual(context)), i64(Type::getInt64Ty(context)),
        i32(Type::getInt32Ty(context)) {
    malloc = module.getOrInsertFunction("malloc", FunctionType::get(ptr, {i64}, false));
    free = module.getOrInsertFunction("free",
                                      FunctionType::get(Type::getVoidTy(context), {ptr}, false));
    auto *slotsType = ArrayType::get(ptr, kSlots);
    slots = new GlobalVariable(module, slotsType, false, GlobalValue::InternalLinkage,
                               Constant::getNullValue(slotsType), "__quweit_scratch_slots");
    auto *capacitiesType = ArrayType::get(i64, kSlots);
    capacities = new GlobalVariable(module, capacitiesType, false,
                                    GlobalValue::InternalLinkage,
                                    Constant::getNullValue(capacitiesType),
                                    "__quweit_scratch_capacities");
  }

  Value *slotAddress(IRBuilder<> &b, GlobalVariable *array, Value *index) {
    return b.CreateInBoundsGEP(array->getValueType(), array, {b.getInt64(0), index});
  }

  /// Turns a declaration (or a new function) into a definition with internal
  /// linkage and returns it with an IRBuilder at its entry.
  Function *define(StringRef name, FunctionType *type, GlobalValue::LinkageTypes linkage) {
    Function *function = module.getFunction(name);
    if (!function)
      function = Function::Create(type, linkage, name, module);
    function->setLinkage(linkage);
    function->addFnAttr(Attribute::NoUnwind);
    return function;
  }

  /// Parks the block `block` (header included) in a free slot, or frees it.
  void emitPark(IRBuilder<> &b, Function *function, Value *block) {
    BasicBlock *loop = BasicBlock::Create(context, "park.loop", function);
    BasicBlock *next = BasicBlock::Create(context, "park.next", function);
    BasicBlock *parked = BasicBlock::Create(context, "park.done", function);
    BasicBlock *full = BasicBlock::Create(context, "park.full", function);
    Value *capacity = b.CreateLoad(i64, block);
    BasicBlock *entry = b.GetInsertBlock();
    b.CreateCondBr(b.CreateICmpULT(capacity, b.getInt64(kMinCachedBytes)), full, loop);
    b.SetInsertPoint(loop);
    PHINode *index = b.CreatePHI(i64, 2);
    index->addIncoming(b.getInt64(0), entry);
    // Only a slot seen empty is worth a compare-exchange.
    BasicBlock *tryPark = BasicBlock::Create(context, "park.try", function);
    auto *current = b.CreateAlignedLoad(ptr, slotAddress(b, slots, index), MaybeAlign(8));
    current->setAtomic(AtomicOrdering::Monotonic);
    b.CreateCondBr(b.CreateIsNull(current), tryPark, next);
    b.SetInsertPoint(tryPark);
    auto *exchange = b.CreateAtomicCmpXchg(
        slotAddress(b, slots, index), Constant::getNullValue(ptr), block, MaybeAlign(8),
        AtomicOrdering::AcquireRelease, AtomicOrdering::Monotonic);
    b.CreateCondBr(b.CreateExtractValue(exchange, 1), parked, next);
    b.SetInsertPoint(next);
    Value *following = b.CreateAdd(index, b.getInt64(1));
    index->addIncoming(following, next);
    b.CreateCondBr(b.CreateICmpULT(following, b.getInt64(kSlots)), loop, full);
    b.SetInsertPoint(parked);
    b.CreateAlignedStore(capacity, slotAddress(b, capacities, index), MaybeAlign(8))
        ->setAtomic(AtomicOrdering::Monotonic);
    b.CreateRetVoid();
    b.SetInsertPoint(full);
    b.CreateCall(free, {block});
    b.CreateRetVoid();
  }

  /// void free(void *p): parks the block, or frees it if every slot is taken.
  void defineFree(Function *function, Function *park) {
    IRBuilder<> b(BasicBlock::Create(context, "entry", function));
    Value *user = function->getArg(0);
    BasicBlock *nonNull = BasicBlock::Create(context, "nonnull", function);
    BasicBlock *done = BasicBlock::Create(context, "done", function);
    b.CreateCondBr(b.CreateIsNull(user), done, nonNull);
    b.SetInsertPoint(nonNull);
    b.CreateCall(park, {b.CreateGEP(b.getInt8Ty(), user, b.getInt64(-int64_t(kHeaderBytes)))});
    b.CreateBr(done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
  }

  /// void *alloc(size_t size): the smallest parked block that fits, else
  /// malloc.
  void defineAlloc(Function *function, Function *park) {
    IRBuilder<> b(BasicBlock::Create(context, "entry", function));
    Value *size = function->getArg(0);
    BasicBlock *entry = b.GetInsertBlock();
    BasicBlock *scan = BasicBlock::Create(context, "scan", function);
    BasicBlock *scanned = BasicBlock::Create(context, "scanned", function);
    BasicBlock *take = BasicBlock::Create(context, "take", function);
    BasicBlock *taken = BasicBlock::Create(context, "taken", function);
    BasicBlock *fits = BasicBlock::Create(context, "fits", function);
    BasicBlock *tooSmall = BasicBlock::Create(context, "toosmall", function);
    BasicBlock *fresh = BasicBlock::Create(context, "fresh", function);
    BasicBlock *allocated = BasicBlock::Create(context, "allocated", function);
    BasicBlock *failed = BasicBlock::Create(context, "failed", function);
    b.CreateCondBr(b.CreateICmpULT(size, b.getInt64(kMinCachedBytes)), fresh, scan);

    // Best fit by the capacity hints.
    b.SetInsertPoint(scan);
    PHINode *index = b.CreatePHI(i64, 2);
    PHINode *best = b.CreatePHI(i64, 2);
    PHINode *bestCapacity = b.CreatePHI(i64, 2);
    index->addIncoming(b.getInt64(0), entry);
    best->addIncoming(b.getInt64(kSlots), entry);
    bestCapacity->addIncoming(b.getInt64(-1), entry);
    auto *hint = b.CreateAlignedLoad(i64, slotAddress(b, capacities, index), MaybeAlign(8));
    hint->setAtomic(AtomicOrdering::Monotonic);
    Value *better = b.CreateAnd(b.CreateICmpUGE(hint, size),
                                b.CreateICmpULT(hint, bestCapacity));
    Value *newBest = b.CreateSelect(better, index, best);
    Value *newBestCapacity = b.CreateSelect(better, hint, bestCapacity);
    Value *following = b.CreateAdd(index, b.getInt64(1));
    index->addIncoming(following, scan);
    best->addIncoming(newBest, scan);
    bestCapacity->addIncoming(newBestCapacity, scan);
    b.CreateCondBr(b.CreateICmpULT(following, b.getInt64(kSlots)), scan, scanned);

    b.SetInsertPoint(scanned);
    b.CreateCondBr(b.CreateICmpULT(newBest, b.getInt64(kSlots)), take, fresh);

    b.SetInsertPoint(take);
    Value *block = b.CreateAtomicRMW(AtomicRMWInst::Xchg, slotAddress(b, slots, newBest),
                                     Constant::getNullValue(ptr), MaybeAlign(8),
                                     AtomicOrdering::AcquireRelease);
    b.CreateCondBr(b.CreateIsNull(block), fresh, taken);

    // The block is ours: its header has its real capacity.
    b.SetInsertPoint(taken);
    Value *capacity = b.CreateLoad(i64, block);
    b.CreateCondBr(b.CreateICmpUGE(capacity, size), fits, tooSmall);
    b.SetInsertPoint(fits);
    b.CreateAlignedStore(b.getInt64(0), slotAddress(b, capacities, newBest), MaybeAlign(8))
        ->setAtomic(AtomicOrdering::Monotonic);
    b.CreateRet(b.CreateGEP(b.getInt8Ty(), block, b.getInt64(kHeaderBytes)));
    b.SetInsertPoint(tooSmall);
    b.CreateCall(park, {block});
    b.CreateBr(fresh);

    b.SetInsertPoint(fresh);
    Value *raw = b.CreateCall(malloc, {b.CreateAdd(size, b.getInt64(kHeaderBytes))});
    b.CreateCondBr(b.CreateIsNull(raw), failed, allocated);
    b.SetInsertPoint(failed);
    b.CreateRet(Constant::getNullValue(ptr));
    b.SetInsertPoint(allocated);
    b.CreateStore(size, raw);
    b.CreateRet(b.CreateGEP(b.getInt8Ty(), raw, b.getInt64(kHeaderBytes)));
  }

  /// void <prefix>release_scratch(void): frees every parked block.
  void defineRelease(Function *function) {
    IRBuilder<> b(BasicBlock::Create(context, "entry", function));
    BasicBlock *entry = b.GetInsertBlock();
    BasicBlock *loop = BasicBlock::Create(context, "loop", function);
    BasicBlock *release = BasicBlock::Create(context, "release", function);
    BasicBlock *next = BasicBlock::Create(context, "next", function);
    BasicBlock *done = BasicBlock::Create(context, "done", function);
    b.CreateBr(loop);
    b.SetInsertPoint(loop);
    PHINode *index = b.CreatePHI(i64, 2);
    index->addIncoming(b.getInt64(0), entry);
    Value *block = b.CreateAtomicRMW(AtomicRMWInst::Xchg, slotAddress(b, slots, index),
                                     Constant::getNullValue(ptr), MaybeAlign(8),
                                     AtomicOrdering::AcquireRelease);
    b.CreateCondBr(b.CreateIsNull(block), next, release);
    b.SetInsertPoint(release);
    b.CreateCall(free, {block});
    b.CreateBr(next);
    b.SetInsertPoint(next);
    Value *following = b.CreateAdd(index, b.getInt64(1));
    index->addIncoming(following, next);
    b.CreateCondBr(b.CreateICmpULT(following, b.getInt64(kSlots)), loop, done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
  }
};

} // namespace

void quweit::addScratchAllocator(Module &module, StringRef symbolPrefix) {
  Runtime runtime(module);
  LLVMContext &context = module.getContext();
  Type *voidType = Type::getVoidTy(context);
  auto internal = GlobalValue::InternalLinkage;
  Function *park = runtime.define("__quweit_scratch_park",
                                  FunctionType::get(voidType, {runtime.ptr}, false),
                                  internal);
  {
    IRBuilder<> b(BasicBlock::Create(context, "entry", park));
    runtime.emitPark(b, park, park->getArg(0));
  }
  runtime.defineFree(runtime.define(kScratchFreeName,
                                    FunctionType::get(voidType, {runtime.ptr}, false),
                                    internal),
                     park);
  runtime.defineAlloc(runtime.define(kScratchAllocName,
                                     FunctionType::get(runtime.ptr, {runtime.i64}, false),
                                     internal),
                      park);
  runtime.defineRelease(runtime.define((symbolPrefix + "release_scratch").str(),
                                       FunctionType::get(voidType, {}, false),
                                       GlobalValue::ExternalLinkage));
}
