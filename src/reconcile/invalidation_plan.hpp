#pragma once
// Which invalidations a ProvcachePolicy asks for, level-triggered: derived
// from its spec and status alone, so a restart or a missed event plans the
// same thing again, and a deterministic Job name makes re-creating a no-op.
//
//   - each spec.revokedSigners[i]       → by signer_set_hash, value the hash,
//                                         reason SignerRevoked,
//                                         target "signer:<hash>"
//   - spec.feedEpoch (non-empty)        → by feed_epoch, value the epoch,
//                                         reason FeedEpochAdvanced,
//                                         target "feedEpoch:<older than epoch>"
//   - spec.policyHash changed from
//     status.appliedPolicyHash (both
//     non-empty)                        → by policy_hash, value the *old* hash,
//                                         reason PolicyHashChanged,
//                                         target "policyHash:<old>"
//   - a TTL sweep per ttl_sweep_interval → by expired, reason TtlSweep,
//     bucket (Postgres stores only)       target "expired:<bucket start RFC 3339>"
// An invalidation already recorded in status.invalidations (same jobName) is
// not planned again, whatever its state. A request `stella prov invalidate`
// would refuse (provcache::validate: not a content id, over 1 KiB; the CRD's
// schema keeps these out of a real cluster) is left out, not run to fail.
// A ttl_sweep_interval of 0 plans no sweeps.
//
// Job name: "zastava-inv-" + the first 16 hex of sha256 over the canonical
// JSON {namespace, policy, by, value} (plus the bucket for sweeps): stable
// across restarts and replicas, unique per request, <= 63 characters.
//
// An Embedded store lives inside each webhook replica, out of a Job's reach;
// there the webhook itself refuses revoked signers and older feed epochs
// from the compiled policy, so no Job is planned (needs_job false) and the
// invalidation is recorded as Succeeded with a message saying so.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "provcache/invalidation.hpp"
#include "reconcile/operator_settings.hpp"

namespace zastava::reconcile {

struct PlannedInvalidation {
  provcache::InvalidationKind kind = provcache::InvalidationKind::kSignerSetHash;
  std::string value;   // empty for kExpired
  std::string reason;  // SignerRevoked, FeedEpochAdvanced, PolicyHashChanged, TtlSweep
  std::string target;  // for status
  std::string job_name;
  bool needs_job = true;  // false: Embedded store (see above)
};

// `now_seconds` picks the TTL sweep bucket.
std::vector<PlannedInvalidation> plan_invalidations(const nlohmann::json& provcache_policy,
                                                    const OperatorSettings& settings,
                                                    std::int64_t now_seconds);

std::string invalidation_job_name(const std::string& namespace_name, const std::string& policy_name,
                                  const provcache::InvalidationRequest& request,
                                  const std::string& bucket = {});

}  // namespace zastava::reconcile
