//===- EvaluatorTest.cpp - the reference evaluator on parsed modules ------===//

#include "quweit/InitAll.h"
#include "quweit/Reference/Evaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace quweit::reference;

namespace {

class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    DialectRegistry registry;
    registry.insert<func::FuncDialect, arith::ArithDialect, math::MathDialect>();
    quweit::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  FailureOr<std::vector<Tensor>> run(StringRef source,
                                     std::vector<Tensor> arguments) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return failure();
    auto func = module->lookupSymbol<func::FuncOp>("main");
    return evaluate(func, arguments);
  }

  static Tensor floats(std::vector<int64_t> shape, std::vector<float> values) {
    Tensor tensor = *Tensor::zeros(ElementType::F32, std::move(shape));
    tensor.floats = std::move(values);
    return tensor;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

// A two-feature model: thermometer (2 bits each) -> LUT layer (AND, XOR of
// bits) -> group sum into 2 groups -> scale by tau = 2 -> argmax.
constexpr const char *kModel = R"mlir(
func.func @main(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?xi64>) {
  %y = quweit.lut_ffn %x : tensor<?x2xf32> -> tensor<?x2xf32> {
  ^bb0(%in: tensor<?x2xf32>):
    %t = quweit.thermometer %in thresholds(dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>) : tensor<?x2xf32> -> tensor<?x4xi1>
    %l = quweit.lut_layer %t mapping(dense<[[0, 2], [1, 3], [0, 1]]> : tensor<3x2xi32>)
        tables(dense<[[false, false, false, true], [false, true, true, false], [true, true, true, true]]> : tensor<3x4xi1>)
        : tensor<?x4xi1> -> tensor<?x3xi1>
    %s = quweit.group_sum %l : tensor<?x3xi1> -> tensor<?x2xi32>
    %r = quweit.scale_counts %s tau(2.0) : tensor<?x2xi32> -> tensor<?x2xf32>
    quweit.yield %r : tensor<?x2xf32>
  }
  %c = quweit.argmax %y : tensor<?x2xf32> -> tensor<?xi64>
  return %y, %c : tensor<?x2xf32>, tensor<?xi64>
}
)mlir";

TEST_F(EvaluatorTest, EvaluatesLutFFNByHand) {
  // Row 0: x = (0.5, 2.0): bits f0 = (1, 0), f1 = (1, 1) -> t = 1,0,1,1.
  //   LUT0 AND(t0, t2) = 1; LUT1 XOR(t1, t3) = 1; LUT2 = 1.
  //   groups of ceil(3/2) = 2: g0 = 2, g1 = 1 -> 1.0, 0.5; argmax 0.
  // Row 1: x = (-1, 0.5): t = 0,0,1,0 -> LUT0 0, LUT1 0, LUT2 1
  //   -> g0 = 0, g1 = 1 -> 0.0, 0.5; argmax 1.
  FailureOr<std::vector<Tensor>> results =
      run(kModel, {floats({2, 2}, {0.5f, 2.0f, -1.0f, 0.5f})});
  ASSERT_TRUE(succeeded(results));
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ((*results)[0].floats, (std::vector<float>{1.0f, 0.5f, 0.0f, 0.5f}));
  EXPECT_EQ((*results)[1].ints, (std::vector<int64_t>{0, 1}));
}

TEST_F(EvaluatorTest, RejectsArgumentOfWrongShape) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diagnostics += diag.str();
    return success();
  });
  FailureOr<std::vector<Tensor>> results =
      run(kModel, {floats({1, 3}, {0.0f, 0.0f, 0.0f})});
  EXPECT_TRUE(failed(results));
  EXPECT_NE(diagnostics.find("dimension 1 is 3, expected 2"), std::string::npos)
      << diagnostics;
}

TEST_F(EvaluatorTest, RefusesUnsupportedOps) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diagnostics += diag.str();
    return success();
  });
  FailureOr<std::vector<Tensor>> results = run(R"mlir(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = math.atan %x : tensor<2xf32>
      return %y : tensor<2xf32>
    })mlir", {floats({2}, {1.0f, 2.0f})});
  EXPECT_TRUE(failed(results));
  EXPECT_NE(diagnostics.find("does not support 'math.atan'"), std::string::npos);
}

} // namespace
