#pragma once
// RFC 8785 JSON Canonicalization Scheme (JCS). Everything Zastava hashes or
// signs goes through canonicalize() first.

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::json {

// Parses `text` strictly (I-JSON, RFC 7493, as JCS requires): rejects duplicate
// object keys, invalid UTF-8, lone surrogates in \u escapes, NaN/Infinity and
// numbers outside the IEEE-754 double range, with a message saying where.
Result<nlohmann::json> parse_strict(std::string_view text);

// Serializes `value` canonically: object members sorted by the UTF-16 code
// units of their names, numbers as ECMAScript's Number.prototype.toString,
// strings with JCS's minimal escaping, no whitespace. Fails on NaN/Infinity
// and on strings that are not valid UTF-8.
Result<std::string> canonicalize(const nlohmann::json& value);

// parse_strict, then canonicalize.
Result<std::string> canonicalize_text(std::string_view text);

}  // namespace zastava::json
