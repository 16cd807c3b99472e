#pragma once
// One FacetPolicy resource → one scope of the compiled policy
// (docs/policy.md; docs/operator.md says how each field maps).
//
//   - name "<namespace>/<name>", source {kind: FacetPolicy, namespace, name};
//   - namespaces: a policy in the operator's namespace is a cluster policy
//     (names empty, its namespaceSelector over every namespace); elsewhere
//     names = [its own namespace], ANDed with its namespaceSelector, so a
//     team's policy can never reach another team's namespace;
//   - images, mode, failurePolicy, requireDigest, requireSeal,
//     signatureThreshold, baseline: copied (defaults from the CRD schema
//     apply when absent);
//   - facets: {useDefaults: true} → "defaults"; definitions → the list;
//   - quotas: copied per facet;
//   - trustedKeys: inline `pem` as is; `secretRef {name, key (default
//     "public.pem")}` read through the SecretReader from the policy's
//     namespace. No trustedKeys: an empty list (the CRD's "None: no seal
//     verifies"), not the operator defaults' keys.
// The scope is then validated by compiling it as the only scope of a
// document with `defaults` (policy::compile_policy), so every problem the
// webhook would refuse is found here, reported against the resource's own
// field path ("spec.quotas.binary.maxChurnPercent: ...").

#include <cstddef>
#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "reconcile/operator_settings.hpp"
#include "reconcile/resource_outcome.hpp"

namespace zastava::reconcile {

struct CompiledScope {
  nlohmann::json scope;  // one element of the compiled document's `scopes`
  std::size_t facet_count = 0;
};

// kInvalidArgument (the spec is wrong: reason InvalidSpec) or kNotFound (a
// referenced Secret or key is missing: reason SecretNotFound), with the
// message naming the field. Any other code is the SecretReader's own failure
// (the API server unreachable): not the resource's fault, worth a retry.
Result<CompiledScope> compile_facet_policy(const nlohmann::json& facet_policy,
                                           const OperatorSettings& settings,
                                           const SecretReader& read_secret);

// The two steps of compile_facet_policy, for assemble_policy, which checks
// many scopes in one document and validates one by one only when that fails.
//
// The scope as written into the document, not yet validated; errors as above.
Result<nlohmann::json> build_facet_scope(const nlohmann::json& facet_policy,
                                         const OperatorSettings& settings,
                                         const SecretReader& read_secret);
// Compiles `scope` as the only scope of a document with `defaults` (the
// compiled document's defaults section); kInvalidArgument with the message
// in the FacetPolicy's field paths.
Result<CompiledScope> validate_facet_scope(const nlohmann::json& scope,
                                           const nlohmann::json& defaults,
                                           const OperatorSettings& settings);

}  // namespace zastava::reconcile
