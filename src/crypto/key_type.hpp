#pragma once
// The signature schemes Zastava signs and verifies with. Each key type fixes
// its whole scheme (curve or size, hash, padding), so a key never needs a
// separate algorithm parameter and a signature can't be checked under a weaker
// scheme than the key was made for.

#include <string_view>

#include "base/result.hpp"

namespace zastava::crypto {

enum class KeyType {
  kEcdsaP256,   // ECDSA on NIST P-256 with SHA-256, DER-encoded signatures
  kEd25519,     // pure Ed25519 (RFC 8032), 64-byte signatures
  kRsaPss3072,  // RSA-PSS, 3072-bit modulus, SHA-256, MGF1-SHA-256, 32-byte salt
};

// "ecdsa-p256", "ed25519", "rsa-pss-3072": the names the CLI and reports use.
std::string_view key_type_name(KeyType type) noexcept;

// Inverse of key_type_name; kUnsupported with the list of known names otherwise.
Result<KeyType> parse_key_type(std::string_view name);

}  // namespace zastava::crypto
