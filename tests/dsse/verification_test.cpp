#include "dsse/verification.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "dsse/pae.hpp"
#include "dsse/signing.hpp"

namespace zastava::dsse {
namespace {

using crypto::KeyType;
using crypto::PrivateKey;
using crypto::PublicKey;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

constexpr std::string_view kType = "application/vnd.in-toto+json";

// Three trusted signers of two schemes, and one stranger.
class VerifyEnvelope : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const KeyType type :
         {KeyType::kEcdsaP256, KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEd25519}) {
      auto key = PrivateKey::generate(type);
      ASSERT_TRUE(key.ok()) << key.error().describe();
      keys_.push_back(std::move(key).value());
    }
    for (std::size_t i = 0; i < 3; ++i) trust_.add(keys_[i].public_key());
  }

  const PrivateKey& a() const { return keys_[0]; }
  const PrivateKey& b() const { return keys_[1]; }
  const PrivateKey& c() const { return keys_[2]; }
  const PrivateKey& stranger() const { return keys_[3]; }

  Envelope sign(std::vector<const PrivateKey*> signers) const {
    auto envelope = sign_envelope(kType, payload_, signers);
    EXPECT_TRUE(envelope.ok()) << envelope.error().describe();
    return std::move(envelope).value();
  }

  static std::vector<std::string> sorted(std::vector<std::string> keyids) {
    std::sort(keyids.begin(), keyids.end());
    return keyids;
  }

  Bytes payload_ = to_bytes(R"({"_type":"https://in-toto.io/Statement/v1"})");
  std::vector<PrivateKey> keys_;
  TrustSet trust_;
};

TEST_F(VerifyEnvelope, OneTrustedSignatureMeetsThresholdOne) {
  auto verified = verify_envelope(sign({&a()}), trust_, 1, kType);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->payload_type, kType);
  EXPECT_EQ(verified->payload, payload_);
  EXPECT_EQ(verified->keyids, std::vector<std::string>{a().public_key().keyid()});
}

TEST_F(VerifyEnvelope, TwoOfThreeWithOneBadSignature) {
  Envelope envelope = sign({&a(), &b(), &c()});
  envelope.signatures[1].sig.back() ^= 0x01;  // b's signature is now wrong
  auto verified = verify_envelope(envelope, trust_, 2);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->keyids, sorted({a().public_key().keyid(), c().public_key().keyid()}));

  auto three = verify_envelope(envelope, trust_, 3);
  ASSERT_FALSE(three.ok());
  EXPECT_EQ(three.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(contains(three.error().message, "2 of 3 required trusted signatures verified"))
      << three.error().message;
  EXPECT_TRUE(contains(three.error().message,
                       "keyid " + b().public_key().keyid() + " did not verify: ed25519"))
      << three.error().message;
}

TEST_F(VerifyEnvelope, TheSameKeySigningTwiceCountsOnce) {
  Envelope envelope = sign({&a(), &a()});
  auto verified = verify_envelope(envelope, trust_, 2);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "1 of 2 required trusted signatures verified"))
      << verified.error().message;
  // ... also when one copy has no keyid and is matched by trial.
  envelope.signatures[1].keyid.clear();
  EXPECT_FALSE(verify_envelope(envelope, trust_, 2).ok());
  auto once = verify_envelope(envelope, trust_, 1);
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(once->keyids.size(), 1u);
}

TEST_F(VerifyEnvelope, UnknownKeyidsAreIgnoredAndReported) {
  const Envelope envelope = sign({&stranger(), &a()});
  auto verified = verify_envelope(envelope, trust_, 1);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->keyids, std::vector<std::string>{a().public_key().keyid()});
  auto two = verify_envelope(envelope, trust_, 2);
  ASSERT_FALSE(two.ok());
  EXPECT_TRUE(contains(two.error().message,
                       "1 of 2 required trusted signatures verified; 1 "
                       "signature with unknown keyid ignored"))
      << two.error().message;
}

TEST_F(VerifyEnvelope, EmptyKeyidIsTriedAgainstEveryTrustedKey) {
  Envelope envelope = sign({&c(), &b()});
  for (Signature& signature : envelope.signatures) signature.keyid.clear();
  auto verified = verify_envelope(envelope, trust_, 2);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->keyids, sorted({b().public_key().keyid(), c().public_key().keyid()}));

  Envelope strangers = sign({&stranger()});
  strangers.signatures[0].keyid.clear();
  auto none = verify_envelope(strangers, trust_, 1);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(
      contains(none.error().message, "signature #0 (no keyid) matched none of the 3 trusted keys"))
      << none.error().message;
}

TEST_F(VerifyEnvelope, AFailedSignatureDoesNotPoisonALaterGoodOneBySameKey) {
  Envelope envelope = sign({&a(), &a()});
  envelope.signatures[0].sig = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
  auto verified = verify_envelope(envelope, trust_, 1);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->keyids, std::vector<std::string>{a().public_key().keyid()});
}

TEST_F(VerifyEnvelope, ASignatureUnderAnotherKeysKeyidDoesNotCount) {
  Envelope envelope = sign({&stranger()});
  envelope.signatures[0].keyid = b().public_key().keyid();  // same scheme, wrong key
  auto verified = verify_envelope(envelope, trust_, 1);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "did not verify")) << verified.error().message;
}

TEST_F(VerifyEnvelope, WrongPayloadTypeIsRejectedBeforeAnySignature) {
  auto verified = verify_envelope(sign({&a()}), trust_, 1, "application/json");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(contains(verified.error().message,
                       "payload type \"application/vnd.in-toto+json\" is not the expected "
                       "\"application/json\""))
      << verified.error().message;
}

TEST_F(VerifyEnvelope, TamperingWithPayloadTypeOrSignatureFails) {
  const Envelope original = sign({&a(), &b()});
  Envelope payload = original;
  payload.payload.push_back(' ');
  Envelope type = original;
  type.payload_type = "application/json";  // the signature binds the type too
  Envelope signature = original;
  signature.signatures[0].sig[signature.signatures[0].sig.size() - 3] ^= 0x40;
  for (const Envelope* tampered : {&payload, &type}) {
    auto verified = verify_envelope(*tampered, trust_, 1);
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code, ErrorCode::kVerification);
    EXPECT_TRUE(contains(verified.error().message, "0 of 1 required")) << verified.error().message;
  }
  EXPECT_FALSE(verify_envelope(signature, trust_, 2).ok());
  EXPECT_TRUE(verify_envelope(signature, trust_, 1).ok());  // b still verifies
}

TEST_F(VerifyEnvelope, BadArgumentsFailClosed) {
  const Envelope envelope = sign({&a()});
  auto zero = verify_envelope(envelope, trust_, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(zero.error().message, "threshold must be >= 1"));
  auto too_high = verify_envelope(envelope, trust_, 4);
  ASSERT_FALSE(too_high.ok());
  EXPECT_EQ(too_high.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(too_high.error().message, "threshold 4 exceeds the 3 trusted keys"));
  EXPECT_EQ(verify_envelope(envelope, TrustSet{}, 1).error().code, ErrorCode::kInvalidArgument);
  Envelope unsigned_envelope = envelope;
  unsigned_envelope.signatures.clear();
  auto none = verify_envelope(unsigned_envelope, trust_, 1);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(contains(none.error().message, "no signatures"));
}

TEST_F(VerifyEnvelope, MalformedSignatureBytesFailWithTheReason) {
  Envelope envelope = sign({&a(), &b()});
  envelope.signatures[0].sig = {0x01, 0x02};
  envelope.signatures[1].sig.resize(63);
  auto verified = verify_envelope(envelope, trust_, 1);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "ecdsa-p256 signature must be"))
      << verified.error().message;
  EXPECT_TRUE(contains(verified.error().message, "ed25519 signature must be 64 bytes, got 63"))
      << verified.error().message;
}

TEST(TrustSet, KeysAreAddedOnceAndFoundByKeyid) {
  auto key = PrivateKey::generate(KeyType::kEd25519);
  ASSERT_TRUE(key.ok());
  TrustSet trust;
  EXPECT_TRUE(trust.add(key->public_key()));
  EXPECT_FALSE(trust.add(key->public_key()));
  EXPECT_EQ(trust.size(), 1u);
  ASSERT_NE(trust.find(key->public_key().keyid()), nullptr);
  EXPECT_EQ(*trust.find(key->public_key().keyid()), key->public_key());
  EXPECT_EQ(trust.find("sha256:0000"), nullptr);
  EXPECT_EQ(trust.find(""), nullptr);
  const std::vector<PublicKey> keys = {key->public_key(), key->public_key()};
  EXPECT_EQ(TrustSet(keys).size(), 1u);
}

TEST(VerifyEnvelopeRsa, RsaPss3072EnvelopesVerify) {
  auto key = PrivateKey::generate(KeyType::kRsaPss3072);
  ASSERT_TRUE(key.ok());
  const std::vector<const PrivateKey*> signers = {&*key};
  auto envelope = sign_envelope("text/plain", to_bytes("rsa"), signers);
  ASSERT_TRUE(envelope.ok());
  TrustSet trust;
  trust.add(key->public_key());
  EXPECT_TRUE(verify_envelope(*envelope, trust, 1).ok());
  envelope->payload.push_back('!');
  EXPECT_FALSE(verify_envelope(*envelope, trust, 1).ok());
}

}  // namespace
}  // namespace zastava::dsse
