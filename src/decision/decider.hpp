#pragma once
// The admission decision: for each container image of an AdmissionRequest
// that needs checking (on UPDATE only new or changed images), the pipeline of
// docs/decision.md, pure logic over the configured stores (no other network):
//
//   1. scope       policy::select_scope(namespace, its labels, normalized image)
//   2. reference   unparseable: InvalidImage; no digest and requireDigest: DigestRequired
//   3. seals       the digest's seals verified against the scope's keys and
//                  threshold (memoized, evidence_verifier.hpp); none and
//                  requireSeal: SealMissing; each invalid one: SealInvalid
//   4. drift       per valid seal against its baseline (the latest approved
//                  seal of the repository and facet, or the pinned one), the
//                  scope's quota for the facet: Warn warns, Block denies,
//                  RequireVex denies unless a signed VEX statement of the
//                  image is not_affected (with a justification) or fixed
//   5. provcache   the VeriKey of (digest, SBOM hash, VEX set, policy hash,
//                  signer set, time window); a hit's verdict and trust score
//                  against minTrustScore; a miss per onMiss (deny, warn, or
//                  evaluate the stored evidence and cache it unless dryRun);
//                  a revoked signer set never allows
//   6. mode        Enforce: violations deny; Warn: they become warnings;
//                  Audit: audit annotations and the audit record only
//
// A store error or the per-request deadline stops that image's checks and
// follows the scope's failurePolicy: Fail makes it a violation
// ("provcache store unavailable: ...", subject to the mode like any other),
// Ignore admits it with a warning.
//
// A Decider is shared by all worker threads: the stores are thread-safe and
// the memo tables (verification and drift results) are keyed by every input
// they depend on, so they never serve a stale result.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "admission/admission_request.hpp"
#include "decision/bounded_cache.hpp"
#include "decision/evidence_verifier.hpp"
#include "decision/namespace_labels.hpp"
#include "decision/outcome.hpp"
#include "policy/policy_document.hpp"
#include "store/artifact_store.hpp"
#include "store/provcache_store.hpp"

namespace zastava::decision {

using SteadyClock = std::chrono::steady_clock;

struct DeciderOptions {
  std::size_t verification_cache_capacity = 8192;
  std::size_t drift_cache_capacity = 8192;
  // The clock the deadline is measured with (tests replace it).
  std::function<SteadyClock::time_point()> steady_now = [] { return SteadyClock::now(); };
};

// When the decision is made.
struct DecisionTime {
  std::int64_t now_seconds = 0;  // Unix seconds: VeriKey time window, TTLs, expiry
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
};

// A drift result, memoized by (baseline seal id, current seal id, quota).
struct DriftCheck {
  facet::DriftScore score;
  facet::QuotaVerdict verdict;
};

class Decider {
 public:
  Decider(store::ArtifactStore& artifacts, store::ProvcacheStore& provcache,
          const NamespaceLabels& namespace_labels, DeciderOptions options = {});

  // The outcome for `request` under `policy`. A request that is not handled,
  // or needs no image checks, is allowed with a note in the audit record.
  AdmissionOutcome decide(const admission::AdmissionRequest& request,
                          const policy::CompiledPolicy& policy, const DecisionTime& time);

  [[nodiscard]] const EvidenceVerifier& verifier() const noexcept { return verifier_; }
  [[nodiscard]] std::size_t cached_drifts() const { return drifts_.size(); }

  // Internal: the per-image steps (image_checks.cpp) reach the stores through these.
  store::ArtifactStore& artifacts() noexcept { return artifacts_; }
  store::ProvcacheStore& provcache() noexcept { return provcache_; }
  EvidenceVerifier& verifier() noexcept { return verifier_; }
  BoundedCache<DriftCheck>& drifts() noexcept { return drifts_; }
  [[nodiscard]] SteadyClock::time_point steady_now() const { return options_.steady_now(); }

 private:
  store::ArtifactStore& artifacts_;
  store::ProvcacheStore& provcache_;
  const NamespaceLabels& namespace_labels_;
  DeciderOptions options_;
  EvidenceVerifier verifier_;
  BoundedCache<DriftCheck> drifts_;
};

}  // namespace zastava::decision
