// SHA-256 over 1 MiB (BLAKE3 benchmarks live in blake3_bench.cpp).
#include <benchmark/benchmark.h>

#include "digest/sha2.hpp"

namespace {

void BM_Sha256_1MiB(benchmark::State& state) {
  const zastava::Bytes data(1u << 20, 0x5a);
  for (auto _ : state) {
    benchmark::DoNotOptimize(zastava::digest::sha256(data));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_Sha256_1MiB);

}  // namespace
