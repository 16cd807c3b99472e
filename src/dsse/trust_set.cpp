#include "dsse/trust_set.hpp"

namespace zastava::dsse {

TrustSet::TrustSet(std::span<const crypto::PublicKey> keys) {
  for (const crypto::PublicKey& key : keys) add(key);
}

bool TrustSet::add(crypto::PublicKey key) {
  std::string keyid = key.keyid();
  return keys_.emplace(std::move(keyid), std::move(key)).second;
}

const crypto::PublicKey* TrustSet::find(std::string_view keyid) const {
  const auto it = keys_.find(keyid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace zastava::dsse
