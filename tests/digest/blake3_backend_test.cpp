// Every SIMD backend this machine supports against the portable one: the
// whole hasher at lengths around block, chunk and subtree boundaries, and the
// "hash many" kernels directly, including chunk counters that carry past
// 32 bits (which no test input is long enough to reach).
#include <gtest/gtest.h>

#include "blake3_test_support.hpp"
#include "digest/blake3.hpp"

namespace zastava::digest {
namespace {

using testing::Blake3Backend;

class Blake3Backends : public ::testing::TestWithParam<Blake3Backend> {};

Blake3Digest hash_on(Blake3Backend backend, ByteView input) {
  Blake3Hasher hasher = testing::on(backend, Blake3Hasher());
  hasher.update(input);
  return hasher.finalize();
}

TEST(Blake3Backend, BestIsSupportedAndPortableAlwaysIs) {
  EXPECT_TRUE(detail::blake3_backend_supported(detail::blake3_best_backend()));
  EXPECT_TRUE(detail::blake3_backend_supported(Blake3Backend::kPortable));
  std::cout << "[ INFO     ] BLAKE3 backends here:";
  for (const auto backend : testing::supported_backends())
    std::cout << " " << testing::name_of(backend);
  std::cout << " (best: " << testing::name_of(detail::blake3_best_backend()) << ")\n";
}

TEST_P(Blake3Backends, EqualsPortableAtEveryLengthUpTo4100) {
  const Bytes input = testing::random_bytes(4100, 1);
  for (std::size_t length = 0; length <= input.size(); ++length) {
    const ByteView prefix = ByteView(input).first(length);
    ASSERT_EQ(hash_on(GetParam(), prefix), hash_on(Blake3Backend::kPortable, prefix))
        << "length " << length;
  }
}

TEST_P(Blake3Backends, EqualsPortableOnLargerInputs) {
  for (const std::size_t length :
       {16383u, 16384u, 16385u, 262143u, 262144u, 262145u, (1u << 20) + 7u, 3u * (1u << 20) + 1u}) {
    const Bytes input = testing::random_bytes(length, static_cast<std::uint32_t>(length));
    EXPECT_EQ(hash_on(GetParam(), input), hash_on(Blake3Backend::kPortable, input))
        << "length " << length;
  }
}

TEST_P(Blake3Backends, KeyedAndDeriveKeyEqualPortable) {
  const Bytes input = testing::random_bytes(40000, 9);
  Blake3Key key{};
  key.fill(0xa5);
  for (const auto& make : {+[](const Blake3Key& k) { return Blake3Hasher::keyed(k); },
                           +[](const Blake3Key&) { return Blake3Hasher::derive_key("ctx"); }}) {
    Blake3Hasher simd = testing::on(GetParam(), make(key));
    Blake3Hasher portable = testing::on(Blake3Backend::kPortable, make(key));
    simd.update(input);
    portable.update(input);
    EXPECT_EQ(simd.finalize(), portable.finalize());
  }
}

// Runs one kernel request on `backend` and returns the chaining values.
Bytes run_kernel(Blake3Backend backend, const Bytes& data, std::size_t count, std::size_t blocks,
                 std::uint64_t counter, bool increment, std::uint8_t flags) {
  std::vector<const std::uint8_t*> inputs;
  for (std::size_t i = 0; i < count; ++i) inputs.push_back(data.data() + i * blocks * 64);
  const std::array<std::uint32_t, 8> key = {1, 2, 3, 4, 5, 6, 7, 8};
  Bytes out(count * 32);
  detail::blake3_hash_many(backend, {inputs.data(), count, blocks, key.data(), counter, increment,
                                     flags, detail::kChunkStart, detail::kChunkEnd, out.data()});
  return out;
}

TEST_P(Blake3Backends, KernelEqualsPortableOnCountsBlocksAndCounters) {
  const Bytes data = testing::random_bytes(40 * 16 * 64, 17);
  // Counters just below 2^32 make some lanes carry into the high word.
  for (const std::uint64_t counter :
       {std::uint64_t{0}, std::uint64_t{0xFFFFFFF5}, std::uint64_t{0x1234567800000000}}) {
    for (const std::size_t count : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 33u, 40u}) {
      for (const std::size_t blocks : {1u, 2u, 16u}) {
        for (const bool increment : {true, false}) {
          EXPECT_EQ(
              run_kernel(GetParam(), data, count, blocks, counter, increment, 0),
              run_kernel(Blake3Backend::kPortable, data, count, blocks, counter, increment, 0))
              << "count " << count << ", blocks " << blocks << ", counter " << counter
              << (increment ? ", incrementing" : ", fixed");
        }
      }
    }
  }
}

TEST(Blake3Backend, PortableKernelMatchesTheCompressionFunction) {
  // One input of one block: hash_many must be one compression with the
  // start and end flags, keeping the first 8 words.
  const Bytes block = testing::random_bytes(64, 23);
  const Bytes cv = run_kernel(Blake3Backend::kPortable, block, 1, 1, 42, true, detail::kParent);
  const std::array<std::uint32_t, 8> key = {1, 2, 3, 4, 5, 6, 7, 8};
  std::uint32_t words[16];
  detail::blake3_compress(key.data(), block.data(), 42, 64,
                          detail::kParent | detail::kChunkStart | detail::kChunkEnd, words);
  for (std::size_t i = 0; i < 8; ++i) {
    const std::uint32_t got = std::uint32_t{cv[4 * i]} | std::uint32_t{cv[4 * i + 1]} << 8 |
                              std::uint32_t{cv[4 * i + 2]} << 16 |
                              std::uint32_t{cv[4 * i + 3]} << 24;
    EXPECT_EQ(got, words[i]) << "word " << i;
  }
}

// Off x86-64 there is no SIMD backend to compare.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Blake3Backends);
INSTANTIATE_TEST_SUITE_P(SimdBackends, Blake3Backends,
                         ::testing::ValuesIn(testing::simd_backends()), testing::BackendName());

}  // namespace
}  // namespace zastava::digest
