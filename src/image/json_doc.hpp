#pragma once
// Small helpers for the JSON documents of image formats (index, manifest,
// config): parsing with a message that names the document, and typed field
// access that throws ImageError(kParse) naming the field.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "digest/sha2.hpp"

namespace zastava::image::detail {

nlohmann::json parse_json_document(std::string_view text, const std::string& what);

// The string at `key` of `object`; throws when absent or not a string.
std::string string_field(const nlohmann::json& object, std::string_view key,
                         const std::string& what);
// "" when absent; throws when present and not a string.
std::string optional_string_field(const nlohmann::json& object, std::string_view key,
                                  const std::string& what);

// "sha256:<64 lower hex>" -> the digest; kUnsupported for another algorithm,
// kParse for anything malformed.
digest::Sha256Digest parse_sha256_digest(std::string_view text, const std::string& what);
std::string format_sha256_digest(const digest::Sha256Digest& digest);

}  // namespace zastava::image::detail
