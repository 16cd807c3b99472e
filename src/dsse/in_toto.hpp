#pragma once
// in-toto Statement v1: what a DSSE envelope usually carries — a claim
// (predicate) about some artifacts (subjects) identified by digest.
// https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
// The predicate is kept as canonical JSON text so this header stays free of
// nlohmann/json.hpp.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::dsse {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kInTotoStatementType = "https://in-toto.io/Statement/v1";

struct Subject {
  std::string name;                           // optional in the spec; "" = absent
  std::map<std::string, std::string> digest;  // algorithm -> lower-case hex

  friend bool operator==(const Subject&, const Subject&) = default;
};

struct Statement {
  std::vector<Subject> subject;
  std::string predicate_type;
  std::string predicate_json;  // canonical JSON of the predicate object; "" = absent

  friend bool operator==(const Statement&, const Statement&) = default;
};

// The statement as canonical JSON (RFC 8785) with "_type" set to
// kInTotoStatementType. Validates as parse_statement does (kInvalidArgument).
Result<std::string> to_canonical_json(const Statement& statement);

// Parses and checks a statement: "_type" is kInTotoStatementType; "subject" is
// a non-empty array whose entries each have a non-empty "digest" object of
// lower-case hex strings (exactly 64 digits for sha256, 128 for sha512);
// "predicateType" is a non-empty string; "predicate", when present, is an
// object. Unknown members are ignored. kParse saying which field is wrong.
Result<Statement> parse_statement(std::string_view json_text);

}  // namespace zastava::dsse
