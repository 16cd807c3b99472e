#include "crypto/key_type.hpp"

#include <gtest/gtest.h>

namespace zastava::crypto {
namespace {

TEST(KeyType, NamesRoundTrip) {
  for (const KeyType type : {KeyType::kEcdsaP256, KeyType::kEd25519, KeyType::kRsaPss3072}) {
    auto parsed = parse_key_type(key_type_name(type));
    ASSERT_TRUE(parsed.ok()) << key_type_name(type);
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_EQ(key_type_name(KeyType::kEcdsaP256), "ecdsa-p256");
  EXPECT_EQ(key_type_name(KeyType::kEd25519), "ed25519");
  EXPECT_EQ(key_type_name(KeyType::kRsaPss3072), "rsa-pss-3072");
}

TEST(KeyType, UnknownNameListsTheSupportedOnes) {
  auto parsed = parse_key_type("ecdsa-p384");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(parsed.error().message.find("ecdsa-p384"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("ecdsa-p256, ed25519, rsa-pss-3072"), std::string::npos);
  EXPECT_FALSE(parse_key_type("ED25519").ok());  // names are exact
  EXPECT_FALSE(parse_key_type("").ok());
}

}  // namespace
}  // namespace zastava::crypto
