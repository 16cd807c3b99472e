#pragma once
// A public key of one of the supported schemes (key_type.hpp), loaded once and
// then used to verify any number of signatures. Immutable: copies share the
// loaded key, and verify() may be called from several threads at once.

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/key_type.hpp"

namespace zastava::crypto {

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
  static Result<PublicKey> from_pem(std::string_view pem);
  // DER SubjectPublicKeyInfo.
  static Result<PublicKey> from_spki_der(ByteView der);
  // The subject public key of a PEM X.509 certificate. Only the key is taken:
  // the certificate's validity, issuer and extensions are NOT checked here.
  static Result<PublicKey> from_certificate_pem(std::string_view pem);

  [[nodiscard]] KeyType type() const noexcept;
  // "sha256:" + hex(SHA-256(spki_der())): the key's content identity.
  [[nodiscard]] const std::string& keyid() const noexcept;
  [[nodiscard]] const Bytes& spki_der() const noexcept;
  [[nodiscard]] std::string to_pem() const;

  // OK when `signature` is this key's signature over `message` in the key
  // type's scheme; kVerification with the reason otherwise (wrong length,
  // malformed encoding, or no match); kCrypto only if OpenSSL itself fails.
  [[nodiscard]] Status verify(ByteView message, ByteView signature) const;

  friend bool operator==(const PublicKey& a, const PublicKey& b) noexcept {
    return a.spki_der() == b.spki_der();
  }

 private:
  struct Impl;
  explicit PublicKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace zastava::crypto
