#pragma once
// OpenVEX documents (v0.2.0, and the older "https://openvex.dev/ns" context):
// the statements the gate applies to findings, and each statement's hash for
// the VeriKey's VEX set.
//
// Accepted shapes: `vulnerability` as {"name", "@id", "aliases"} (v0.2.0) or a
// bare string (older documents); `products` as strings or objects with "@id"
// and/or "identifiers": {"purl"}, each optionally with `subcomponents` of the
// same shape. Rejected: anything else, a status outside the four values, an
// unknown justification. A not_affected statement without a justification or
// impact statement is accepted here (the spec says it MUST have one); the gate
// refuses to let it waive anything and says so.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::provcache {

enum class VexStatus { kNotAffected, kAffected, kFixed, kUnderInvestigation };

// "not_affected", "affected", "fixed", "under_investigation".
std::string_view to_string(VexStatus status) noexcept;

struct VexStatement {
  // The vulnerability's name first, then its "@id" and aliases, when present.
  std::vector<std::string> vulnerability_ids;
  std::vector<std::string> products;       // product "@id"s and identifiers.purl
  std::vector<std::string> subcomponents;  // the same, for every product's subcomponents
  VexStatus status = VexStatus::kUnderInvestigation;
  std::string justification;     // "" when absent
  std::string impact_statement;  // "" when absent
  std::string action_statement;  // "" when absent
  std::string hash;              // "sha256:<hex>" of the statement's canonical JSON
};

struct VexDocument {
  std::string id;         // "@id", "" when absent
  std::string author;     // "" when absent
  std::string timestamp;  // "" when absent
  std::vector<VexStatement> statements;
};

// Errors: kParse, naming the offending field by JSON Pointer.
Result<VexDocument> parse_openvex(std::string_view text);

// Every statement's hash across `documents`, sorted and without duplicates:
// the VEX set the VeriKey hashes.
std::vector<std::string> vex_statement_hashes(std::span<const VexDocument> documents);

}  // namespace zastava::provcache
