#include "crypto/detail/openssl.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <climits>

namespace zastava::crypto::detail {

Result<BioPtr> read_only_bio(std::string_view text, std::string_view what) {
  static_assert(kMaxPemBytes <= INT_MAX);
  if (text.size() > kMaxPemBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + " is too large (" + std::to_string(text.size()) +
                          " bytes; at most " + std::to_string(kMaxPemBytes) + ")");
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return make_error(ErrorCode::kCrypto, "BIO_new_mem_buf: " + take_openssl_errors());
  return bio;
}

BioPtr writable_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw std::bad_alloc();
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string take_openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    out += text.data();
  }
  return out.empty() ? "no OpenSSL error reported" : out;
}

Result<KeyType> classify_key(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(key, "EC")) {
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &length) != 1) {
      take_openssl_errors();
      return make_error(ErrorCode::kUnsupported,
                        "EC key without a named curve is not supported (only P-256)");
    }
    const std::string_view curve(group.data(), length);
    if (curve == "prime256v1" || curve == "P-256") return KeyType::kEcdsaP256;
    return make_error(ErrorCode::kUnsupported, "EC key on curve " + std::string(curve) +
                                                   " is not supported (only P-256 / prime256v1)");
  }
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits == 3072) return KeyType::kRsaPss3072;
    return make_error(
        ErrorCode::kUnsupported,
        "RSA key of " + std::to_string(bits) + " bits is not supported (only 3072-bit RSA-PSS)");
  }
  const char* name = EVP_PKEY_get0_type_name(key);
  return make_error(ErrorCode::kUnsupported,
                    std::string("key type ") + (name != nullptr ? name : "(unknown)") +
                        " is not supported (supported: ecdsa-p256, ed25519, rsa-pss-3072)");
}

Result<Bytes> spki_der_of(const EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) {
    return make_error(ErrorCode::kCrypto,
                      "encoding SubjectPublicKeyInfo: " + take_openssl_errors());
  }
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

SchemeParams scheme_params(KeyType type) {
  SchemeParams scheme;
  scheme.params[0] = OSSL_PARAM_construct_end();
  switch (type) {
    case KeyType::kEcdsaP256:
      scheme.digest_name = "SHA256";
      break;
    case KeyType::kEd25519:
      break;
    case KeyType::kRsaPss3072:
      // OpenSSL's C API takes these names as char*; it only reads them.
      // Salt length "digest" is the hash size: 32 bytes for SHA-256, both
      // when signing and (exactly, not "auto") when verifying.
      scheme.digest_name = "SHA256";
      scheme.params[0] = OSSL_PARAM_construct_utf8_string(
          OSSL_SIGNATURE_PARAM_PAD_MODE, const_cast<char*>(OSSL_PKEY_RSA_PAD_MODE_PSS), 0);
      scheme.params[1] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                                          const_cast<char*>("SHA256"), 0);
      scheme.params[2] =
          OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN,
                                           const_cast<char*>(OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST), 0);
      scheme.params[3] = OSSL_PARAM_construct_end();
      break;
  }
  return scheme;
}

}  // namespace zastava::crypto::detail
