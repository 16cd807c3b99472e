#include "digest/content_id.hpp"

#include <gtest/gtest.h>

namespace zastava::digest {
namespace {

constexpr const char* kEmptySha256 =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(ContentId, Sha256OfFormatsAsAlgorithmColonHex) {
  EXPECT_EQ(ContentId::sha256_of(as_bytes("")).to_string(), kEmptySha256);
}

TEST(ContentId, ParseRoundTrips) {
  auto id = ContentId::parse(kEmptySha256);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->algorithm(), Algorithm::kSha256);
  EXPECT_EQ(id->to_string(), kEmptySha256);
  EXPECT_EQ(*id, ContentId::sha256_of(as_bytes("")));
  const std::string sha512_id = ContentId::of(Algorithm::kSha512, as_bytes("x")).to_string();
  EXPECT_EQ(ContentId::parse(sha512_id)->to_string(), sha512_id);
}

TEST(ContentId, ParseIsStrict) {
  const std::string hex64(64, 'a');
  EXPECT_TRUE(ContentId::parse("sha256:" + hex64).ok());
  EXPECT_TRUE(ContentId::parse("blake3:" + hex64).ok());
  EXPECT_EQ(ContentId::parse("sha256" + hex64).error().code, ErrorCode::kParse);  // no colon
  EXPECT_EQ(ContentId::parse("SHA256:" + hex64).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(ContentId::parse("md5:" + hex64).error().code, ErrorCode::kUnsupported);
  EXPECT_FALSE(ContentId::parse("sha256:" + std::string(64, 'A')).ok());  // upper case
  EXPECT_FALSE(ContentId::parse("sha256:" + std::string(63, 'a')).ok());  // short
  EXPECT_FALSE(ContentId::parse("sha256:" + std::string(66, 'a')).ok());  // long
  EXPECT_FALSE(ContentId::parse("sha256:" + hex64 + " ").ok());           // trailing space
  EXPECT_FALSE(ContentId::parse(" sha256:" + hex64).ok());
  EXPECT_FALSE(ContentId::parse("sha512:" + hex64).ok());  // sha512 needs 128 digits
  EXPECT_FALSE(ContentId::parse("sha256:" + std::string(62, 'a') + "zz").ok());
}

TEST(ContentId, ConstructorRejectsWrongLength) {
  EXPECT_THROW(ContentId(Algorithm::kSha256, Bytes(31)), std::invalid_argument);
}

TEST(ContentId, OrderingIsStable) {
  auto a = ContentId::parse("sha256:" + std::string(64, '0')).value();
  auto b = ContentId::parse("sha256:" + std::string(64, 'f')).value();
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace zastava::digest
