#include "crypto/private_key.hpp"

#include <openssl/pem.h>

#include "crypto/detail/openssl.hpp"

namespace zastava::crypto {

using detail::EvpPkeyPtr;

struct PrivateKey::Impl {
  EvpPkeyPtr key;
  PublicKey public_key;
};

namespace {

// OpenSSL's default password callback prompts on the terminal; this one
// refuses, so an encrypted key fails instead of blocking a server.
int refuse_password(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) {
  return -1;
}

bool looks_encrypted(std::string_view pem) {
  return pem.find("ENCRYPTED PRIVATE KEY") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

// Checks the key's scheme and derives its public half (through the DER SPKI,
// so the PublicKey holds no private material).
Result<PublicKey> public_half(const EVP_PKEY* key) {
  if (auto type = detail::classify_key(key); !type) return type.error();
  auto spki = detail::spki_der_of(key);
  if (!spki) return spki.error();
  return PublicKey::from_spki_der(*spki);
}

}  // namespace

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  EvpPkeyPtr key;
  switch (type) {
    case KeyType::kEcdsaP256:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
    case KeyType::kEd25519:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
    case KeyType::kRsaPss3072:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}));
      break;
  }
  if (!key) {
    return make_error(ErrorCode::kCrypto, "generating a " + std::string(key_type_name(type)) +
                                              " key: " + detail::take_openssl_errors());
  }
  auto public_key = public_half(key.get());
  if (!public_key) return public_key.error();
  return PrivateKey(std::make_unique<Impl>(Impl{std::move(key), std::move(public_key).value()}));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  if (looks_encrypted(pem)) {
    return make_error(ErrorCode::kUnsupported,
                      "encrypted private keys are not supported; decrypt the key first");
  }
  auto bio = detail::read_only_bio(pem, "private key PEM");
  if (!bio) return bio.error();
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, refuse_password, nullptr));
  if (!key) {
    return make_error(ErrorCode::kParse,
                      "not a PEM private key (PKCS#8 \"PRIVATE KEY\", \"EC PRIVATE KEY\" or "
                      "\"RSA PRIVATE KEY\"): " +
                          detail::take_openssl_errors());
  }
  auto public_key = public_half(key.get());
  if (!public_key) return public_key.error();
  return PrivateKey(std::make_unique<Impl>(Impl{std::move(key), std::move(public_key).value()}));
}

std::string PrivateKey::to_pem() const {
  const detail::BioPtr bio = detail::writable_bio();
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                                    nullptr) != 1) {
    throw std::runtime_error("PEM_write_bio_PKCS8PrivateKey: " + detail::take_openssl_errors());
  }
  return detail::bio_text(bio.get());
}

const PublicKey& PrivateKey::public_key() const noexcept {
  return impl_->public_key;
}

Result<Bytes> PrivateKey::sign(ByteView message) const {
  const KeyType key_type = type();
  const detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const detail::SchemeParams scheme = detail::scheme_params(key_type);
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, scheme.digest_name, nullptr, nullptr,
                                    impl_->key.get(), scheme.params.data()) != 1) {
    return make_error(ErrorCode::kCrypto, "EVP_DigestSignInit_ex (" +
                                              std::string(key_type_name(key_type)) +
                                              "): " + detail::take_openssl_errors());
  }
  static const unsigned char kEmpty = 0;
  const unsigned char* data = message.empty() ? &kEmpty : message.data();
  std::size_t length = static_cast<std::size_t>(EVP_PKEY_get_size(impl_->key.get()));
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, data, message.size()) != 1) {
    return make_error(ErrorCode::kCrypto, "EVP_DigestSign (" +
                                              std::string(key_type_name(key_type)) +
                                              "): " + detail::take_openssl_errors());
  }
  signature.resize(length);
  return signature;
}

}  // namespace zastava::crypto
