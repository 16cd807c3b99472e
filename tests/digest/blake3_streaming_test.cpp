// Streaming BLAKE3: any split of the input into update() calls gives the
// one-shot result, and finalize() leaves the hasher usable.
#include <gtest/gtest.h>

#include "blake3_test_support.hpp"
#include "digest/blake3.hpp"

namespace zastava::digest {
namespace {

Blake3Digest hash_in_pieces(ByteView input, const std::vector<std::size_t>& cuts) {
  Blake3Hasher hasher;
  std::size_t begin = 0;
  for (const std::size_t cut : cuts) {
    hasher.update(input.subspan(begin, cut - begin));
    begin = cut;
  }
  hasher.update(input.subspan(begin));
  return hasher.finalize();
}

TEST(Blake3Streaming, RandomSplitsEqualOneShot) {
  std::mt19937 rng(20240611);
  // Around 1, 2, 3 and many chunks, and past a whole 256-chunk subtree.
  for (const std::size_t length :
       {0u, 1u, 64u, 1023u, 1024u, 1025u, 2048u, 3073u, 8193u, 65537u, 300000u, 1100000u}) {
    const Bytes input = testing::random_bytes(length, static_cast<std::uint32_t>(length));
    const Blake3Digest expected = blake3(input);
    for (int trial = 0; trial < 25; ++trial) {
      std::vector<std::size_t> cuts;
      const std::size_t pieces = rng() % 12;
      std::uniform_int_distribution<std::size_t> position(0, length);
      for (std::size_t i = 0; i < pieces; ++i) cuts.push_back(position(rng));
      std::sort(cuts.begin(), cuts.end());
      EXPECT_EQ(hash_in_pieces(input, cuts), expected)
          << "length " << length << ", trial " << trial << ", " << cuts.size() << " cuts";
    }
  }
}

TEST(Blake3Streaming, CutsOnChunkAndBlockBoundaries) {
  const Bytes input = testing::random_bytes(20 * 1024 + 5, 7);
  const Blake3Digest expected = blake3(input);
  for (const std::size_t step : {1u, 63u, 64u, 65u, 1000u, 1024u, 1025u, 4096u, 8192u}) {
    std::vector<std::size_t> cuts;
    for (std::size_t cut = step; cut < input.size(); cut += step) cuts.push_back(cut);
    EXPECT_EQ(hash_in_pieces(input, cuts), expected) << "pieces of " << step << " bytes";
  }
}

TEST(Blake3Streaming, EmptyUpdatesChangeNothing) {
  const Bytes input = testing::random_bytes(5000, 3);
  Blake3Hasher hasher;
  hasher.update({});
  hasher.update(ByteView(input).first(1024));
  hasher.update({});
  hasher.update(ByteView(input).subspan(1024));
  hasher.update({});
  EXPECT_EQ(hasher.finalize(), blake3(input));
}

TEST(Blake3Streaming, FinalizeDoesNotConsumeTheState) {
  const Bytes input = testing::random_bytes(10000, 11);
  Blake3Hasher hasher;
  hasher.update(ByteView(input).first(4096));
  EXPECT_EQ(hasher.finalize(), blake3(ByteView(input).first(4096)));
  EXPECT_EQ(hasher.finalize(), blake3(ByteView(input).first(4096)));  // again, same
  hasher.update(ByteView(input).subspan(4096));
  EXPECT_EQ(hasher.finalize(), blake3(input));
}

TEST(Blake3Streaming, KeyedAndDeriveKeyStreamToo) {
  const Bytes input = testing::random_bytes(70000, 5);
  Blake3Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(3 * i + 1);
  Blake3Hasher keyed = Blake3Hasher::keyed(key);
  Blake3Hasher derive = Blake3Hasher::derive_key("zastava 2024 blake3 streaming test");
  for (std::size_t begin = 0; begin < input.size(); begin += 777) {
    const ByteView piece =
        ByteView(input).subspan(begin, std::min<std::size_t>(777, input.size() - begin));
    keyed.update(piece);
    derive.update(piece);
  }
  EXPECT_EQ(keyed.finalize(), blake3_keyed(key, input));
  EXPECT_EQ(derive.finalize(), blake3_derive_key("zastava 2024 blake3 streaming test", input));
}

TEST(Blake3Streaming, StateIsBoundedAndAllocationFree) {
  // The chaining-value stack is a fixed array: 54 levels cover 2^64 bytes,
  // plus one entry awaiting its lazy merge.
  EXPECT_EQ(Blake3Hasher::kMaxStackDepth, 55u);
  EXPECT_LE(sizeof(Blake3Hasher), 2048u);
}

}  // namespace
}  // namespace zastava::digest
