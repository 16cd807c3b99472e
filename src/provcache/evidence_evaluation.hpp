#pragma once
// Evaluating an image's evidence into a provcache entry: what `stella prov
// evaluate` and the webhook (on a provcache miss with onMiss: evaluate) both
// do. From an image digest and its SBOM, VEX and findings documents (as text)
// it composes the provcache library: the VeriKey (verikey.hpp), the gate
// (evaluate.hpp), the trust score (trust_score.hpp), the evidence chunks
// (evidence_chunks.hpp) and the DecisionDigest (decision_digest.hpp), and
// returns the entry and the chunked evidence for the caller to store.
//
// The evidence is the canonical JSON (RFC 8785) of the documents as given,
//   {"findings":[<each findings document>],"sbom":<the SBOM or {}>,"vex":[<each VEX document>]}
// with content type kEvidenceContentType, so an auditor can replay the gate.
//
// Without an SBOM (an image nobody generated one for) the gate runs without
// an image identity, the SBOM counts as empty (no completeness points) and
// the VeriKey's sbom_hash is kEmptySbomHash, the hash of the empty document {}.
//
// Trust score inputs, and only what the caller can know:
//   reachability   none: no call graph is given (0 points)
//   sbom           counted from the SBOM's components
//   vex coverage   a finding counts as covered when a VEX statement changed
//                  its status (the gate run with and without the VEX), and as
//                  justified when the statement waived it; a statement that
//                  applied without changing the status is not seen
//   policy         policy_updated_at_seconds when given; otherwise the
//                  policy's age is unknown and earns nothing (treated as stale)
//   signers        as the caller verified them (`signers`); the CLI verifies
//                  no image signature, so there it earns nothing

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "provcache/decision_digest.hpp"
#include "provcache/entry.hpp"
#include "provcache/evidence_chunks.hpp"
#include "provcache/gate.hpp"
#include "provcache/trust_score.hpp"
#include "provcache/verikey.hpp"

namespace zastava::provcache {

inline constexpr std::string_view kEvidenceContentType = "application/vnd.zastava.evidence+json";
// sbom_hash_of("{}"): the VeriKey's sbom_hash for an image without an SBOM.
inline constexpr std::string_view kEmptySbomHash =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

// A findings document: SARIF 2.1.0 (a JSON object) or a findings list (a JSON
// array, whose findings are attributed to the feed `feed_id`).
struct FindingsDocument {
  std::string text;
  std::string feed_id;
};

// The feed of a findings predicate that names none.
inline constexpr std::string_view kDefaultFindingsFeed = "attestation";

// The predicate of a findings attestation (in-toto predicateType
// "https://stellaops.io/findings/v1"): SARIF 2.1.0 (an object with "runs"),
// or {"feedId"?: "..", "findings": [a findings list]}. Both are parsed and
// checked here, so the ingestion API and the admission path agree on what a
// findings predicate is. kParse (or kUnsupported for another SARIF version)
// with the reason.
Result<FindingsDocument> parse_findings_predicate(std::string_view predicate_json);

struct EvidenceEvaluationRequest {
  std::string image_digest;              // "sha256:<hex>"
  std::optional<std::string> sbom_json;  // CycloneDX JSON; nullopt: no SBOM
  std::vector<std::string> vex_json;     // OpenVEX documents
  std::vector<FindingsDocument> findings;
  std::vector<std::string> signer_keyids;  // the signer set (VeriKey)
  SignerTrustInputs signers;               // default: nothing verified
  std::string policy_hash;                 // content id
  std::string feed_epoch;                  // "" when unknown
  std::optional<std::int64_t> ttl_seconds;
  TtlPolicy ttl_policy;
  std::int64_t evaluated_at_seconds = 0;
  std::int64_t time_window_bucket_seconds = kDefaultTimeWindowBucketSeconds;
  std::optional<std::int64_t> policy_updated_at_seconds;
};

struct EvidenceEvaluation {
  ProvcacheEntry entry;
  ChunkedEvidence evidence;
  GateResult gate;
  TrustScore trust;
};

// kParse naming the document ("sbom", "vex[1]", "findings[0]") and field;
// kInvalidArgument for a malformed digest or hash ("image digest", "policy hash").
Result<EvidenceEvaluation> evaluate_evidence(const EvidenceEvaluationRequest& request);

}  // namespace zastava::provcache
