#include "dsse/signing.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "dsse/pae.hpp"

namespace zastava::dsse {
namespace {

using crypto::KeyType;
using crypto::PrivateKey;

TEST(SignEnvelope, OneSignatureAKeyInOrderWithKeyidsOverThePae) {
  auto ecdsa = PrivateKey::generate(KeyType::kEcdsaP256);
  auto ed25519 = PrivateKey::generate(KeyType::kEd25519);
  ASSERT_TRUE(ecdsa.ok() && ed25519.ok());
  const std::vector<const PrivateKey*> keys = {&*ecdsa, &*ed25519};
  const Bytes payload = to_bytes(R"({"hello":"world"})");
  auto envelope = sign_envelope("application/json", payload, keys);
  ASSERT_TRUE(envelope.ok()) << envelope.error().describe();
  EXPECT_EQ(envelope->payload_type, "application/json");
  EXPECT_EQ(envelope->payload, payload);
  ASSERT_EQ(envelope->signatures.size(), 2u);
  EXPECT_EQ(envelope->signatures[0].keyid, ecdsa->public_key().keyid());
  EXPECT_EQ(envelope->signatures[1].keyid, ed25519->public_key().keyid());
  const Bytes signed_bytes = pae("application/json", payload);
  EXPECT_TRUE(ecdsa->public_key().verify(signed_bytes, envelope->signatures[0].sig).ok());
  EXPECT_TRUE(ed25519->public_key().verify(signed_bytes, envelope->signatures[1].sig).ok());
  // The signature covers the PAE, not the bare payload.
  EXPECT_FALSE(ed25519->public_key().verify(payload, envelope->signatures[1].sig).ok());
}

TEST(SignEnvelope, RejectsMissingKeysAndEmptyPayloadType) {
  auto key = PrivateKey::generate(KeyType::kEd25519);
  ASSERT_TRUE(key.ok());
  const std::vector<const PrivateKey*> none;
  EXPECT_EQ(sign_envelope("t", to_bytes("x"), none).error().code, ErrorCode::kInvalidArgument);
  const std::vector<const PrivateKey*> with_null = {&*key, nullptr};
  auto null_key = sign_envelope("t", to_bytes("x"), with_null);
  ASSERT_FALSE(null_key.ok());
  EXPECT_EQ(null_key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(null_key.error().message.find("key #1 is null"), std::string::npos);
  const std::vector<const PrivateKey*> one = {&*key};
  EXPECT_EQ(sign_envelope("", to_bytes("x"), one).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace zastava::dsse
