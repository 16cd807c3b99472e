#pragma once
// A signing key of one of the supported schemes (key_type.hpp). Loaded or
// generated once, then sign() any number of messages. Move-only, so private
// key material has a single owner; it is freed (and cleared by OpenSSL) with it.

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/key_type.hpp"
#include "crypto/public_key.hpp"

namespace zastava::crypto {

class PrivateKey {
 public:
  // A fresh key from OpenSSL's default random generator.
  static Result<PrivateKey> generate(KeyType type);

  // Unencrypted PEM: PKCS#8 ("PRIVATE KEY") or the traditional "EC PRIVATE
  // KEY" / "RSA PRIVATE KEY". Encrypted keys are kUnsupported (never prompts);
  // keys of other types, curves or sizes are kUnsupported.
  static Result<PrivateKey> from_pem(std::string_view pem);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  [[nodiscard]] std::string to_pem() const;

  [[nodiscard]] KeyType type() const noexcept { return public_key().type(); }
  [[nodiscard]] const PublicKey& public_key() const noexcept;

  // The signature over `message` in the key type's scheme (ECDSA: DER).
  [[nodiscard]] Result<Bytes> sign(ByteView message) const;

 private:
  struct Impl;
  explicit PrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zastava::crypto
