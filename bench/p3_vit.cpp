// P3 (docs/performance.md): the whole shipped Fashion-MNIST QuWeiT-ViT
// (examples/fashion_vit, exported with `python -m quweit.export --argmax`)
// compiled by quweit-compile into one object, and its dense twin
// (examples/fashion_vit_dense) compiled the same way; images per second on one
// core at batch 1, 64 and 256, for each way of lowering the float matmuls
// (--matmul). The PyTorch figure of the dense twin comes from
// bench/p3_torch_dense.py; bench/report.py prints the ratios.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

using Entry = int32_t (*)(int64_t, const float *, float *, int64_t *);
#define QUWEIT_P3_ENTRY(name)                                                  \
  extern "C" int32_t name(int64_t, const float *, float *, int64_t *);
QUWEIT_P3_ENTRY(p3_vit_vectorize_main)
QUWEIT_P3_ENTRY(p3_vit_blas_main)
QUWEIT_P3_ENTRY(p3_vit_loops_main)
QUWEIT_P3_ENTRY(p3_dense_vectorize_main)
QUWEIT_P3_ENTRY(p3_dense_blas_main)
QUWEIT_P3_ENTRY(p3_dense_loops_main)

namespace {
constexpr int64_t kPixels = 28 * 28, kClasses = 10;

void ViT(benchmark::State &state, Entry entry) {
  int64_t batch = state.range(0);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> images(batch * kPixels), logits(batch * kClasses);
  for (float &v : images)
    v = normal(rng);
  std::vector<int64_t> classes(batch);
  // One untimed call first: the first call page-faults its temporaries in.
  if (entry(batch, images.data(), logits.data(), classes.data()) != 0)
    state.SkipWithError("entry point failed");
  for (auto _ : state) {
    if (entry(batch, images.data(), logits.data(), classes.data()) != 0)
      state.SkipWithError("entry point failed");
    benchmark::DoNotOptimize(classes.data());
  }
  state.counters["images_per_s"] =
      benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}
} // namespace

#define QUWEIT_P3_BENCH(label, entry)                                          \
  BENCHMARK_CAPTURE(ViT, label, entry)                                         \
      ->Arg(1)->Arg(64)->Arg(256)->Unit(benchmark::kMicrosecond);
QUWEIT_P3_BENCH(quweit_vectorize, p3_vit_vectorize_main)
QUWEIT_P3_BENCH(quweit_blas, p3_vit_blas_main)
QUWEIT_P3_BENCH(quweit_loops, p3_vit_loops_main)
QUWEIT_P3_BENCH(dense_vectorize, p3_dense_vectorize_main)
QUWEIT_P3_BENCH(dense_blas, p3_dense_blas_main)
QUWEIT_P3_BENCH(dense_loops, p3_dense_loops_main)
BENCHMARK_MAIN();
