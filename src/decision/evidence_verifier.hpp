#pragma once
// Verifying an image's stored evidence against a scope's trusted keys, with
// the results memoized. The artifact store keeps envelopes as received, so
// the admission path re-verifies them rather than trusting the store; to keep
// the hot path fast the outcome (valid or not, and why) is cached by
//   (envelope id, trust-set id = the scope's signer set hash, threshold,
//    the artifact's subject digest)
// which names every input of the verification: a new key set, a new
// threshold or another envelope is a different key, never a stale hit.
//
//   seals       facet::verify_seal, then: the payload's imageDigest is the
//               artifact's subject and its facetId the artifact's facet
//   statements  (VEX, SBOM, findings) a DSSE envelope of an in-toto Statement
//               signed by the trusted keys, whose subjects include the image
//               digest; its predicate parsed by kind (OpenVEX, CycloneDX with
//               its canonical hash, findings as the ingestion API accepts
//               them: SARIF 2.1.0, or {"feedId"?: "..", "findings": [..]})
//
// Thread-safe.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "decision/bounded_cache.hpp"
#include "facet/seal.hpp"
#include "policy/policy_document.hpp"
#include "provcache/evidence_evaluation.hpp"
#include "provcache/openvex.hpp"
#include "store/artifact_store.hpp"

namespace zastava::decision {

struct SealCheck {
  std::shared_ptr<const facet::VerifiedSeal> seal;  // nullptr: invalid
  std::string error;                                // why, when invalid
  [[nodiscard]] bool valid() const noexcept { return seal != nullptr; }
};

struct StatementCheck {
  bool valid = false;
  std::string error;                          // why, when invalid
  std::string predicate_json;                 // canonical JSON of the predicate
  std::string sbom_hash;                      // SBOMs: provcache::sbom_hash_of the predicate
  std::optional<provcache::VexDocument> vex;  // VEX: the parsed document
  provcache::FindingsDocument findings;       // findings: SARIF text or the list, and its feed
};

class EvidenceVerifier {
 public:
  explicit EvidenceVerifier(std::size_t capacity = 8192);

  std::shared_ptr<const SealCheck> check_seal(const store::StoredArtifact& artifact,
                                              const policy::Scope& scope);
  std::shared_ptr<const StatementCheck> check_statement(const store::StoredArtifact& artifact,
                                                        const policy::Scope& scope);

  [[nodiscard]] std::size_t cached_seals() const { return seals_.size(); }
  [[nodiscard]] std::size_t cached_statements() const { return statements_.size(); }

 private:
  BoundedCache<SealCheck> seals_;
  BoundedCache<StatementCheck> statements_;
};

// The cache key above.
std::string verification_key(const store::StoredArtifact& artifact, const policy::Scope& scope);

}  // namespace zastava::decision
