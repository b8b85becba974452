//===- CostModelTest.cpp - counts and energy of lib/Analysis/CostModel ----===//
//
// Every expected figure is computed by hand from the counting rules of
// docs/cost-model.md, not copied from the analysis' output.
//
//===----------------------------------------------------------------------===//

#include "quweit/Analysis/CostModel.h"
#include "quweit/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace quweit;

namespace {

class CostModelTest : public ::testing::Test {
protected:
  CostModelTest() {
    DialectRegistry registry;
    registry.insert<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                    linalg::LinalgDialect, tensor::TensorDialect>();
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Parses `ir` and analyses it; fails the test on a parse error.
  std::vector<FunctionCost> analyze(llvm::StringRef ir) {
    module = parseSourceString<ModuleOp>(ir, &context);
    EXPECT_TRUE(module) << "IR does not parse";
    if (!module)
      return {};
    return analyzeCosts(*module);
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

// y = x W with x [4x8], W [8x16] a constant: 4*16 points of an 8-deep
// reduction, i.e. 512 multiply-accumulates; W is 8*16 f32 = 512 bytes.
constexpr llvm::StringLiteral kMatmul = R"mlir(
func.func @mm(%x: tensor<4x8xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<8x16xf32>
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
)mlir";

TEST_F(CostModelTest, MatmulCountsMultiplyAccumulatesAndWeightBytes) {
  auto costs = analyze(kMatmul);
  ASSERT_EQ(costs.size(), 1u);
  const OpCounts &c = costs[0].total.hybrid;
  EXPECT_EQ(c.matmulMults, 4 * 8 * 16);
  EXPECT_EQ(c.elementwiseMults, 0);
  EXPECT_EQ(c.adds, 4 * 8 * 16);
  EXPECT_EQ(c.comparisons, 0);
  EXPECT_EQ(c.expDiv, 0);
  EXPECT_EQ(c.lutLookups, 0);
  EXPECT_EQ(c.parameterBytes, 8 * 16 * 4);
  EXPECT_FALSE(costs[0].hasDynamicDims);
  // No LUT FFN: the dense twin is the model itself.
  EXPECT_EQ(costs[0].total.dense.matmulMults, c.matmulMults);
  EXPECT_EQ(costs[0].total.lutFFNs, 0);
}

// Exact GELU on [4x16] in one generic: x*k, erf, +1, x*0.5, *: per point
// 3 elementwise multiplications, 1 addition, 1 exp/div; softmax-like ops on
// tensors (exp, divf, maximumf) count once per element.
TEST_F(CostModelTest, ElementwiseOpsCountOncePerPoint) {
  auto costs = analyze(R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @gelu(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x16xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %k = arith.constant 0.707106769 : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %s = arith.mulf %a, %k : f32
    %r = math.erf %s : f32
    %p = arith.addf %r, %one : f32
    %h = arith.mulf %a, %half : f32
    %y = arith.mulf %h, %p : f32
    linalg.yield %y : f32
  } -> tensor<4x16xf32>
  %ex = math.exp %g : tensor<4x16xf32>
  %d = arith.divf %ex, %g : tensor<4x16xf32>
  %m = arith.maximumf %d, %g : tensor<4x16xf32>
  return %m : tensor<4x16xf32>
}
)mlir");
  ASSERT_EQ(costs.size(), 1u);
  const OpCounts &c = costs[0].total.hybrid;
  EXPECT_EQ(c.matmulMults, 0);
  EXPECT_EQ(c.elementwiseMults, 3 * 64);
  EXPECT_EQ(c.adds, 64);
  EXPECT_EQ(c.expDiv, 64 + 64 + 64); // erf, exp, divf
  EXPECT_EQ(c.comparisons, 64);      // maximumf
  EXPECT_EQ(c.parameterBytes, 0);    // scalar constants are not parameters
}

// A LUT FFN on 3 rows: thermometer 2 features x 2 bits (12 comparisons),
// 3 LUTs of fan-in 2 (9 lookups), group sum of 3 bits into 2 groups (9
// count additions), scale_counts without scale/bias (6 divisions). Bytes:
// thresholds 2*2 f32 = 16, mapping 3*2 i32 = 24, tables 3*4 bits -> 2.
constexpr llvm::StringLiteral kLutFFN = R"mlir(
func.func @ffn(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %y = quweit.lut_ffn %x {HIDDEN} : tensor<3x2xf32> -> tensor<3x2xf32> {
  ^bb0(%in: tensor<3x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<3x2xf32> -> tensor<3x4xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 1]]> : tensor<3x2xi32>)
        tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>)
        : tensor<3x4xi1> -> tensor<3x3xi1>
    %s = quweit.group_sum %l : tensor<3x3xi1> -> tensor<3x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<3x2xi32> -> tensor<3x2xf32>
    quweit.yield %r : tensor<3x2xf32>
  }
  return %y : tensor<3x2xf32>
}
)mlir";

static std::string withHidden(llvm::StringRef attr) {
  std::string ir = kLutFFN.str();
  ir.replace(ir.find("{HIDDEN}"), 8, attr.str());
  return ir;
}

TEST_F(CostModelTest, LutFFNCountsLookupsComparisonsAndTableBits) {
  auto costs = analyze(withHidden(""));
  ASSERT_EQ(costs.size(), 1u);
  const OpCounts &c = costs[0].total.hybrid;
  EXPECT_EQ(c.comparisons, 3 * 4);
  EXPECT_EQ(c.lutLookups, 3 * 3);
  EXPECT_EQ(c.countAdds, 3 * 3);
  EXPECT_EQ(c.expDiv, 3 * 2);
  EXPECT_EQ(c.multiplications(), 0);
  EXPECT_EQ(c.adds, 0);
  EXPECT_EQ(c.parameterBytes, 16 + 24 + 2);
  EXPECT_EQ(costs[0].total.lutFFNs, 1);
}

// Dense twin of a D=2 -> k=2 LUT FFN on B=3 rows with H = 4D = 8 by default:
// B(DH + Hk) = 96 matmul multiplications, B(DH + Hk + H + k + H) = 150
// additions, 3BH = 72 GELU multiplications, BH = 24 erf,
// 4(DH + H + Hk + k) = 168 bytes.
TEST_F(CostModelTest, DenseTwinOfLutFFNUsesFourTimesWidth) {
  auto costs = analyze(withHidden(""));
  ASSERT_EQ(costs.size(), 1u);
  const OpCounts &d = costs[0].total.dense;
  EXPECT_EQ(d.matmulMults, 96);
  EXPECT_EQ(d.adds, 150);
  EXPECT_EQ(d.elementwiseMults, 72);
  EXPECT_EQ(d.expDiv, 24);
  EXPECT_EQ(d.parameterBytes, 168);
  EXPECT_EQ(d.lutLookups, 0);
  EXPECT_EQ(d.comparisons, 0);
}

TEST_F(CostModelTest, DenseTwinHonoursDenseHiddenAttribute) {
  // H = 5: 3(10 + 10) = 60, 3(10 + 10 + 5 + 2 + 5) = 96, 45, 15,
  // 4(10 + 5 + 10 + 2) = 108.
  auto costs = analyze(withHidden("{quweit.dense_hidden = 5 : i64}"));
  ASSERT_EQ(costs.size(), 1u);
  const OpCounts &d = costs[0].total.dense;
  EXPECT_EQ(d.matmulMults, 60);
  EXPECT_EQ(d.adds, 96);
  EXPECT_EQ(d.elementwiseMults, 45);
  EXPECT_EQ(d.expDiv, 15);
  EXPECT_EQ(d.parameterBytes, 108);
}

// The dense twin formula equals what the counter gives on the MLP written out
// in the exporter's form (matmul, bias generic, exact-GELU generic, matmul,
// bias generic) with the same D, H, k and rows.
TEST_F(CostModelTest, DenseTwinMatchesTheWrittenOutMLP) {
  auto costs = analyze(R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @mlp(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<2x5xf32>
  %b1 = arith.constant dense<0.1> : tensor<5xf32>
  %w2 = arith.constant dense<0.25> : tensor<5x2xf32>
  %b2 = arith.constant dense<0.2> : tensor<2xf32>
  %e1 = tensor.empty() : tensor<3x5xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<3x5xf32>) -> tensor<3x5xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<3x2xf32>, tensor<2x5xf32>) outs(%f1 : tensor<3x5xf32>) -> tensor<3x5xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m1, %b1 : tensor<3x5xf32>, tensor<5xf32>) outs(%e1 : tensor<3x5xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r = arith.addf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<3x5xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y1 : tensor<3x5xf32>) outs(%e1 : tensor<3x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %k = arith.constant 0.707106769 : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %s = arith.mulf %a, %k : f32
    %r = math.erf %s : f32
    %p = arith.addf %r, %one : f32
    %h = arith.mulf %a, %half : f32
    %y = arith.mulf %h, %p : f32
    linalg.yield %y : f32
  } -> tensor<3x5xf32>
  %e2 = tensor.empty() : tensor<3x2xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x2xf32>) -> tensor<3x2xf32>
  %m2 = linalg.matmul ins(%g, %w2 : tensor<3x5xf32>, tensor<5x2xf32>) outs(%f2 : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m2, %b2 : tensor<3x2xf32>, tensor<2xf32>) outs(%e2 : tensor<3x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r = arith.addf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<3x2xf32>
  return %y2 : tensor<3x2xf32>
}
)mlir" + withHidden("{quweit.dense_hidden = 5 : i64}"));
  ASSERT_EQ(costs.size(), 2u);
  const OpCounts &written = costs[0].total.hybrid;
  const OpCounts &twin = costs[1].total.dense;
  EXPECT_EQ(written.matmulMults, twin.matmulMults);
  EXPECT_EQ(written.elementwiseMults, twin.elementwiseMults);
  EXPECT_EQ(written.adds, twin.adds);
  EXPECT_EQ(written.expDiv, twin.expDiv);
  EXPECT_EQ(written.comparisons, twin.comparisons);
  EXPECT_EQ(written.parameterBytes, twin.parameterBytes);
}

TEST_F(CostModelTest, BlocksAreReportedByNameAndDynamicDimsFlagged) {
  auto costs = analyze(R"mlir(
func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = quweit.transformer_block "b0" (%x) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%in: tensor<?x4xf32>):
    %s = arith.mulf %in, %in : tensor<?x4xf32>
    quweit.yield %s : tensor<?x4xf32>
  }
  %z = arith.addf %y, %x : tensor<?x4xf32>
  return %z : tensor<?x4xf32>
}
)mlir");
  ASSERT_EQ(costs.size(), 1u);
  EXPECT_TRUE(costs[0].hasDynamicDims);
  ASSERT_EQ(costs[0].blocks.size(), 1u);
  EXPECT_EQ(costs[0].blocks[0].name, "b0");
  // The dynamic dimension counts as 1: 4 multiplications in the block, 4
  // additions outside it, all 8 operations in the function's total.
  EXPECT_EQ(costs[0].blocks[0].hybrid.elementwiseMults, 4);
  EXPECT_EQ(costs[0].blocks[0].hybrid.adds, 0);
  EXPECT_EQ(costs[0].total.hybrid.elementwiseMults, 4);
  EXPECT_EQ(costs[0].total.hybrid.adds, 4);
}

TEST(EnergyTableTest, HorowitzFiguresAndLutOverride) {
  EnergyTable fp32 = EnergyTable::horowitz45nm("fp32");
  EXPECT_DOUBLE_EQ(fp32.mult, 3.7);
  EXPECT_DOUBLE_EQ(fp32.add, 0.9);
  EXPECT_DOUBLE_EQ(fp32.compare, 0.9);
  EXPECT_DOUBLE_EQ(fp32.expDiv, 4 * 3.7);
  EXPECT_DOUBLE_EQ(fp32.countAdd, 0.03);
  EXPECT_DOUBLE_EQ(fp32.lutLookup, 10.0);
  EnergyTable int8 = EnergyTable::horowitz45nm("int8", 0.1);
  EXPECT_DOUBLE_EQ(int8.mult, 0.2);
  EXPECT_DOUBLE_EQ(int8.add, 0.03);
  EXPECT_DOUBLE_EQ(int8.expDiv, 0.8);
  EXPECT_DOUBLE_EQ(int8.lutLookup, 0.1);

  OpCounts c;
  c.matmulMults = 10;
  c.elementwiseMults = 2;
  c.adds = 100;
  c.countAdds = 1000;
  c.comparisons = 5;
  c.expDiv = 3;
  c.lutLookups = 7;
  c.parameterBytes = 1 << 20; // memory is not charged
  EXPECT_NEAR(energyPicojoules(c, fp32),
              12 * 3.7 + 100 * 0.9 + 1000 * 0.03 + 5 * 0.9 + 3 * 14.8 + 7 * 10.0,
              1e-9);
  EXPECT_NEAR(energyPicojoules(c, int8),
              12 * 0.2 + 100 * 0.03 + 1000 * 0.03 + 5 * 0.03 + 3 * 0.8 + 7 * 0.1,
              1e-9);
  EXPECT_EQ(energyPicojoules(OpCounts(), fp32), 0.0);
}

} // namespace
