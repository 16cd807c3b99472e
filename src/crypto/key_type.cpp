#include "crypto/key_type.hpp"

#include <array>
#include <string>

namespace zastava::crypto {
namespace {

constexpr std::array kAllTypes = {KeyType::kEcdsaP256, KeyType::kEd25519, KeyType::kRsaPss3072};

}  // namespace

std::string_view key_type_name(KeyType type) noexcept {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kRsaPss3072:
      return "rsa-pss-3072";
  }
  return "unknown";
}

Result<KeyType> parse_key_type(std::string_view name) {
  std::string known;
  for (const KeyType type : kAllTypes) {
    if (key_type_name(type) == name) return type;
    known += known.empty() ? "" : ", ";
    known += key_type_name(type);
  }
  return make_error(ErrorCode::kUnsupported,
                    "unknown key type '" + std::string(name) + "' (supported: " + known + ")");
}

}  // namespace zastava::crypto
