#pragma once
// The policy gate on a provcache miss (gate.hpp states the rule).
//
// A VEX statement applies to a finding when one of its vulnerability ids is
// the finding's id and either it names no products, or one of its products or
// subcomponents is the finding's purl, or one of its products is the image
// (the SBOM's metadata.component purl). Purls are compared without qualifiers
// or subpath and with percent-escapes decoded ("@sha256%3A" == "@sha256:").
// When several statements apply, the last one wins (documents in the order
// given, statements in document order).
//
// The applied statement's status replaces the finding's, except that a
// not_affected without a justification or impact statement is not accepted:
// the finding keeps its own status and, when it is CRITICAL, a reason says
// why the VEX did not waive it.
//
// Findings with the same (id, purl) from several feeds are merged: the highest
// severity, and `affected` if any feed says so.

#include <span>
#include <string>
#include <string_view>

#include "provcache/cyclonedx.hpp"
#include "provcache/findings.hpp"
#include "provcache/gate.hpp"
#include "provcache/openvex.hpp"

namespace zastava::provcache {

inline constexpr std::string_view kCriticalAffectedRule = "stella.gate/critical-affected/v1";

// `sbom` may be null (no image identity to match products against).
GateResult evaluate_gate(const Sbom* sbom, std::span<const VexDocument> vex,
                         std::span<const Finding> findings);

// A purl without qualifiers and subpath, percent-escapes decoded, for matching.
std::string purl_match_key(std::string_view purl);

}  // namespace zastava::provcache
