#pragma once
// Vulnerability findings, from SARIF 2.1.0 scanner output or from a simple
// JSON list, normalized to what the gate needs.
//
// SARIF: every runs[].results[] is one finding.
//   id        result.ruleId, else result.rule.id
//   feed id   runs[].tool.driver.name
//   severity  the first present of: result.properties["security-severity"],
//             the rule's properties["security-severity"] (the rule found in
//             tool.driver.rules by ruleId: where GitHub code scanning puts it),
//             both as a CVSS score (number or numeric string) mapped by
//             severity_from_cvss; then result.properties.severity, then the
//             rule's properties.severity (a severity word). Otherwise UNKNOWN:
//             SARIF `level` says how sure the tool is, not how bad the CVE is,
//             so it is not read.
//   purl      result.properties.purl, else the first
//             locations[].logicalLocations[].fullyQualifiedName (or .name)
//             that starts with "pkg:"; "" when none.
//   status    affected (a scanner reports what it found).
// List: [{"id", "purl", "severity", "status"?}], status defaulting to affected.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::provcache {

struct Finding {
  std::string id;        // "CVE-2025-0001", "GHSA-..."
  std::string purl;      // the affected component, "" when unknown
  std::string severity;  // CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN
  std::string status;    // affected, not_affected, fixed or under_investigation
  std::string feed_id;   // where it came from
};

// CVSS base score to severity: CRITICAL >= 9.0, HIGH >= 7.0, MEDIUM >= 4.0,
// LOW > 0, UNKNOWN for 0 (CVSS "None"). Precondition: 0 <= score <= 10.
std::string severity_from_cvss(double score);

// Errors: kParse for malformed JSON or a document that is not SARIF 2.1.0 of
// the expected shape, kUnsupported for another SARIF version.
Result<std::vector<Finding>> parse_sarif(std::string_view text);

// A JSON array of {"id", "purl", "severity", "status"?}; severity in any case,
// one of CRITICAL/HIGH/MEDIUM/LOW/UNKNOWN. Errors: kParse, naming the entry.
Result<std::vector<Finding>> parse_findings_list(std::string_view text, std::string_view feed_id);

}  // namespace zastava::provcache
