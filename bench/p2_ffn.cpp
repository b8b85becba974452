// P2 (docs/performance.md): a LUT FFN that replaces a dense 192 -> 768 -> 192
// FFN (DeiT-Tiny width): thermometer 8 bits per feature, LUT layers
// 1536 -> 6144 -> 3072 (n = 6), group sum to 192, scaled; compiled by
// quweit-compile. Against the dense FFN in FP32 through OpenBLAS sgemm
// (x W1 + b1, exact GELU, x W2 + b2). Tokens per second on one core at
// batch 1, 64 and 1024. Run with OPENBLAS_NUM_THREADS=1.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

extern "C" {
int32_t p2_table_main(int64_t batch, const float *x, float *scores);
int32_t p2_specialise_main(int64_t batch, const float *x, float *scores);
int32_t p2_packed_main(int64_t batch, const float *x, float *scores);
int32_t p2_table_t2_main(int64_t batch, const float *x, float *scores);
int32_t p2_specialise_t2_main(int64_t batch, const float *x, float *scores);
}

namespace {
constexpr int kWidth = 192, kHidden = 768;

std::vector<float> randomFloats(size_t count, float scale) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> values(count);
  for (float &v : values)
    v = normal(rng);
  return values;
}

void LutFFN(benchmark::State &state, int32_t (*entry)(int64_t, const float *, float *)) {
  int64_t batch = state.range(0);
  std::vector<float> x = randomFloats(batch * kWidth, 1.0f), y(batch * kWidth);
  for (auto _ : state) {
    if (entry(batch, x.data(), y.data()) != 0)
      state.SkipWithError("entry point failed");
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["tokens_per_s"] =
      benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void DenseFFN(benchmark::State &state) {
  int64_t batch = state.range(0);
  std::vector<float> x = randomFloats(batch * kWidth, 1.0f), y(batch * kWidth);
  std::vector<float> w1 = randomFloats(kWidth * kHidden, 0.07f),
                     b1 = randomFloats(kHidden, 0.01f),
                     w2 = randomFloats(kHidden * kWidth, 0.04f),
                     b2 = randomFloats(kWidth, 0.01f), h(batch * kHidden);
  for (auto _ : state) {
    for (int64_t r = 0; r < batch; ++r)
      std::copy(b1.begin(), b1.end(), h.begin() + r * kHidden);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, kHidden, kWidth,
                1.0f, x.data(), kWidth, w1.data(), kHidden, 1.0f, h.data(), kHidden);
    for (float &v : h)
      v = 0.5f * v * (1.0f + std::erf(v * 0.70710678f));
    for (int64_t r = 0; r < batch; ++r)
      std::copy(b2.begin(), b2.end(), y.begin() + r * kWidth);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, kWidth, kHidden,
                1.0f, h.data(), kHidden, w2.data(), kWidth, 1.0f, y.data(), kWidth);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["tokens_per_s"] =
      benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}
} // namespace

BENCHMARK(DenseFFN)->Arg(1)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(LutFFN, specialise, p2_specialise_main)
    ->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(LutFFN, table, p2_table_main)
    ->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);
// Two threads: the entry point splits the batch over pthreads.
BENCHMARK_CAPTURE(LutFFN, table_2_threads, p2_table_t2_main)
    ->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(LutFFN, specialise_2_threads, p2_specialise_t2_main)
    ->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(LutFFN, feature_packed, p2_packed_main)
    ->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
