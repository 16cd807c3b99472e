#pragma once
// The policy gate (product vision section 7.1), the TrustLattice role on a
// provcache miss: from an image's evidence, allow or deny.
//
// Deny when a CRITICAL finding is `affected` and not waived by an OpenVEX
// `not_affected` statement with a justification for the same vulnerability
// and product. `under_investigation` findings are counted separately and do
// not deny by themselves.

#include <cstddef>
#include <string>
#include <vector>

namespace zastava::provcache {

enum class Verdict { kAllow, kDeny };

struct GateFinding {
  std::string vulnerability_id;  // "CVE-2025-0001", "GHSA-..."
  std::string component_purl;    // the affected component, when known
  std::string severity;          // upper case: CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN
  std::string status;            // after VEX: affected | not_affected | fixed | under_investigation
  bool waived = false;           // a VEX not_affected with justification applied
  std::string waiver_justification;
};

struct GateResult {
  Verdict verdict = Verdict::kAllow;
  std::vector<GateFinding> findings;  // sorted by (vulnerability_id, component_purl)
  std::size_t critical_affected = 0;  // unwaived CRITICAL affected: each one denies
  std::size_t under_investigation = 0;
  std::vector<std::string> reasons;   // one line each, for a denial message
  std::vector<std::string> rule_ids;  // the rules applied, e.g. "stella.gate/critical-affected/v1"
  std::vector<std::string> feed_ids;  // where findings came from (SARIF tool names, list sources)
};

}  // namespace zastava::provcache
