//===- InputLimitsTest.cpp - checks on model input before parsing ---------===//

#include "quweit/Support/InputLimits.h"

#include "quweit/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <string>

using namespace quweit;

namespace {

std::string repeat(const std::string &text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i)
    out += text;
  return out;
}

TEST(TextNesting, CountsEveryKindOfBracket) {
  EXPECT_FALSE(checkTextNesting(repeat("(", 10) + repeat(")", 10), 10));
  auto problem = checkTextNesting("a" + repeat("[", 11), 10);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->offset, 11u); // the 11th bracket, after "a"
  EXPECT_TRUE(checkTextNesting(repeat("{<", 6), 10));
}

TEST(TextNesting, ClosersLowerTheDepth) {
  // 100 levels in sequence, never more than 2 deep.
  EXPECT_FALSE(checkTextNesting(repeat("{[]}", 100), 2));
  EXPECT_FALSE(checkTextNesting(repeat("tensor<4xi1> ", 100), 1));
}

TEST(TextNesting, ArrowsAndComparisonsAreNotBrackets) {
  // '->' and '>=' must not close a '<' (which would undercount the depth).
  EXPECT_TRUE(checkTextNesting("<<-><>=<", 3));
  EXPECT_FALSE(checkTextNesting("(a) -> (b) -> (c)", 1));
}

TEST(TextNesting, SkipsCommentsAndStrings) {
  EXPECT_FALSE(checkTextNesting("// " + repeat("{", 1000) + "\n{}", 1));
  EXPECT_FALSE(checkTextNesting("\"" + repeat("(", 1000) + "\\\"(\" []", 1));
  // After the comment, brackets count again.
  EXPECT_TRUE(checkTextNesting("// {{{\n{{", 1));
}

TEST(TextNesting, StringsEndAtTheFirstUnescapedQuote) {
  // An escaped backslash does not escape the quote after it.
  EXPECT_TRUE(checkTextNesting("\"a\\\\\" ((", 1));
  EXPECT_FALSE(checkTextNesting("\"a\\\\\\\"((\" (", 1));
  // Strings one after the other, and an unterminated one at the end.
  EXPECT_TRUE(checkTextNesting("\"((\" \"((\" ((", 1));
  EXPECT_FALSE(checkTextNesting("( \"((((", 1));
  EXPECT_FALSE(checkTextNesting("( \"((\\", 1));
}

TEST(TextNesting, BytecodeIsNotScanned) {
  EXPECT_FALSE(checkTextNesting(std::string("ML\xEFR") + repeat("{", 1000), 1));
}

std::string transpose(const std::string &permutation) {
  return "%t = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%y : "
         "tensor<3x2xf32>) permutation = " +
         permutation + "\n";
}

TEST(UnsafeSyntax, AcceptsWellFormedIntegerLists) {
  for (const char *list : {"[1, 0]", "[]", "[ 0x1 ,-2 ]", "[9223372036854775807]",
                           "[1, // comment\n 0]", "[5, 7]" /* the verifier's job */})
    EXPECT_FALSE(checkUnsafeSyntax(transpose(list))) << list;
  EXPECT_FALSE(checkUnsafeSyntax(
      "%b = linalg.broadcast ins(%v : tensor<3xf32>) outs(%y : tensor<3x2xf32>) "
      "dimensions = [1]"));
  EXPECT_FALSE(checkUnsafeSyntax(
      "%r = linalg.reduce { arith.addf } ins(%x : tensor<2x3xf32>) outs(%r : "
      "tensor<2xf32>) dimensions = [1]"));
}

TEST(UnsafeSyntax, RefusesEveryMalformedList) {
  for (const char *list : {"[1? 0]", "1", "[x]", "[1.0]", "[1,]", "[1 0]", "[",
                           "[99999999999999999999]", "[0x]", "[1e5]",
                           "array<i64: 1, 0>", "quweit.lut_layer"}) {
    std::string text = transpose(list);
    auto problem = checkUnsafeSyntax(text);
    ASSERT_TRUE(problem) << list;
    EXPECT_NE(problem->message.find("'permutation' of 'linalg.transpose'"),
              std::string::npos);
    // Located inside the list (or at its start), never before it.
    EXPECT_GE(problem->offset, text.find("= ") + 2) << list;
  }
  EXPECT_TRUE(checkUnsafeSyntax(
      "linalg.broadcast ins(%v : tensor<3xf32>) outs(%y : tensor<3x2xf32>) "
      "dimensions = quweit.lut_layer"));
  EXPECT_TRUE(checkUnsafeSyntax(
      "linalg.reduce ins(%x : tensor<2x3xf32>) outs(%r : tensor<2xf32>) "
      "dimensions = [x] (%a: f32, %b: f32) { linalg.yield %a : f32 }"));
  // Groups before the keyword (properties, attribute dictionaries with
  // arrows, the short reduce form) are stepped over.
  EXPECT_TRUE(checkUnsafeSyntax(
      "linalg.transpose <{x = affine_map<(d0) -> (d0)>}> {a = \"]\"} "
      "ins(%x : tensor<2x3xf32>) outs(%y : tensor<3x2xf32>) permutation = [?]"));
}

TEST(UnsafeSyntax, IgnoresOtherSpellings) {
  // The generic form goes through the checked attribute parser.
  EXPECT_FALSE(checkUnsafeSyntax(
      "\"linalg.transpose\"(%x, %y) <{permutation = array<i64: 1? 0>}>"));
  // Names in comments, strings, values, aliases and types.
  EXPECT_FALSE(checkUnsafeSyntax("// linalg.transpose permutation = [?]\n"));
  EXPECT_FALSE(checkUnsafeSyntax("loc(\"linalg.transpose permutation = [?]\")"));
  EXPECT_FALSE(checkUnsafeSyntax("%linalg.transpose permutation = [?]"));
  EXPECT_FALSE(checkUnsafeSyntax("#linalg.transpose permutation = [?]"));
  // Another keyword first: MLIR's parseKeyword fails cleanly.
  EXPECT_FALSE(checkUnsafeSyntax("linalg.transpose foo permutation = [?]"));
  EXPECT_FALSE(checkUnsafeSyntax("linalg.transpose permutation [?]"));
  EXPECT_FALSE(checkUnsafeSyntax(std::string("ML\xEFR") + transpose("[?]")));
}

std::string blob(const std::string &hex) {
  return "%c = arith.constant dense_resource<b> : tensor<1xi32>\n"
         "{-#\n  dialect_resources: { builtin: { b: \"" + hex + "\" } }\n#-}\n";
}

TEST(UnsafeSyntax, BlobAlignmentMustBeAllocatable) {
  EXPECT_FALSE(checkUnsafeSyntax(blob("0x0400000001000000")));
  EXPECT_FALSE(checkUnsafeSyntax(blob("0x0000010001000000"))); // 65536
  auto zero = checkUnsafeSyntax(blob("0x0000000001000000"));
  ASSERT_TRUE(zero);
  EXPECT_NE(zero->message.find("alignment 0 "), std::string::npos);
  auto huge = checkUnsafeSyntax(blob("0x0100010001000000"));
  ASSERT_TRUE(huge);
  EXPECT_NE(huge->message.find("alignment 65537 "), std::string::npos);
  // Too short, not hex, or outside the file metadata: not our business.
  EXPECT_FALSE(checkUnsafeSyntax(blob("0x000000")));
  EXPECT_FALSE(checkUnsafeSyntax(blob("0x0000000g01")));
  EXPECT_FALSE(checkUnsafeSyntax("loc(\"0x0000000001000000\")"));
}

class ShapeSizes : public ::testing::Test {
protected:
  ShapeSizes() {
    mlir::DialectRegistry registry;
    registry.insert<mlir::func::FuncDialect>();
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
      messages += d.str() + "\n";
    });
  }
  bool check(const std::string &text) {
    auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
    EXPECT_TRUE(module) << messages;
    return module && mlir::succeeded(checkShapeSizes(*module));
  }
  mlir::MLIRContext context;
  std::string messages;
};

TEST_F(ShapeSizes, AcceptsLargeButRealShapes) {
  EXPECT_TRUE(check("func.func private @f(tensor<?x65536x1024xf32>)"));
  EXPECT_TRUE(check("func.func private @f(tensor<0x0xi1>)"));
}

TEST_F(ShapeSizes, RefusesShapesBeyond2To48Bytes) {
  // 2^46 f32 elements = 2^48 bytes: the limit itself is allowed...
  EXPECT_TRUE(check("func.func private @f(tensor<70368744177664xf32>)"));
  // ...one more element is not.
  EXPECT_FALSE(check("func.func private @f(tensor<70368744177665xf32>)"));
  EXPECT_NE(messages.find("describes more than 2^48 bytes"), std::string::npos);
}

TEST_F(ShapeSizes, ZeroDimensionsDoNotHideOverflow) {
  EXPECT_FALSE(check(
      "func.func private @f(tensor<0x4611686018427387904x4611686018427387904xi1>)"));
}

TEST_F(ShapeSizes, LooksInsideAttributes) {
  EXPECT_FALSE(check("func.func private @f() attributes {a = dense<0> : "
                     "tensor<4611686018427387904x64xi32>}"));
}

} // namespace
