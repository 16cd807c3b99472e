#include <gtest/gtest.h>

#include "crypto/private_key.hpp"
#include "crypto/public_key.hpp"
#include "digest/content_id.hpp"
#include "fixtures.hpp"

namespace zastava::crypto {
namespace {

using testing::expected_keyid;
using testing::read_fixture;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class GeneratedKeys : public ::testing::TestWithParam<KeyType> {};

TEST_P(GeneratedKeys, HaveTheRequestedTypeAndAContentAddressedKeyid) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->type(), GetParam());
  const PublicKey& public_key = key->public_key();
  EXPECT_EQ(public_key.type(), GetParam());
  auto keyid = digest::ContentId::parse(public_key.keyid());
  ASSERT_TRUE(keyid.ok()) << public_key.keyid();
  EXPECT_EQ(*keyid, digest::ContentId::sha256_of(public_key.spki_der()));
}

TEST_P(GeneratedKeys, RoundTripThroughPem) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key.ok()) << key.error().describe();
  const std::string private_pem = key->to_pem();
  EXPECT_TRUE(private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << private_pem;  // PKCS#8

  auto reloaded = PrivateKey::from_pem(private_pem);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().describe();
  EXPECT_EQ(reloaded->public_key(), key->public_key());
  EXPECT_EQ(reloaded->to_pem(), private_pem);

  const std::string public_pem = key->public_key().to_pem();
  EXPECT_TRUE(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n")) << public_pem;
  auto public_key = PublicKey::from_pem(public_pem);
  ASSERT_TRUE(public_key.ok()) << public_key.error().describe();
  EXPECT_EQ(public_key->keyid(), key->public_key().keyid());
  EXPECT_EQ(public_key->type(), GetParam());

  auto from_der = PublicKey::from_spki_der(key->public_key().spki_der());
  ASSERT_TRUE(from_der.ok()) << from_der.error().describe();
  EXPECT_EQ(from_der->keyid(), key->public_key().keyid());
}

TEST_P(GeneratedKeys, AreDistinct) {
  auto first = PrivateKey::generate(GetParam());
  auto second = PrivateKey::generate(GetParam());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->public_key().keyid(), second->public_key().keyid());
}

INSTANTIATE_TEST_SUITE_P(AllTypes, GeneratedKeys, testing::all_key_types(),
                         testing::KeyTypeTestName{});

// The fixtures were made by the openssl command, which also computed the
// expected keyids (tests/data/crypto/generate.sh).
struct FixtureKey {
  const char* private_pem;
  const char* keyid_file;
  KeyType type;
};

class OpensslFixtureKeys : public ::testing::TestWithParam<FixtureKey> {};

TEST_P(OpensslFixtureKeys, LoadWithTheKeyidOpensslComputed) {
  auto key = PrivateKey::from_pem(read_fixture(GetParam().private_pem));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->type(), GetParam().type);
  EXPECT_EQ(key->public_key().keyid(), expected_keyid(GetParam().keyid_file));
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, OpensslFixtureKeys,
    ::testing::Values(FixtureKey{"p256_pkcs8.pem", "p256.keyid", KeyType::kEcdsaP256},
                      FixtureKey{"p256_traditional.pem", "p256.keyid", KeyType::kEcdsaP256},
                      FixtureKey{"ed25519_pkcs8.pem", "ed25519.keyid", KeyType::kEd25519},
                      FixtureKey{"rsa3072_pkcs8.pem", "rsa3072.keyid", KeyType::kRsaPss3072},
                      FixtureKey{"rsa3072_traditional.pem", "rsa3072.keyid", KeyType::kRsaPss3072}),
    [](const auto& param_info) {
      std::string name = param_info.param.private_pem;
      return name.substr(0, name.find('.'));
    });

TEST(PublicKey, SpkiPemFixturesHaveOpensslsKeyid) {
  auto p256 = PublicKey::from_pem(read_fixture("p256_pub.pem"));
  ASSERT_TRUE(p256.ok()) << p256.error().describe();
  EXPECT_EQ(p256->keyid(), expected_keyid("p256.keyid"));
  EXPECT_EQ(p256->to_pem(), read_fixture("p256_pub.pem"));
  auto ed25519 = PublicKey::from_pem(read_fixture("ed25519_pub.pem"));
  ASSERT_TRUE(ed25519.ok()) << ed25519.error().describe();
  EXPECT_EQ(ed25519->keyid(), expected_keyid("ed25519.keyid"));
}

TEST(PublicKey, CertificateKeyidIsItsKeysKeyid) {
  auto p256 = PublicKey::from_certificate_pem(read_fixture("p256_cert.pem"));
  ASSERT_TRUE(p256.ok()) << p256.error().describe();
  EXPECT_EQ(p256->type(), KeyType::kEcdsaP256);
  EXPECT_EQ(p256->keyid(), expected_keyid("p256.keyid"));
  auto ed25519 = PublicKey::from_certificate_pem(read_fixture("ed25519_cert.pem"));
  ASSERT_TRUE(ed25519.ok()) << ed25519.error().describe();
  EXPECT_EQ(ed25519->keyid(), expected_keyid("ed25519.keyid"));
  auto private_key = PrivateKey::from_pem(read_fixture("p256_pkcs8.pem"));
  ASSERT_TRUE(private_key.ok());
  EXPECT_EQ(private_key->public_key(), *p256);
}

void expect_unsupported(const Result<PrivateKey>& key, std::string_view detail) {
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kUnsupported) << key.error().describe();
  EXPECT_TRUE(contains(key.error().message, detail)) << key.error().message;
}

void expect_unsupported(const Result<PublicKey>& key, std::string_view detail) {
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kUnsupported) << key.error().describe();
  EXPECT_TRUE(contains(key.error().message, detail)) << key.error().message;
}

TEST(KeyRejection, OtherCurvesSizesAndAlgorithmsAreUnsupported) {
  expect_unsupported(PrivateKey::from_pem(read_fixture("p384_pkcs8.pem")), "secp384r1");
  expect_unsupported(PublicKey::from_pem(read_fixture("p384_pub.pem")), "only P-256");
  expect_unsupported(PublicKey::from_certificate_pem(read_fixture("p384_cert.pem")), "secp384r1");
  expect_unsupported(PrivateKey::from_pem(read_fixture("rsa2048_pkcs8.pem")), "2048 bits");
  expect_unsupported(PublicKey::from_pem(read_fixture("rsa2048_pub.pem")), "only 3072-bit");
  expect_unsupported(PrivateKey::from_pem(read_fixture("dsa_pkcs8.pem")), "DSA");
  expect_unsupported(PrivateKey::from_pem(read_fixture("ed448_pkcs8.pem")), "ED448");
}

TEST(KeyRejection, EncryptedKeysFailWithoutPrompting) {
  expect_unsupported(PrivateKey::from_pem(read_fixture("p256_encrypted.pem")), "encrypted");
}

TEST(KeyRejection, MalformedPemIsAParseErrorSayingWhatWasExpected) {
  auto not_pem = PrivateKey::from_pem("hello");
  ASSERT_FALSE(not_pem.ok());
  EXPECT_EQ(not_pem.error().code, ErrorCode::kParse);
  EXPECT_TRUE(contains(not_pem.error().message, "not a PEM private key"));

  // A public key where a private key belongs, and the other way round.
  auto public_as_private = PrivateKey::from_pem(read_fixture("p256_pub.pem"));
  ASSERT_FALSE(public_as_private.ok());
  EXPECT_EQ(public_as_private.error().code, ErrorCode::kParse);
  auto private_as_public = PublicKey::from_pem(read_fixture("p256_pkcs8.pem"));
  ASSERT_FALSE(private_as_public.ok());
  EXPECT_EQ(private_as_public.error().code, ErrorCode::kParse);
  EXPECT_TRUE(contains(private_as_public.error().message, "BEGIN PUBLIC KEY"));

  auto key_as_certificate = PublicKey::from_certificate_pem(read_fixture("p256_pub.pem"));
  ASSERT_FALSE(key_as_certificate.ok());
  EXPECT_EQ(key_as_certificate.error().code, ErrorCode::kParse);
  EXPECT_TRUE(contains(key_as_certificate.error().message, "X.509"));

  // Corrupt base64 inside otherwise valid armour.
  std::string corrupt = read_fixture("p256_pub.pem");
  corrupt[40] = '!';
  EXPECT_EQ(PublicKey::from_pem(corrupt).error().code, ErrorCode::kParse);
}

TEST(KeyRejection, SpkiDerMustBeExact) {
  auto key = PublicKey::from_pem(read_fixture("p256_pub.pem"));
  ASSERT_TRUE(key.ok());
  Bytes der = key->spki_der();
  der.push_back(0);
  auto trailing = PublicKey::from_spki_der(der);
  ASSERT_FALSE(trailing.ok());
  EXPECT_TRUE(contains(trailing.error().message, "trailing")) << trailing.error().message;
  der.resize(der.size() - 10);
  EXPECT_EQ(PublicKey::from_spki_der(der).error().code, ErrorCode::kParse);
  EXPECT_EQ(PublicKey::from_spki_der({}).error().code, ErrorCode::kParse);
}

TEST(KeyRejection, OversizedPemIsRefusedBeforeParsing) {
  const std::string huge(2u << 20, 'A');
  auto key = PublicKey::from_pem(huge);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(key.error().message, "too large"));
}

}  // namespace
}  // namespace zastava::crypto
