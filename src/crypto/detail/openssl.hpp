#pragma once
// Internal to the crypto module: RAII handles for OpenSSL objects and the few
// helpers public_key.cpp and private_key.cpp share. Not included by any
// public header, so OpenSSL never leaks out of the module.

#include <openssl/core.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/key_type.hpp"

namespace zastava::crypto::detail {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// PEM inputs larger than this are rejected before OpenSSL sees them: no key or
// certificate we accept comes close, and BIO sizes are ints.
inline constexpr std::size_t kMaxPemBytes = 1 << 20;

// A read-only memory BIO over `text` (which must outlive it); kInvalidArgument
// when `text` is larger than kMaxPemBytes.
Result<BioPtr> read_only_bio(std::string_view text, std::string_view what);

// A writable memory BIO, and what has been written to it.
BioPtr writable_bio();
std::string bio_text(BIO* bio);

// Pops OpenSSL's (thread-local) error queue into one readable line, so a
// failure never leaves stale errors behind for the next call to trip on.
std::string take_openssl_errors();

// Which of our schemes `key` belongs to; kUnsupported naming the key's actual
// type, curve or size when it is none of them.
Result<KeyType> classify_key(const EVP_PKEY* key);

// The DER SubjectPublicKeyInfo of `key` (its public half).
Result<Bytes> spki_der_of(const EVP_PKEY* key);

// What EVP_DigestSignInit_ex / EVP_DigestVerifyInit_ex need for a key type:
// the digest name (null for Ed25519, which hashes internally) and the
// signature parameters (RSA-PSS padding), terminated by OSSL_PARAM_END.
struct SchemeParams {
  const char* digest_name = nullptr;
  std::array<OSSL_PARAM, 4> params{};
};
SchemeParams scheme_params(KeyType type);

}  // namespace zastava::crypto::detail
