#pragma once
// `stella prov evaluate`: how evidence gets into a provcache store without the
// webhook. It reads the image's SBOM, VEX and findings files and evaluates
// them with provcache::evaluate_evidence (provcache/evidence_evaluation.hpp,
// shared with the webhook's onMiss: evaluate), which documents the evidence,
// the VeriKey and the trust score inputs. Here: --policy-updated T gives the
// policy's age; the --signer-keyid values name the signer set (VeriKey) but
// this command verifies no image signature, so signer trust earns nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "provcache/entry.hpp"
#include "provcache/evidence_chunks.hpp"
#include "provcache/evidence_evaluation.hpp"
#include "provcache/gate.hpp"
#include "provcache/trust_score.hpp"

namespace zastava::cli {

using provcache::kEvidenceContentType;

struct EvaluationRequest {
  std::string image_digest;                 // "sha256:<hex>"
  std::string sbom_path;                    // CycloneDX JSON
  std::vector<std::string> vex_paths;       // OpenVEX
  std::vector<std::string> findings_paths;  // SARIF 2.1.0 (an object) or a list (an array)
  std::vector<std::string> signer_keyids;
  std::string policy_hash;  // content id
  std::string feed_epoch;   // "" when unknown
  std::optional<std::int64_t> ttl_seconds;
  std::int64_t evaluated_at_seconds = 0;
  std::optional<std::int64_t> policy_updated_at_seconds;
};

struct Evaluation {
  provcache::ProvcacheEntry entry;
  provcache::ChunkedEvidence evidence;
  provcache::GateResult gate;
  provcache::TrustScore trust;
};

// Reads the documents (kIo naming the file, kParse naming the field) and
// evaluates them. kInvalidArgument for a malformed digest or hash.
Result<Evaluation> evaluate_evidence(const EvaluationRequest& request);

}  // namespace zastava::cli
