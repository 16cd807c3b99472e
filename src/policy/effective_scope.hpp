#pragma once
// The effective scope: what a scope enforces once `defaults` is merged in, as
// one JSON document whose RFC 8785 canonical form the scope's policy hash
// (the VeriKey's merge_policy_hash) is the SHA-256 of:
//
//   {"schema":"zastava.policy.scope.v1",
//    "mode":"Enforce","failurePolicy":"Fail","requireDigest":true,"requireSeal":true,
//    "trustedKeyIds":["sha256:..",..],          sorted: the keys, not their PEM spelling
//    "signatureThreshold":1,
//    "facets":[{"facetId","type","includeGlobs","excludeGlobs",
//               "quota":{"maxChurnPercent","maxChangedFiles","maxAddedFiles",
//                        "maxRemovedFiles","onExceed"}},..],   in classification order
//    "baseline":{"rule":"pinned","pinnedSealId":"..","pinnedImageDigest":".."},
//    "provcache":{"enabled","minTrustScore","onMiss","ttlSeconds","maxTtlSeconds",
//                 "timeWindowBucketSeconds","feedEpoch","revokedSignerSetHashes":[..]}}
//
// Left out on purpose: the scope's name and source (renaming must not empty
// the cache), its namespace and image selectors (they choose WHICH scope
// applies, not what it enforces: an image that moves to another scope gets
// that scope's hash), the revocation reasons (free text) and the document's
// metadata. Everything else is in, each value fully resolved (every quota
// field, durations in seconds), so two spellings of one policy hash alike
// and any change of what is enforced changes the hash.

#include <nlohmann/json_fwd.hpp>

#include "base/result.hpp"
#include "facet/definitions.hpp"
#include "policy/policy_document.hpp"

namespace zastava::policy {

inline constexpr std::string_view kEffectiveScopeSchema = "zastava.policy.scope.v1";

// The facet definitions in the seed's spelling (facetId, type, includeGlobs,
// excludeGlobs, quota with all five fields): FacetSet::from_yaml reads it back.
nlohmann::json facet_definitions_json(const facet::FacetSet& facets);

nlohmann::json effective_scope_document(const Scope& scope);

// The canonical JSON of effective_scope_document(scope): what policy_hash
// is the SHA-256 of. kInvalidArgument if a string is not valid UTF-8.
Result<std::string> effective_scope_json(const Scope& scope);

// Fills scope.policy_hash and signer_set_hash from the rest.
// kInvalidArgument if a string is not valid UTF-8 (canonical JSON needs it).
Status compute_scope_hashes(Scope& scope);

}  // namespace zastava::policy
