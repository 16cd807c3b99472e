#pragma once
// RFC 8785 JSON Canonicalization Scheme (JCS). Everything Zastava hashes or
// signs goes through canonicalize() first.
//
// Numbers. JCS treats every JSON number as an IEEE-754 double, as JavaScript
// does: 9007199254740993 canonicalizes as 9007199254740992 and 1.0 as 1.
// parse_strict() stores each number as the double JCS will use, so a parsed
// tree never holds a value that its canonical form would change: an integer
// is kept as an nlohmann integer only while |n| <= 2^53 (every such integer
// is exactly a double), anything else becomes that double. Numbers too large
// for a double (1e400) are rejected; numbers too small to tell from zero
// (1e-400) read as 0, as in JavaScript. canonicalize() converts any integer
// it meets (int64 or uint64) to the nearest double the same way.

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::json {

// Deepest nesting of arrays and objects either function accepts. Deeper
// documents are rejected rather than risking the stack on hostile input.
inline constexpr std::size_t kMaxNestingDepth = 1000;

// Parses `text` strictly (I-JSON, RFC 7493, as JCS requires): rejects duplicate
// object keys, invalid UTF-8, lone surrogates in \u escapes, NaN/Infinity and
// numbers outside the IEEE-754 double range, with a message saying where.
// Also rejects Unicode noncharacters (I-JSON section 2.1), a leading byte
// order mark, and nesting deeper than kMaxNestingDepth. Errors: kParse.
Result<nlohmann::json> parse_strict(std::string_view text);

// Serializes `value` canonically: object members sorted by the UTF-16 code
// units of their names, numbers as ECMAScript's Number.prototype.toString,
// strings with JCS's minimal escaping, no whitespace. Fails on NaN/Infinity
// and on strings that are not valid UTF-8.
// Also fails on binary values and nesting deeper than kMaxNestingDepth.
// Errors: kInvalidArgument, naming the JSON Pointer of the offending value.
Result<std::string> canonicalize(const nlohmann::json& value);

// canonicalize(), appending to `out` instead of returning a new string, so a
// caller canonicalizing many documents can reuse one buffer. On error, `out`
// keeps its original contents.
Status canonicalize_to(const nlohmann::json& value, std::string& out);

// parse_strict, then canonicalize.
Result<std::string> canonicalize_text(std::string_view text);

}  // namespace zastava::json
