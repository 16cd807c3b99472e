#pragma once
// Error-message helpers shared by the strict parser and the canonicalizer:
// where in a document something is (as an RFC 6901 JSON Pointer), and text
// made safe to print (the offending input may be anything, even invalid UTF-8).

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace zastava::json {

// Printable form of arbitrary bytes: well-formed UTF-8 stays as is, control
// characters and bytes that are not UTF-8 become \xNN. Never contains a newline.
std::string printable(std::string_view bytes);

// One JSON Pointer reference token (RFC 6901 section 3): '~' becomes "~0"
// and '/' becomes "~1".
std::string escape_reference_token(std::string_view token);

// The JSON Pointer of `target` inside `root` (found by identity), made
// printable; "" for the root itself. Only for error paths: it searches the tree.
std::string pointer_to(const nlohmann::json& root, const nlohmann::json* target);

// The pointer of `parent` followed by one more reference token, for a value
// that is not (yet) in the tree: pointer_to(root, parent) + "/" + token.
std::string pointer_to_child(const nlohmann::json& root, const nlohmann::json* parent,
                             std::string_view token);

// "the document root" or "'/a/0'", for "... at <location>" in messages.
std::string describe_location(const std::string& pointer);

}  // namespace zastava::json
