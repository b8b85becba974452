// P1 (docs/performance.md): one LUT layer, N = 2048 input bits, M = 8192
// LUTs, fan-in 6, on one core, compiled by quweit-compile from
// bench/gen_p1_model.py. Reports LUT evaluations per second
// (batch * M / time) for the bit-sliced entry point at batch 64..4096 and
// the feature-packed one at batch 1.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

extern "C" {
int32_t quweit_sliced(int64_t batch, const int64_t *words, int64_t *out);
int32_t quweit_packed(int64_t batch, const int64_t *words, int64_t *out);
}

namespace {
constexpr int64_t kInputs = 2048, kLuts = 8192;

std::vector<int64_t> randomWords(size_t count) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> words(count);
  for (int64_t &w : words)
    w = static_cast<int64_t>(rng());
  return words;
}

void BitSliced(benchmark::State &state) {
  int64_t batch = state.range(0);
  int64_t rows = (batch + 63) / 64;
  std::vector<int64_t> in = randomWords(rows * kInputs), out(rows * kLuts);
  for (auto _ : state) {
    if (quweit_sliced(rows, in.data(), out.data()) != 0)
      state.SkipWithError("entry point failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["LUT_evals_per_s"] = benchmark::Counter(
      double(batch) * kLuts, benchmark::Counter::kIsIterationInvariantRate);
}

void FeaturePacked(benchmark::State &state) {
  int64_t batch = state.range(0);
  std::vector<int64_t> in = randomWords(batch * (kInputs / 64)),
                       out(batch * (kLuts / 64));
  for (auto _ : state) {
    if (quweit_packed(batch, in.data(), out.data()) != 0)
      state.SkipWithError("entry point failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["LUT_evals_per_s"] = benchmark::Counter(
      double(batch) * kLuts, benchmark::Counter::kIsIterationInvariantRate);
}
} // namespace

BENCHMARK(BitSliced)->Arg(64)->Arg(512)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(FeaturePacked)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
