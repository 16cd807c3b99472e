#pragma once
// Base64 (RFC 4648). DSSE writes the standard alphabet with padding and reads
// both the standard and the URL-safe alphabet, padded or not.

#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace zastava::encoding {

// Standard alphabet (+/), padded with '='.
std::string base64_encode(ByteView bytes);

// URL-safe alphabet (-_), without padding.
std::string base64url_encode(ByteView bytes);

// Accepts the standard or the URL-safe alphabet (not both mixed in one string),
// with or without padding. Rejects whitespace, bad characters, impossible
// lengths, misplaced padding and non-zero trailing bits.
Result<Bytes> base64_decode_any(std::string_view text);

}  // namespace zastava::encoding
