//===- VectorizeContractions.cpp - register-tiled FMA kernels for matmuls -===//
//
// convert-linalg-to-loops turns a matmul into i/j/k loops whose innermost
// loop is a scalar reduction LLVM may not vectorise (reassociating float adds
// is not allowed) and whose accumulator round-trips through memory: ~2.4
// GFLOP/s on an AVX-512 core. This pass gives every f32 contraction on
// buffers (linalg.matmul, batch_matmul, and contraction-shaped generics) the
// classic register-tiled form instead: an m x n block of the result is kept
// in vector registers while k runs, and each k step is m broadcasts of A and
// m FMAs with one row of B.
//
//===----------------------------------------------------------------------===//

#include "quweit/Conversion/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace quweit {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "quweit/Conversion/Passes.h.inc"
} // namespace quweit

using namespace mlir;

namespace {

/// Marks the register-sized tiles until they are vectorised, and the
/// reduction loops around them until the result block is hoisted.
constexpr llvm::StringLiteral kTileMark = "quweit.contraction_tile";
constexpr llvm::StringLiteral kReductionLoopMark = "quweit.contraction_k_loop";
constexpr llvm::StringLiteral kOuterLoopMark = "quweit.contraction_outer_loop";

/// The tiling of one contraction: tile size and loop order per loop.
struct TilePlan {
  SmallVector<int64_t> sizes;
  SmallVector<int64_t> interchange;
  /// The number of reduction loops (the innermost ones).
  size_t reductions = 0;
};

/// An f32 contraction on buffers whose result's innermost dimension is a
/// dimension of one input only (an "m" or "n" dimension): then a row of
/// that input and a row of the C block are contiguous vectors, and the
/// other input is broadcast. The block's other dimension (its rows) is a
/// result dimension of the other input.
std::optional<TilePlan> planTiles(linalg::LinalgOp op, int64_t tileM,
                                  int64_t tileN) {
  if (!op.hasPureBufferSemantics() || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands())
    if (!getElementTypeOrSelf(operand.get().getType()).isF32())
      return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0)
    return std::nullopt;
  auto innermost = dyn_cast<AffineDimExpr>(outMap.getResults().back());
  if (!innermost)
    return std::nullopt;
  unsigned nDim = innermost.getPosition();
  // (A generic may list its inputs in either order.)
  ArrayRef<unsigned> rowDims;
  if (llvm::is_contained(dims->n, nDim))
    rowDims = dims->m;
  else if (llvm::is_contained(dims->m, nDim))
    rowDims = dims->n;
  else
    return std::nullopt;
  // The row dimension nearest the result's innermost one.
  unsigned mDim = rowDims.back();
  for (AffineExpr expr : outMap.getResults())
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      if (llvm::is_contained(rowDims, dim.getPosition()))
        mDim = dim.getPosition();

  // A narrower n block when most of the last block would be left over
  // (attention's 50 x 50 scores: 16 leaves 2 columns, 32 leaves 18).
  int64_t n = op.getStaticLoopRanges()[nDim];
  while (!ShapedType::isDynamic(n) && tileN > 8 && (n % tileN) * 4 > n)
    tileN /= 2;

  TilePlan plan;
  plan.sizes.assign(op.getNumLoops(), 1);
  plan.sizes[mDim] = tileM;
  plan.sizes[nDim] = tileN;
  // Loop order: the other parallel loops, then m, n, and the reductions
  // innermost, so that the C block is invariant in the innermost loops and
  // can live in registers.
  for (unsigned dim = 0; dim < op.getNumLoops(); ++dim)
    if (dim != mDim && dim != nDim && !llvm::is_contained(dims->k, dim))
      plan.interchange.push_back(dim);
  plan.interchange.push_back(mDim);
  plan.interchange.push_back(nDim);
  plan.interchange.append(dims->k.begin(), dims->k.end());
  plan.reductions = dims->k.size();
  return plan;
}

/// Keeps the result block in registers across a reduction loop: every
/// vector.transfer_read / transfer_write pair of the loop's body on the same
/// loop-invariant buffer and indices (a row of the C block) becomes a loop-
/// carried value, read before the loop and written after it. Only the
/// reduction loops this pass created are given, whose body reads A and B
/// and reads and writes C; a linalg contraction's output never aliases its
/// inputs, and nothing else in the body touches C, so this is exact.
LogicalResult hoistResultBlock(RewriterBase &rewriter, scf::ForOp loop) {
  SmallVector<vector::TransferReadOp> reads;
  SmallVector<vector::TransferWriteOp> writes;
  for (auto write : loop.getBody()->getOps<vector::TransferWriteOp>()) {
    if (!llvm::all_of(write->getOperands().drop_front(), [&](Value operand) {
          return loop.isDefinedOutsideOfLoop(operand);
        }))
      continue;
    vector::TransferReadOp match;
    for (auto read : loop.getBody()->getOps<vector::TransferReadOp>())
      if (read.getBase() == write.getBase() &&
          read.getIndices() == write.getIndices() &&
          read.getVectorType() == write.getVectorType() &&
          read.getPermutationMap() == write.getPermutationMap() &&
          read->isBeforeInBlock(write) &&
          llvm::all_of(read->getOperands(), [&](Value operand) {
            return loop.isDefinedOutsideOfLoop(operand);
          }))
        match = read;
    if (!match)
      continue;
    reads.push_back(match);
    writes.push_back(write);
  }
  if (reads.empty())
    return success();
  // Any other access to these buffers in the body would be reordered.
  for (auto write : writes)
    for (Operation *user : write.getBase().getUsers())
      if (loop->isAncestor(user) && !llvm::is_contained(reads, user) &&
          !llvm::is_contained(writes, user))
        return success();
  SmallVector<Value> inits;
  SmallVector<Value> yields;
  for (auto [read, write] : llvm::zip(reads, writes)) {
    rewriter.moveOpBefore(read, loop);
    inits.push_back(read.getResult());
    yields.push_back(write.getVector());
  }
  FailureOr<LoopLikeOpInterface> hoisted = loop.replaceWithAdditionalYields(
      rewriter, inits, /*replaceInitOperandUsesInLoop=*/true,
      [&](OpBuilder &, Location, ArrayRef<BlockArgument>) { return yields; });
  if (failed(hoisted))
    return failure();
  Operation *newLoop = hoisted->getOperation();
  unsigned first = newLoop->getNumResults() - writes.size();
  for (unsigned i = writes.size(); i-- > 0;) {
    vector::TransferWriteOp write = writes[i];
    rewriter.moveOpAfter(write, newLoop);
    rewriter.modifyOpInPlace(write, [&] {
      write.getValueToStoreMutable().assign(newLoop->getResult(first + i));
    });
  }
  return success();
}

/// Turns the outermost loop of a tiled contraction (no loop-carried values:
/// its iterations write disjoint result blocks) into an scf.parallel, which
/// convert-scf-to-openmp then shares among threads.
void makeParallel(RewriterBase &rewriter, scf::ForOp loop) {
  rewriter.setInsertionPoint(loop);
  auto parallel = scf::ParallelOp::create(
      rewriter, loop.getLoc(), ValueRange{loop.getLowerBound()},
      ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
  rewriter.eraseOp(loop.getBody()->getTerminator());
  rewriter.inlineBlockBefore(loop.getBody(), parallel.getBody()->getTerminator(),
                             parallel.getInductionVars());
  rewriter.eraseOp(loop);
}

struct VectorizeContractionsPass
    : quweit::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using VectorizeContractionsBase::VectorizeContractionsBase;

  void runOnOperation() override {
    if (tileM < 1 || tileN < 1) {
      getOperation()->emitError("quweit-vectorize-contractions: tile-m and "
                                "tile-n must be positive");
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);

    // 1. Tile every contraction into register-sized blocks, and peel the
    //    loops whose last block may be partial, so that all but the edge
    //    blocks have static sizes.
    SmallVector<linalg::LinalgOp> contractions;
    getOperation()->walk([&](linalg::LinalgOp op) { contractions.push_back(op); });
    bool changed = false;
    for (linalg::LinalgOp op : contractions) {
      std::optional<TilePlan> plan = planTiles(op, tileM, tileN);
      if (!plan)
        continue;
      // A contraction-shaped generic becomes the named linalg.contract
      // (same maps; the body is out + a * b either way), which vectorises
      // straight into vector.contract with these maps. Its inputs are
      // ordered so that the one with the block's columns (the result's
      // innermost dimension) is B, as the outer-product lowering wants
      // (a * b = b * a exactly, so the swap changes nothing).
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        SmallVector<Value> inputs = generic.getDpsInputs();
        SmallVector<Attribute> maps(generic.getIndexingMaps().getValue());
        unsigned nDim = plan->interchange[plan->interchange.size() -
                                          plan->reductions - 1];
        if (cast<AffineMapAttr>(maps[0]).getValue().isFunctionOfDim(nDim)) {
          std::swap(inputs[0], inputs[1]);
          std::swap(maps[0], maps[1]);
        }
        rewriter.setInsertionPoint(generic);
        op = linalg::ContractOp::create(rewriter, generic.getLoc(), inputs,
                                        generic.getDpsInits(),
                                        rewriter.getArrayAttr(maps));
        rewriter.eraseOp(generic);
      }
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(context, plan->sizes));
      options.setInterchange(plan->interchange);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("quweit-vectorize-contractions: cannot tile");
        return signalPassFailure();
      }
      for (Operation *tile : tiled->tiledOps)
        tile->setAttr(kTileMark, rewriter.getUnitAttr());
      if (parallel)
        tiled->loops.front()->setAttr(kOuterLoopMark, rewriter.getUnitAttr());
      // The reduction loops are the innermost ones (see planTiles).
      for (LoopLikeOpInterface loop :
           llvm::ArrayRef(tiled->loops).take_back(plan->reductions))
        loop->setAttr(kReductionLoopMark, rewriter.getUnitAttr());
      rewriter.eraseOp(op);
      changed = true;
      // Innermost first, so that both halves of an outer peel hold the
      // peeled inner loop.
      for (LoopLikeOpInterface loop : llvm::reverse(tiled->loops)) {
        auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
        scf::ForOp partial;
        if (forOp)
          (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
      }
    }
    if (!changed)
      return;
    if (failed(canonicalize()))
      return signalPassFailure();

    // 2. Vectorise the full (static) blocks into vector.contract; edge
    //    blocks stay linalg ops and become loops later.
    SmallVector<linalg::LinalgOp> tiles;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kTileMark))
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      op->removeAttr(kTileMark);
      if (op.hasDynamicShape())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op, {}, {}, false, false, false,
                                   /*createNamedContraction=*/true)))
        continue;
      rewriter.eraseOp(op);
    }

    // 3. Lower the contractions to outer products and those to FMAs, and
    //    the multi-dimensional transfers to one-dimensional ones.
    // Generics vectorise to broadcast + mul + multi_reduction: fold those
    // into vector.contract first, and drop the unit dimensions of the loops
    // tiled by 1 (a batch), which the outer-product lowering does not handle.
    RewritePatternSet contracts(context);
    vector::populateVectorReductionToContractPatterns(contracts);
    vector::populateCastAwayVectorLeadingOneDimPatterns(contracts);
    if (failed(applyPatternsGreedily(getOperation(), std::move(contracts))))
      return signalPassFailure();
    RewritePatternSet patterns(context);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    populateVectorToSCFConversionPatterns(
        patterns, VectorTransferToSCFOptions().enableFullUnroll());
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    // 4. Keep each C block in registers across its reduction loops
    //    (innermost first: a block hoisted out of one k loop is then in the
    //    body of the next).
    getOperation()->walk(
        [](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    SmallVector<scf::ForOp> reductionLoops;
    getOperation()->walk([&](scf::ForOp loop) {
      if (loop->removeAttr(kReductionLoopMark))
        reductionLoops.push_back(loop);
    });
    for (scf::ForOp loop : reductionLoops)
      if (failed(hoistResultBlock(rewriter, loop))) {
        loop.emitError("quweit-vectorize-contractions: cannot hoist the "
                       "result block");
        return signalPassFailure();
      }

    // 5. With `parallel`, share the outermost loops among threads (the
    //    peeled copy of a loop is marked too).
    SmallVector<scf::ForOp> outerLoops;
    getOperation()->walk([&](scf::ForOp loop) {
      if (loop->removeAttr(kOuterLoopMark) && loop.getNumResults() == 0)
        outerLoops.push_back(loop);
    });
    for (scf::ForOp loop : outerLoops)
      makeParallel(rewriter, loop);

    // 6. One-dimensional transfers become vector.load/store (the generic
    //    convert-to-llvm does not lower transfers).
    RewritePatternSet transfers(context);
    vector::populateVectorTransferLoweringPatterns(transfers,
                                                   /*maxTransferRank=*/1);
    if (failed(applyPatternsGreedily(getOperation(), std::move(transfers))))
      return signalPassFailure();
  }

  LogicalResult canonicalize() {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, context);
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};

} // namespace
