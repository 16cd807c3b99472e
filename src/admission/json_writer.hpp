#pragma once
// Writing JSON text directly into a string, for the responses on the
// webhook's hot path (building an nlohmann::json tree first costs more than
// the rest of the response). Only what responses need: string literals with
// correct escaping; the caller writes the punctuation.

#include <string>
#include <string_view>

namespace zastava::admission {

// Appends `text` as a JSON string literal, quotes included: '"' and '\\'
// escaped, control characters as \n, \t, ... or \u00XX, and every byte that is
// not part of well-formed UTF-8 replaced by U+FFFD, so the output is valid
// JSON (RFC 8259) whatever `text` holds. Everything else is copied as is.
void append_json_string(std::string& out, std::string_view text);

}  // namespace zastava::admission
