#pragma once
// The public keys a verifier trusts, indexed by keyid (the SHA-256 content id
// of each key's SubjectPublicKeyInfo). Keys are loaded once and shared.

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "crypto/public_key.hpp"

namespace zastava::dsse {

class TrustSet {
 public:
  using KeyMap = std::map<std::string, crypto::PublicKey, std::less<>>;

  TrustSet() = default;
  explicit TrustSet(std::span<const crypto::PublicKey> keys);

  // Adds `key` under key.keyid(); false (and no change) when it is already
  // trusted. The same key added twice still counts once towards a threshold.
  bool add(crypto::PublicKey key);

  // The trusted key with this keyid, or nullptr.
  [[nodiscard]] const crypto::PublicKey* find(std::string_view keyid) const;

  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }
  // Sorted by keyid.
  [[nodiscard]] const KeyMap& keys() const noexcept { return keys_; }

 private:
  KeyMap keys_;
};

}  // namespace zastava::dsse
