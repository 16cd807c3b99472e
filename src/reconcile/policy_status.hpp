#pragma once
// The status a policy resource should have, from its compile outcome.
//
// FacetPolicy: observedGeneration, facetCount, compiledScope and the
// conditions Ready (True: Compiled; False: the outcome's reason),
// Progressing (False once this generation is compiled) and Degraded (True
// while the policy is left out).
// ProvcachePolicy: the same conditions; `invalidations` and
// `appliedPolicyHash` belong to the invalidation reconciler and are kept.
//
// The result is the whole new `status`; the caller writes it (status
// subresource) only when it differs from the current one.

#include <nlohmann/json.hpp>
#include <string_view>

#include "reconcile/resource_outcome.hpp"

namespace zastava::reconcile {

nlohmann::json desired_policy_status(const nlohmann::json& current_status,
                                     const ResourceOutcome& outcome, std::string_view now_rfc3339);

}  // namespace zastava::reconcile
