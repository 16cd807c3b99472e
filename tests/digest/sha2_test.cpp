#include "digest/sha2.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"

namespace zastava::digest {
namespace {

using encoding::hex_encode;

// FIPS 180-2 / NIST example vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(hex_encode(sha256(as_bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      hex_encode(sha256(as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha512, KnownVectors) {
  EXPECT_EQ(hex_encode(sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Sha256Hasher, StreamingEqualsOneShotAcrossSplits) {
  const std::string text(1000, 'a');
  const auto expected = sha256(as_bytes(text));
  for (std::size_t split : {0u, 1u, 63u, 64u, 65u, 999u, 1000u}) {
    Sha256Hasher hasher;
    hasher.update(as_bytes(std::string_view(text).substr(0, split)));
    hasher.update(as_bytes(std::string_view(text).substr(split)));
    EXPECT_EQ(hasher.finish(), expected) << "split " << split;
  }
}

TEST(Sha256Hasher, MillionAs) {
  Sha256Hasher hasher;
  const std::string block(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.update(as_bytes(block));
  EXPECT_EQ(hex_encode(hasher.finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha512Hasher, MovedHasherKeepsState) {
  Sha512Hasher a;
  a.update(as_bytes("ab"));
  Sha512Hasher b = std::move(a);
  b.update(as_bytes("c"));
  EXPECT_EQ(b.finish(), sha512(as_bytes("abc")));
}

}  // namespace
}  // namespace zastava::digest
