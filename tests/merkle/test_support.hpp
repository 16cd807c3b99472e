#pragma once
// Small helpers shared by the merkle tests.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/hex.hpp"
#include "merkle/merkle_tree.hpp"
#include "reference_vectors.hpp"

namespace zastava::merkle::testing {

inline Hash hash_from_hex(std::string_view hex) {
  const Bytes bytes = encoding::hex_decode(hex).value();
  EXPECT_EQ(bytes.size(), sizeof(Hash)) << hex;
  Hash hash{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), hash.size()), hash.begin());
  return hash;
}

inline std::vector<Hash> hashes_from_hex(const std::vector<std::string_view>& hexes) {
  std::vector<Hash> hashes;
  for (const auto hex : hexes) hashes.push_back(hash_from_hex(hex));
  return hashes;
}

// The first `count` leaves of the RFC 6962 reference tree.
inline std::vector<Bytes> reference_leaves(std::size_t count) {
  std::vector<Bytes> leaves;
  for (std::size_t i = 0; i < count; ++i) {
    leaves.push_back(encoding::hex_decode(kLeavesHex.at(i)).value());
  }
  return leaves;
}

// Distinct leaves for property tests: "leaf-0", "leaf-1", ...
inline std::vector<Bytes> numbered_leaves(std::size_t count) {
  std::vector<Bytes> leaves;
  for (std::size_t i = 0; i < count; ++i) leaves.push_back(to_bytes("leaf-" + std::to_string(i)));
  return leaves;
}

inline std::vector<Hash> leaf_hashes_of(const std::vector<Bytes>& leaves) {
  std::vector<Hash> hashes;
  for (const Bytes& leaf : leaves) hashes.push_back(leaf_hash(leaf));
  return hashes;
}

inline std::vector<Hash> first(const std::vector<Hash>& hashes, std::size_t count) {
  return {hashes.begin(), hashes.begin() + static_cast<std::ptrdiff_t>(count)};
}

inline Hash with_flipped_bit(Hash hash, std::size_t byte = 0, std::uint8_t mask = 0x08) {
  hash[byte] = static_cast<std::uint8_t>(hash[byte] ^ mask);
  return hash;
}

inline std::string hex_of(const Hash& hash) {
  return encoding::hex_encode(hash);
}

}  // namespace zastava::merkle::testing
