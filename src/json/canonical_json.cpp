// PLACEHOLDER: replaced by the JCS implementation.
#include "json/canonical_json.hpp"

#include <nlohmann/json.hpp>

namespace zastava::json {
Result<nlohmann::json> parse_strict(std::string_view) {
  return make_error(ErrorCode::kUnsupported, "not implemented yet");
}
Result<std::string> canonicalize(const nlohmann::json&) {
  return make_error(ErrorCode::kUnsupported, "not implemented yet");
}
Result<std::string> canonicalize_text(std::string_view) {
  return make_error(ErrorCode::kUnsupported, "not implemented yet");
}
}  // namespace zastava::json
