#pragma once
// Internal to provcache's parsers (included by .cpp files only): reading
// fields of a parsed JSON document with errors that say where, by JSON
// Pointer. Inside a parser a bad field throws DocumentError; the parser's
// public function turns it into a kParse Error.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "json/canonical_json.hpp"
#include "json/diagnostics.hpp"

namespace zastava::provcache::detail {

class DocumentError : public std::runtime_error {
 public:
  DocumentError(const std::string& pointer, const std::string& what)
      : std::runtime_error((pointer.empty() ? std::string("/") : pointer) + ": " + what) {}
};

inline std::string child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + json::escape_reference_token(key);
}

inline std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

inline const nlohmann::json& require_object(const nlohmann::json& value,
                                            const std::string& pointer) {
  if (!value.is_object())
    throw DocumentError(pointer, "expected an object, got " + std::string(value.type_name()));
  return value;
}

inline const nlohmann::json& require_array(const nlohmann::json& value,
                                           const std::string& pointer) {
  if (!value.is_array())
    throw DocumentError(pointer, "expected an array, got " + std::string(value.type_name()));
  return value;
}

// The member `key` of `object`, or nullptr when absent.
inline const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// A string member; "" when absent, an error when present and not a string.
inline std::string optional_string(const nlohmann::json& object, std::string_view key,
                                   const std::string& pointer) {
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) return {};
  if (!value->is_string()) {
    throw DocumentError(child(pointer, key),
                        "expected a string, got " + std::string(value->type_name()));
  }
  return value->get<std::string>();
}

inline std::string required_string(const nlohmann::json& object, std::string_view key,
                                   const std::string& pointer) {
  if (member(object, key) == nullptr) throw DocumentError(child(pointer, key), "missing");
  std::string value = optional_string(object, key, pointer);
  if (value.empty()) throw DocumentError(child(pointer, key), "must not be empty");
  return value;
}

// Runs `parse` on the strictly parsed `text`, turning a DocumentError into a
// kParse error prefixed with `what` ("CycloneDX SBOM", ...).
template <typename T, typename Parse>
Result<T> parse_document(std::string_view text, std::string_view what, Parse parse) {
  auto document = json::parse_strict(text);
  if (!document.ok()) return document.error().with_context(what);
  try {
    return parse(*document);
  } catch (const DocumentError& error) {
    return make_error(ErrorCode::kParse, std::string(what) + ": " + error.what());
  }
}

}  // namespace zastava::provcache::detail
