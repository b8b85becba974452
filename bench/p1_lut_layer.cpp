// P1 (docs/performance.md): one LUT layer, N = 2048 input bits, M = 8192
// LUTs, fan-in 6, on one core, compiled by quweit-compile from
// bench/gen_p1_model.py. Reports LUT evaluations per second
// (batch * M / time) for the bit-sliced entry point at batch 64..4096 in
// both code generation modes (tables specialised into logic, tables as
// data) and the feature-packed one at batch 1 to 4096, plus the baseline the
// issue asks for: the per-sample gather evaluation of the public reference
// kernel, written here in plain C++.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#define P1_ENTRY_POINTS(prefix)                                                \
  int32_t prefix##sliced(int64_t batch, const int64_t *words, int64_t *out);   \
  int32_t prefix##packed(int64_t batch, const int64_t *words, int64_t *out);
extern "C" {
P1_ENTRY_POINTS(p1_specialise_)
P1_ENTRY_POINTS(p1_table_)
P1_ENTRY_POINTS(p1_table_omp2_)
P1_ENTRY_POINTS(p1_specialise_t2_)
}

namespace {
constexpr int64_t kInputs = 2048, kLuts = 8192;
// Bit-sliced words are 512 bits (bench/CMakeLists.txt): 8 int64 each.
constexpr int64_t kWordBits = 512, kValuesPerWord = kWordBits / 64;

using Entry = int32_t (*)(int64_t, const int64_t *, int64_t *);

std::vector<int64_t> randomWords(size_t count) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> words(count);
  for (int64_t &w : words)
    w = static_cast<int64_t>(rng());
  return words;
}

void BitSliced(benchmark::State &state, Entry entry) {
  int64_t batch = state.range(0);
  int64_t rows = (batch + kWordBits - 1) / kWordBits;
  std::vector<int64_t> in = randomWords(rows * kInputs * kValuesPerWord),
                       out(rows * kLuts * kValuesPerWord);
  for (auto _ : state) {
    if (entry(rows, in.data(), out.data()) != 0)
      state.SkipWithError("entry point failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["LUT_evals_per_s"] = benchmark::Counter(
      double(batch) * kLuts, benchmark::Counter::kIsIterationInvariantRate);
}

void FeaturePacked(benchmark::State &state, Entry entry) {
  int64_t batch = state.range(0);
  std::vector<int64_t> in = randomWords(batch * (kInputs / 64)),
                       out(batch * (kLuts / 64));
  for (auto _ : state) {
    if (entry(batch, in.data(), out.data()) != 0)
      state.SkipWithError("entry point failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["LUT_evals_per_s"] = benchmark::Counter(
      double(batch) * kLuts, benchmark::Counter::kIsIterationInvariantRate);
}
/// Baseline: the per-sample gather of the public DWN reference kernel (one
/// CUDA thread per sample and LUT there, loops here). Input bits are one byte
/// each, as in the reference's 0/1 tensors; each LUT assembles its address
/// from its fan-in bits and reads one table byte. Random mapping and tables of
/// P1's shape: the work does not depend on their values.
void PerSampleGather(benchmark::State &state) {
  constexpr int64_t kFanIn = 6, kEntries = 64;
  int64_t batch = state.range(0);
  std::mt19937 rng(7);
  std::vector<int32_t> mapping(kLuts * kFanIn);
  for (int32_t &m : mapping)
    m = static_cast<int32_t>(rng() % kInputs);
  std::vector<uint8_t> tables(kLuts * kEntries), in(batch * kInputs), out(batch * kLuts);
  for (uint8_t &t : tables)
    t = rng() & 1;
  for (uint8_t &bit : in)
    bit = rng() & 1;
  for (auto _ : state) {
    for (int64_t b = 0; b < batch; ++b) {
      const uint8_t *x = &in[b * kInputs];
      for (int64_t j = 0; j < kLuts; ++j) {
        const int32_t *inputs = &mapping[j * kFanIn];
        unsigned address = 0;
        for (int64_t l = 0; l < kFanIn; ++l)
          address |= unsigned(x[inputs[l]]) << l;
        out[b * kLuts + j] = tables[j * kEntries + address];
      }
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["LUT_evals_per_s"] = benchmark::Counter(
      double(batch) * kLuts, benchmark::Counter::kIsIterationInvariantRate);
}
} // namespace

BENCHMARK(PerSampleGather)->Arg(1)->Arg(64)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BitSliced, specialise, p1_specialise_sliced)
    ->Arg(64)->Arg(512)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BitSliced, table, p1_table_sliced)
    ->Arg(64)->Arg(512)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond);
// Two threads: OpenMP over the LUT loop of the table-driven kernel.
BENCHMARK_CAPTURE(BitSliced, table_2_threads, p1_table_omp2_sliced)
    ->Arg(4096)->Unit(benchmark::kMicrosecond)->UseRealTime();
// Two threads splitting the batch (the entry point's pthreads), for the
// feature-packed entry: its batch is samples, split in chunks of 512 (one
// bit-sliced word of the module). The bit-sliced entry's batch is word rows,
// which the split's 64-row granule does not divide below 64 rows (32768
// samples), so it has no such row.
BENCHMARK_CAPTURE(FeaturePacked, 2_threads, p1_specialise_t2_packed)
    ->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(FeaturePacked, table, p1_table_packed)
    ->Arg(1)->Arg(64)->Arg(512)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
