#pragma once
// Every FacetPolicy and ProvcachePolicy → the one compiled policy document
// the webhook enforces, plus an outcome per resource.
//
// Scope order (the first match wins in the webhook): cluster policies (in
// the operator's namespace) first, so a team's own policy can only fill in
// where no cluster policy matches; then the rest; each group sorted by
// namespace/name, so the document depends only on the set of resources,
// never on the order they were seen in.
//
// A resource that fails to compile is left out with Ready=False and the
// others are unaffected. The whole document is compiled once more
// (policy::compile_policy) before it is returned; metadata.version is the
// "sha256:" of the canonical JSON of the document with version "" and it is
// also `content_hash`: the operator rewrites the ConfigMap only when it
// changes.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "reconcile/operator_settings.hpp"
#include "reconcile/resource_outcome.hpp"

namespace zastava::reconcile {

struct AssembledPolicy {
  nlohmann::json document;
  std::string text;                       // canonical JSON of `document` (the ConfigMap's value)
  std::string content_hash;               // == document.metadata.version
  std::vector<ResourceOutcome> outcomes;  // one per resource given, sorted by key
};

// Fails only when the document as a whole does not compile (a bug, or bad
// operator defaults), or when `read_secret` fails for another reason than a
// missing Secret or key (the API server unreachable: not the resource's
// fault); the caller keeps the last good ConfigMap then and retries.
// The FacetPolicies are taken by value and released one by one as their
// scopes are built (an operator with thousands of them would otherwise
// hold both).
Result<AssembledPolicy> assemble_policy(std::vector<nlohmann::json> facet_policies,
                                        const std::vector<nlohmann::json>& provcache_policies,
                                        const OperatorSettings& settings,
                                        const SecretReader& read_secret);

}  // namespace zastava::reconcile
