#include "image/json_doc.hpp"

#include <algorithm>

#include "base/hex.hpp"
#include "image/layer_stream.hpp"

namespace zastava::image::detail {

nlohmann::json parse_json_document(std::string_view text, const std::string& what) {
  try {
    auto document = nlohmann::json::parse(text);
    if (!document.is_object()) throw ImageError(ErrorCode::kParse, what + " is not a JSON object");
    return document;
  } catch (const nlohmann::json::parse_error& error) {
    throw ImageError(ErrorCode::kParse, what + " is not valid JSON: " + error.what());
  }
}

std::string optional_string_field(const nlohmann::json& object, std::string_view key,
                                  const std::string& what) {
  const auto found = object.find(key);
  if (found == object.end()) return "";
  if (!found->is_string()) {
    throw ImageError(ErrorCode::kParse, what + ": \"" + std::string(key) + "\" is not a string");
  }
  return found->get<std::string>();
}

std::string string_field(const nlohmann::json& object, std::string_view key,
                         const std::string& what) {
  if (!object.contains(key)) {
    throw ImageError(ErrorCode::kParse, what + ": \"" + std::string(key) + "\" is missing");
  }
  return optional_string_field(object, key, what);
}

digest::Sha256Digest parse_sha256_digest(std::string_view text, const std::string& what) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    throw ImageError(ErrorCode::kParse, what + ": \"" + std::string(text) + "\" is not a digest");
  }
  const std::string_view algorithm = text.substr(0, colon);
  const std::string_view hex = text.substr(colon + 1);
  if (algorithm != "sha256") {
    throw ImageError(ErrorCode::kUnsupported, what + ": digest algorithm \"" +
                                                  std::string(algorithm) + "\" is not supported");
  }
  auto bytes = encoding::hex_decode(hex);
  if (hex.size() != 64 || !encoding::is_lower_hex(hex) || !bytes) {
    throw ImageError(ErrorCode::kParse,
                     what + ": \"" + std::string(text) + "\" is not a sha256 digest");
  }
  digest::Sha256Digest digest{};
  std::copy(bytes->begin(), bytes->end(), digest.begin());
  return digest;
}

std::string format_sha256_digest(const digest::Sha256Digest& digest) {
  return "sha256:" + encoding::hex_encode(ByteView(digest));
}

}  // namespace zastava::image::detail
