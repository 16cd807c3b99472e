#pragma once
// ProvcachePolicy resources → the compiled policy's `defaults.provcache`.
//
// The provenance cache is one per cluster, so exactly one ProvcachePolicy is
// active: among those in the operator's namespace that compile, the oldest
// (creationTimestamp, then name). Others in that namespace are Superseded;
// ones in any other namespace are WrongNamespace. Both are Ready=False and
// change nothing. Without an active one, the defaults' provcache (or the
// built-in values) stay.
//
// Field mapping: enabled, ttl, maxTtl, timeWindowBucket, minTrustScore,
// onMiss, feedEpoch, revokedSigners [{signerSetHash, reason}] are copied
// into `provcache`; `store` and `policyHash` drive invalidation Jobs only
// (reconcile/invalidation_plan.hpp) and are not part of the document.

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "base/result.hpp"
#include "reconcile/operator_settings.hpp"
#include "reconcile/resource_outcome.hpp"

namespace zastava::reconcile {

// The `provcache` section for one ProvcachePolicy; kInvalidArgument naming
// the field ("spec.ttl: ...") when it would not compile.
Result<nlohmann::json> compile_provcache_policy(const nlohmann::json& provcache_policy);

struct ProvcacheSelection {
  std::optional<nlohmann::json> provcache;  // the active policy's section
  std::vector<ResourceOutcome> outcomes;    // one per resource given
};

ProvcacheSelection select_provcache_policy(const std::vector<nlohmann::json>& provcache_policies,
                                           const OperatorSettings& settings);

}  // namespace zastava::reconcile
