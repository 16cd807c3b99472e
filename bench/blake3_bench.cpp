// BLAKE3 over 1 MiB on each backend this CPU supports (bytes/s), one-shot,
// and streamed in 64 KiB updates as the CLI would.
// Run: zastava_bench --benchmark_filter=Blake3
#include <benchmark/benchmark.h>

#include "digest/blake3.hpp"
#include "digest/blake3_detail.hpp"

namespace {

using zastava::digest::Blake3Hasher;
using zastava::digest::detail::Blake3Backend;

const zastava::Bytes& one_mib() {
  static const zastava::Bytes data = [] {
    zastava::Bytes bytes(std::size_t{1} << 20);
    std::uint32_t x = 2463534242u;  // xorshift: incompressible, deterministic
    for (auto& byte : bytes) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      byte = static_cast<std::uint8_t>(x);
    }
    return bytes;
  }();
  return data;
}

void BM_Blake3_1MiB(benchmark::State& state, Blake3Backend backend, std::size_t update_size) {
  if (!zastava::digest::detail::blake3_backend_supported(backend)) {
    state.SkipWithError("backend not supported on this CPU");
    return;
  }
  const zastava::ByteView data = one_mib();
  for (auto _ : state) {
    Blake3Hasher hasher =
        zastava::digest::detail::Blake3HasherAccess::with_backend(Blake3Hasher(), backend);
    for (std::size_t offset = 0; offset < data.size(); offset += update_size) {
      hasher.update(data.subspan(offset, std::min(update_size, data.size() - offset)));
    }
    benchmark::DoNotOptimize(hasher.finalize());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(data.size()));
}

constexpr std::size_t kWhole = std::size_t{1} << 20;
constexpr std::size_t k64KiB = std::size_t{64} << 10;

BENCHMARK_CAPTURE(BM_Blake3_1MiB, portable, Blake3Backend::kPortable, kWhole);
BENCHMARK_CAPTURE(BM_Blake3_1MiB, avx2, Blake3Backend::kAvx2, kWhole);
BENCHMARK_CAPTURE(BM_Blake3_1MiB, avx512, Blake3Backend::kAvx512, kWhole);
BENCHMARK_CAPTURE(BM_Blake3_1MiB, avx512_64KiB_updates, Blake3Backend::kAvx512, k64KiB);

void BM_Blake3_OneShot_1KiB(benchmark::State& state) {
  const zastava::ByteView data = zastava::ByteView(one_mib()).first(1024);
  for (auto _ : state) benchmark::DoNotOptimize(zastava::digest::blake3(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_Blake3_OneShot_1KiB);

}  // namespace
