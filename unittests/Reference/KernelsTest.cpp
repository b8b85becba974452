//===- KernelsTest.cpp - reference kernels against hand-computed values ---===//

#include "quweit/Reference/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace quweit::reference;

namespace {

TEST(ThermometerTest, StrictlyGreaterFeatureMajor) {
  // Two features, three thresholds each; equal thresholds occur.
  std::vector<float> x = {0.5f, -1.0f, /*row 1*/ 0.0f, 2.0f};
  std::vector<float> thresholds = {0.0f, 0.5f, 0.5f, /*f1*/ -1.0f, 0.0f, 1.0f};
  std::vector<uint8_t> out(2 * 6);
  thermometer(x.data(), 2, 2, thresholds.data(), 3, out.data());
  // x = 0.5 equals thresholds 0.5: strictly greater gives 0.
  std::vector<uint8_t> expected = {1, 0, 0, /*x=-1 vs -1,0,1*/ 0, 0, 0,
                                   /*row 1*/ 0, 0, 0, 1, 1, 1};
  EXPECT_EQ(out, expected);
}

TEST(ThermometerTest, NaNGivesZeroBits) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {nan};
  std::vector<float> thresholds = {-1e30f, 0.0f};
  std::vector<uint8_t> out(2, 7);
  thermometer(x.data(), 1, 1, thresholds.data(), 2, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 0}));
}

TEST(LutLayerTest, FanInOneIdentityAndNot) {
  std::vector<uint8_t> in = {0, 1};
  std::vector<int64_t> mapping = {1, 1, 0};
  std::vector<uint8_t> tables = {0, 1, /*not*/ 1, 0, /*const*/ 1, 1};
  std::vector<uint8_t> out(3);
  lutLayer(in.data(), 1, 2, mapping.data(), 3, 1, tables.data(), out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 0, 1}));
}

TEST(LutLayerTest, FanInTwoAddressIsLeastSignificantFirst) {
  // Table with only entry 1 set: true iff slot 0 = 1 and slot 1 = 0.
  std::vector<int64_t> mapping = {0, 1};
  std::vector<uint8_t> tables = {0, 1, 0, 0};
  std::vector<uint8_t> in = {1, 0, /*row 1*/ 0, 1};
  std::vector<uint8_t> out(2);
  lutLayer(in.data(), 2, 2, mapping.data(), 1, 2, tables.data(), out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 0}));
}

TEST(LutLayerTest, SameInputInTwoSlots) {
  // Both slots read input 0: only addresses 0 and 3 are reachable.
  std::vector<int64_t> mapping = {0, 0};
  std::vector<uint8_t> tables = {1, 0, 0, 0};
  std::vector<uint8_t> in = {0, 1};
  std::vector<uint8_t> out(2);
  lutLayer(in.data(), 2, 1, mapping.data(), 1, 2, tables.data(), out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 0}));
}

TEST(LutLayerTest, FanInSixSelectsComputedAddress) {
  // Inputs 5..0 = 1,0,1,1,0,1 read in slots 0..5 as inputs 0..5:
  // address = 1 + 0*2 + 1*4 + 1*8 + 0*16 + 1*32 = 45.
  std::vector<uint8_t> in = {1, 0, 1, 1, 0, 1};
  std::vector<int64_t> mapping = {0, 1, 2, 3, 4, 5};
  std::vector<uint8_t> tables(64, 0);
  tables[45] = 1;
  std::vector<uint8_t> out(1);
  lutLayer(in.data(), 1, 6, mapping.data(), 1, 6, tables.data(), out.data());
  EXPECT_EQ(out[0], 1);
  tables[45] = 0;
  tables[44] = 1;
  lutLayer(in.data(), 1, 6, mapping.data(), 1, 6, tables.data(), out.data());
  EXPECT_EQ(out[0], 0);
}

TEST(LutLayerTest, FanInSixteen) {
  // Slots read inputs in reverse order: slot l reads input 15 - l.
  std::vector<uint8_t> in(16, 0);
  in[15] = 1; // slot 0 -> address bit 0
  in[0] = 1;  // slot 15 -> address bit 15
  std::vector<int64_t> mapping(16);
  for (int l = 0; l < 16; ++l)
    mapping[l] = 15 - l;
  std::vector<uint8_t> tables(1 << 16, 0);
  tables[(1 << 15) | 1] = 1;
  std::vector<uint8_t> out(1);
  lutLayer(in.data(), 1, 16, mapping.data(), 1, 16, tables.data(), out.data());
  EXPECT_EQ(out[0], 1);
}

TEST(GroupSumTest, ContiguousWithZeroPadding) {
  // 7 bits, 3 groups: group size ceil(7/3) = 3, last group has one real bit.
  std::vector<uint8_t> bits = {1, 1, 0, /*g1*/ 1, 1, 1, /*g2*/ 1};
  std::vector<int64_t> counts(3);
  groupSum(bits.data(), 1, 7, 3, nullptr, counts.data());
  EXPECT_EQ(counts, (std::vector<int64_t>{2, 3, 1}));
}

TEST(GroupSumTest, PaddingCanLeaveGroupsEmpty) {
  // 4 bits, 3 groups: size 2, so group 2 gets no bits at all.
  std::vector<uint8_t> bits = {1, 1, 1, 1};
  std::vector<int64_t> counts(3, -1);
  groupSum(bits.data(), 1, 4, 3, nullptr, counts.data());
  EXPECT_EQ(counts, (std::vector<int64_t>{2, 2, 0}));
}

TEST(GroupSumTest, ExplicitGroupIndex) {
  std::vector<uint8_t> bits = {1, 0, 1, 1, /*row 1*/ 0, 1, 1, 1};
  std::vector<int64_t> index = {1, 0, 1, 0};
  std::vector<int64_t> counts(4);
  groupSum(bits.data(), 2, 4, 2, index.data(), counts.data());
  EXPECT_EQ(counts, (std::vector<int64_t>{1, 2, /*row 1*/ 2, 1}));
}

TEST(ScaleCountsTest, DivideThenScaleThenBias) {
  std::vector<int64_t> counts = {3, 10};
  std::vector<float> scale = {2.0f, 0.5f}, bias = {1.0f, -1.0f};
  std::vector<float> out(2);
  scaleCounts(counts.data(), 1, 2, 4.0f, scale.data(), bias.data(), out.data());
  EXPECT_EQ(out[0], (3.0f / 4.0f) * 2.0f + 1.0f);
  EXPECT_EQ(out[1], (10.0f / 4.0f) * 0.5f - 1.0f);
  scaleCounts(counts.data(), 1, 2, 3.0f, nullptr, nullptr, out.data());
  EXPECT_EQ(out[0], 3.0f / 3.0f);
  EXPECT_EQ(out[1], 10.0f / 3.0f);
}

TEST(ArgMaxTest, LowestIndexOnTies) {
  std::vector<int64_t> scores = {1, 5, 5, 2, /*row 1*/ 0, 0, 0, 0};
  std::vector<int64_t> out(2);
  argmax(scores.data(), 2, 4, out.data());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 0}));
  std::vector<float> fscores = {-1.0f, 3.0f, 3.0f};
  argmax(fscores.data(), 1, 3, out.data());
  EXPECT_EQ(out[0], 1);
}

TEST(PackBitsTest, BatchSlicedAndFeaturePackedRoundTrip) {
  // 70 samples x 3 features; sample s has feature f set iff (s + f) % 3 == 0.
  const int64_t batch = 70, features = 3;
  std::vector<uint8_t> bits(batch * features);
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t f = 0; f < features; ++f)
      bits[s * features + f] = (s + f) % 3 == 0;
  std::vector<uint64_t> sliced(2 * features);
  packBits(bits.data(), batch, features, 64, true, sliced.data());
  // Word [1, 0] holds samples 64..69 of feature 0: 66 and 69 are set.
  EXPECT_EQ(sliced[1 * features + 0], (uint64_t(1) << 2) | (uint64_t(1) << 5));
  std::vector<uint8_t> back(bits.size());
  unpackBits(sliced.data(), batch, features, 64, true, back.data());
  EXPECT_EQ(back, bits);

  std::vector<uint64_t> packed(batch * 1);
  packBits(bits.data(), batch, features, 8, false, packed.data());
  EXPECT_EQ(packed[0], 0b001u); // sample 0: feature 0 only
  EXPECT_EQ(packed[1], 0b100u); // sample 1: feature 2
  unpackBits(packed.data(), batch, features, 8, false, back.data());
  EXPECT_EQ(back, bits);
}

} // namespace
