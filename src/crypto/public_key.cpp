#include "crypto/public_key.hpp"

#include <openssl/pem.h>

#include "crypto/detail/openssl.hpp"
#include "digest/content_id.hpp"

namespace zastava::crypto {

using detail::EvpPkeyPtr;

struct PublicKey::Impl {
  EvpPkeyPtr key;
  KeyType type;
  Bytes spki_der;
  std::string keyid;
  // A verification context set up once for this key and scheme; each verify()
  // copies it (about 0.2 us) instead of fetching the digest and signature
  // algorithms and re-deriving the parameters again (about 3 us). Only read
  // after construction, so concurrent verify() calls are safe.
  detail::EvpMdCtxPtr verify_template;
};

namespace {

// Rejects signatures that can't be right for the scheme before OpenSSL sees
// them, with a reason a person can act on.
Status check_signature_shape(KeyType type, ByteView signature) {
  const auto wrong_size = [&](std::string_view expected) {
    return make_error(ErrorCode::kVerification, std::string(key_type_name(type)) +
                                                    " signature must be " + std::string(expected) +
                                                    ", got " + std::to_string(signature.size()) +
                                                    " bytes");
  };
  switch (type) {
    case KeyType::kEd25519:
      if (signature.size() != 64) return wrong_size("64 bytes");
      break;
    case KeyType::kRsaPss3072:
      if (signature.size() != 384) return wrong_size("384 bytes");
      break;
    case KeyType::kEcdsaP256:
      // DER SEQUENCE of two INTEGERs of at most 33 bytes each.
      if (signature.size() < 8 || signature.size() > 72) {
        return wrong_size("an 8 to 72 byte DER ECDSA-Sig-Value");
      }
      if (signature[0] != 0x30) {
        return make_error(ErrorCode::kVerification,
                          "ecdsa-p256 signature is not DER (expected a SEQUENCE); raw r||s "
                          "signatures are not accepted");
      }
      break;
  }
  return ok_status();
}

Result<detail::EvpMdCtxPtr> make_verify_template(EVP_PKEY* key, KeyType type) {
  detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const detail::SchemeParams scheme = detail::scheme_params(type);
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, scheme.digest_name, nullptr, nullptr, key,
                                      scheme.params.data()) != 1) {
    return make_error(ErrorCode::kCrypto, "EVP_DigestVerifyInit_ex (" +
                                              std::string(key_type_name(type)) +
                                              "): " + detail::take_openssl_errors());
  }
  return ctx;
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<PublicKey> PublicKey::from_spki_der(ByteView der) {
  const unsigned char* cursor = der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!key) {
    return make_error(ErrorCode::kParse,
                      "not a DER SubjectPublicKeyInfo: " + detail::take_openssl_errors());
  }
  if (cursor != der.data() + der.size()) {
    return make_error(ErrorCode::kParse, "trailing bytes after the DER SubjectPublicKeyInfo");
  }
  auto type = detail::classify_key(key.get());
  if (!type) return type.error();
  // Re-encode rather than keep the input, so a key has one identity however
  // it was written down.
  auto spki = detail::spki_der_of(key.get());
  if (!spki) return spki.error();
  std::string keyid = digest::ContentId::sha256_of(*spki).to_string();
  auto verify_template = make_verify_template(key.get(), *type);
  if (!verify_template) return verify_template.error();
  return PublicKey(
      std::make_shared<const Impl>(Impl{std::move(key), *type, std::move(spki).value(),
                                        std::move(keyid), std::move(verify_template).value()}));
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  auto bio = detail::read_only_bio(pem, "public key PEM");
  if (!bio) return bio.error();
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio->get(), nullptr, nullptr, nullptr));
  if (!key) {
    return make_error(ErrorCode::kParse, "not a PEM public key (\"-----BEGIN PUBLIC KEY-----\"): " +
                                             detail::take_openssl_errors());
  }
  auto spki = detail::spki_der_of(key.get());
  if (!spki) return spki.error();
  return from_spki_der(*spki);
}

Result<PublicKey> PublicKey::from_certificate_pem(std::string_view pem) {
  auto bio = detail::read_only_bio(pem, "certificate PEM");
  if (!bio) return bio.error();
  detail::X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return make_error(ErrorCode::kParse,
                      "not a PEM X.509 certificate: " + detail::take_openssl_errors());
  }
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) {
    return make_error(ErrorCode::kParse, "certificate public key could not be decoded: " +
                                             detail::take_openssl_errors());
  }
  auto spki = detail::spki_der_of(key);
  if (!spki) return spki.error();
  auto result = from_spki_der(*spki);
  if (!result) return result.error().with_context("certificate public key");
  return result;
}

KeyType PublicKey::type() const noexcept {
  return impl_->type;
}

const std::string& PublicKey::keyid() const noexcept {
  return impl_->keyid;
}

const Bytes& PublicKey::spki_der() const noexcept {
  return impl_->spki_der;
}

std::string PublicKey::to_pem() const {
  const detail::BioPtr bio = detail::writable_bio();
  if (PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) {
    throw std::runtime_error("PEM_write_bio_PUBKEY: " + detail::take_openssl_errors());
  }
  return detail::bio_text(bio.get());
}

Status PublicKey::verify(ByteView message, ByteView signature) const {
  if (auto shape = check_signature_shape(impl_->type, signature); !shape) return shape;
  const detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), impl_->verify_template.get()) != 1) {
    return make_error(ErrorCode::kCrypto, "EVP_MD_CTX_copy_ex (" +
                                              std::string(key_type_name(impl_->type)) +
                                              "): " + detail::take_openssl_errors());
  }
  // OpenSSL wants a non-null pointer even for an empty message.
  static const unsigned char kEmpty = 0;
  const unsigned char* data = message.empty() ? &kEmpty : message.data();
  const int verdict =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data, message.size());
  if (verdict == 1) return ok_status();
  // 0 is "no match"; a negative value is a signature OpenSSL could not even
  // decode (e.g. bad DER). Either way the signature is not valid.
  detail::take_openssl_errors();
  return make_error(ErrorCode::kVerification,
                    std::string(key_type_name(impl_->type)) +
                        (verdict == 0 ? " signature does not match the message and key"
                                      : " signature is malformed"));
}

}  // namespace zastava::crypto
