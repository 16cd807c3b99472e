#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "base/base64.hpp"
#include "base/hex.hpp"
#include "crypto/private_key.hpp"
#include "crypto/public_key.hpp"
#include "digest/sha2.hpp"
#include "fixtures.hpp"

namespace zastava::crypto {
namespace {

using testing::read_fixture;

Bytes unhex(std::string_view text) {
  return encoding::hex_decode(text).value();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// RAII for the raw OpenSSL objects the independent cross-checks use.
struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

class EverySchemeSigns : public ::testing::TestWithParam<KeyType> {};

TEST_P(EverySchemeSigns, AndVerifiesOnlyTheSignedMessageUnderTheSigningKey) {
  auto key = PrivateKey::generate(GetParam());
  auto other = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key.ok() && other.ok());
  const Bytes message = to_bytes("the message");
  auto signature = key->sign(message);
  ASSERT_TRUE(signature.ok()) << signature.error().describe();
  const PublicKey& public_key = key->public_key();
  EXPECT_TRUE(public_key.verify(message, *signature).ok());

  const Status wrong_message = public_key.verify(to_bytes("the messagE"), *signature);
  ASSERT_FALSE(wrong_message.ok());
  EXPECT_EQ(wrong_message.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(contains(wrong_message.error().message, key_type_name(GetParam())));

  Bytes tampered = *signature;
  tampered[tampered.size() / 2] ^= 0x01;
  EXPECT_EQ(public_key.verify(message, tampered).error().code, ErrorCode::kVerification);
  EXPECT_EQ(other->public_key().verify(message, *signature).error().code, ErrorCode::kVerification);

  // Empty messages are messages too.
  auto empty_signature = key->sign({});
  ASSERT_TRUE(empty_signature.ok());
  EXPECT_TRUE(public_key.verify({}, *empty_signature).ok());
  EXPECT_FALSE(public_key.verify(message, *empty_signature).ok());

  // A copy of the public key shares the loaded key and verifies the same.
  const PublicKey copy = public_key;
  EXPECT_TRUE(copy.verify(message, *signature).ok());
}

TEST_P(EverySchemeSigns, RejectsSignaturesOfImpossibleLengthWithTheReason) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key.ok());
  const Status empty = key->public_key().verify(to_bytes("m"), {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(contains(empty.error().message, "got 0 bytes")) << empty.error().message;
  const Bytes long_signature(1000, 0x30);
  EXPECT_TRUE(contains(key->public_key().verify(to_bytes("m"), long_signature).error().message,
                       "got 1000 bytes"));
}

INSTANTIATE_TEST_SUITE_P(AllTypes, EverySchemeSigns, testing::all_key_types(),
                         testing::KeyTypeTestName{});

// RFC 6979 A.2.5: P-256 key, SHA-256, message "sample".
constexpr std::string_view kRfc6979Ux =
    "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
constexpr std::string_view kRfc6979Uy =
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
constexpr std::string_view kRfc6979R =
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716";
constexpr std::string_view kRfc6979S =
    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";

TEST(EcdsaP256, VerifiesTheRfc6979KnownAnswerInDer) {
  // SPKI prefix: SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING, 0x04.
  const std::string spki_hex = "3059301306072a8648ce3d020106082a8648ce3d03010703420004" +
                               std::string(kRfc6979Ux) + std::string(kRfc6979Uy);
  auto key = PublicKey::from_spki_der(unhex(spki_hex));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->type(), KeyType::kEcdsaP256);
  // r and s both have the top bit set, so each INTEGER gets a 0x00 prefix.
  const Bytes der =
      unhex("3046022100" + std::string(kRfc6979R) + "022100" + std::string(kRfc6979S));
  EXPECT_TRUE(key->verify(to_bytes("sample"), der).ok());
  EXPECT_EQ(key->verify(to_bytes("samplE"), der).error().code, ErrorCode::kVerification);

  // The same signature as raw r||s (JOSE style) is not what DSSE uses.
  const Bytes raw = unhex(std::string(kRfc6979R) + std::string(kRfc6979S));
  const Status raw_status = key->verify(to_bytes("sample"), raw);
  ASSERT_FALSE(raw_status.ok());
  EXPECT_TRUE(contains(raw_status.error().message, "not DER")) << raw_status.error().message;

  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(key->verify(to_bytes("sample"), trailing).error().code, ErrorCode::kVerification);
}

TEST(EcdsaP256, SignaturesAreStrictDerEcdsaSigValues) {
  auto key = PrivateKey::from_pem(read_fixture("p256_pkcs8.pem"));
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 8; ++i) {  // lengths vary with the leading bits of r and s
    auto signature = key->sign(to_bytes("message " + std::to_string(i)));
    ASSERT_TRUE(signature.ok());
    ASSERT_GE(signature->size(), 8u);
    EXPECT_EQ((*signature)[0], 0x30);
    EXPECT_EQ((*signature)[1], signature->size() - 2);
    const unsigned char* cursor = signature->data();
    const EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature->size())));
    ASSERT_NE(parsed, nullptr);
    EXPECT_EQ(cursor, signature->data() + signature->size());
    unsigned char* reencoded = nullptr;
    const int length = i2d_ECDSA_SIG(parsed.get(), &reencoded);
    ASSERT_GT(length, 0);
    EXPECT_EQ(Bytes(reencoded, reencoded + length), *signature);
    OPENSSL_free(reencoded);
  }
}

// RFC 8032 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72).
struct Ed25519Vector {
  std::string_view secret;
  std::string_view public_key;
  std::string_view message;
  std::string_view signature;
};
constexpr Ed25519Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Ed25519, SignsAndVerifiesTheRfc8032KnownAnswers) {
  for (const Ed25519Vector& vector : kRfc8032) {
    // PKCS#8 OneAsymmetricKey { v1, id-Ed25519, OCTET STRING { OCTET STRING seed } }.
    const Bytes pkcs8 = unhex("302e020100300506032b657004220420" + std::string(vector.secret));
    const std::string pem = "-----BEGIN PRIVATE KEY-----\n" + encoding::base64_encode(pkcs8) +
                            "\n-----END PRIVATE KEY-----\n";
    auto key = PrivateKey::from_pem(pem);
    ASSERT_TRUE(key.ok()) << key.error().describe();
    EXPECT_EQ(key->type(), KeyType::kEd25519);
    EXPECT_EQ(key->public_key().spki_der(),
              unhex("302a300506032b6570032100" + std::string(vector.public_key)));
    const Bytes message = unhex(vector.message);
    auto signature = key->sign(message);
    ASSERT_TRUE(signature.ok());
    EXPECT_EQ(encoding::hex_encode(*signature), vector.signature);
    EXPECT_TRUE(key->public_key().verify(message, unhex(vector.signature)).ok());
  }
}

// Independent check of our RSA-PSS parameters through OpenSSL's lower-level
// EVP_PKEY_verify on the SHA-256 digest, with every parameter set explicitly.
bool openssl_pss_verifies(const PublicKey& key, ByteView message, ByteView signature,
                          int salt_length) {
  const unsigned char* cursor = key.spki_der().data();
  const PkeyPtr pkey(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(key.spki_der().size())));
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt_length) != 1) {
    return false;
  }
  const auto hash = digest::sha256(message);
  return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size()) ==
         1;
}

// A signature over `message` made directly with OpenSSL, with the given RSA
// padding (and PSS salt length).
Bytes openssl_rsa_sign(const std::string& private_pem, ByteView message, int padding,
                       int salt_length) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), BIO_free);
  const PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), 1);
  if (padding == RSA_PKCS1_PSS_PADDING) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt_length), 1);
  }
  const auto hash = digest::sha256(message);
  std::size_t length = 512;
  Bytes signature(length);
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), signature.data(), &length, hash.data(), hash.size()), 1);
  signature.resize(length);
  return signature;
}

TEST(RsaPss3072, SignaturesArePssSha256Mgf1Sha256WithA32ByteSalt) {
  auto key = PrivateKey::from_pem(read_fixture("rsa3072_pkcs8.pem"));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  const Bytes message = to_bytes("rsa-pss message");
  auto signature = key->sign(message);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature->size(), 384u);
  EXPECT_TRUE(openssl_pss_verifies(key->public_key(), message, *signature, 32));
  EXPECT_FALSE(openssl_pss_verifies(key->public_key(), message, *signature, 20));
  // PSS is randomized: two signatures differ and both verify.
  auto again = key->sign(message);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *signature);
  EXPECT_TRUE(key->public_key().verify(message, *again).ok());
}

TEST(RsaPss3072, VerifiesOpensslsPssSignatureAndRejectsOtherSaltsAndPkcs1) {
  const std::string pem = read_fixture("rsa3072_pkcs8.pem");
  auto key = PrivateKey::from_pem(pem);
  ASSERT_TRUE(key.ok());
  const Bytes message = to_bytes("made by openssl");
  const PublicKey& public_key = key->public_key();
  EXPECT_TRUE(
      public_key.verify(message, openssl_rsa_sign(pem, message, RSA_PKCS1_PSS_PADDING, 32)).ok());
  EXPECT_EQ(public_key.verify(message, openssl_rsa_sign(pem, message, RSA_PKCS1_PSS_PADDING, 20))
                .error()
                .code,
            ErrorCode::kVerification);
  EXPECT_EQ(
      public_key.verify(message, openssl_rsa_sign(pem, message, RSA_PKCS1_PADDING, 0)).error().code,
      ErrorCode::kVerification);
}

// verify() copies a prepared context rather than using it: one PublicKey
// shared by several threads gives every thread the right answers.
TEST(PublicKeyVerify, IsSafeToCallFromManyThreadsAtOnce) {
  for (const KeyType type : {KeyType::kEcdsaP256, KeyType::kEd25519}) {
    auto key = PrivateKey::generate(type);
    ASSERT_TRUE(key.ok());
    const Bytes message = to_bytes("shared");
    const Bytes good = key->sign(message).value();
    Bytes bad = good;
    bad[bad.size() - 2] ^= 0x10;
    const PublicKey& shared = key->public_key();
    std::atomic<int> wrong_answers{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          if (!shared.verify(message, good).ok()) ++wrong_answers;
          if (shared.verify(message, bad).ok()) ++wrong_answers;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(wrong_answers.load(), 0) << key_type_name(type);
  }
}

TEST(KeyTypes, ASignatureOfOneSchemeNeverVerifiesUnderAnother) {
  auto ecdsa = PrivateKey::from_pem(read_fixture("p256_pkcs8.pem"));
  auto ed25519 = PrivateKey::from_pem(read_fixture("ed25519_pkcs8.pem"));
  ASSERT_TRUE(ecdsa.ok() && ed25519.ok());
  const Bytes message = to_bytes("m");
  auto ed_signature = ed25519->sign(message);
  ASSERT_TRUE(ed_signature.ok());
  EXPECT_EQ(ecdsa->public_key().verify(message, *ed_signature).error().code,
            ErrorCode::kVerification);
}

}  // namespace
}  // namespace zastava::crypto
