#include "policy/effective_scope.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "facet/names.hpp"
#include "json/canonical_json.hpp"
#include "provcache/verikey.hpp"

namespace zastava::policy {
namespace {

using Json = nlohmann::json;

Json patterns(const std::vector<facet::Glob>& globs) {
  Json list = Json::array();
  for (const facet::Glob& glob : globs) list.push_back(glob.pattern());
  return list;
}

Json quota_json(const facet::FacetQuota& quota) {
  return Json{{"maxChurnPercent", quota.max_churn_percent},
              {"maxChangedFiles", quota.max_changed_files},
              {"maxAddedFiles", quota.max_added_files},
              {"maxRemovedFiles", quota.max_removed_files},
              {"onExceed", facet::quota_action_name(quota.on_exceed)}};
}

std::vector<std::string> sorted_keyids(const Scope& scope) {
  std::vector<std::string> keyids;
  for (const crypto::PublicKey& key : scope.trusted_keys) keyids.push_back(key.keyid());
  std::sort(keyids.begin(), keyids.end());
  return keyids;
}

}  // namespace

Json facet_definitions_json(const facet::FacetSet& facets) {
  Json list = Json::array();
  for (const facet::FacetDefinition& definition : facets.definitions()) {
    list.push_back(Json{{"facetId", definition.id},
                        {"type", facet::facet_type_name(definition.type)},
                        {"includeGlobs", patterns(definition.include)},
                        {"excludeGlobs", patterns(definition.exclude)},
                        {"quota", quota_json(definition.quota)}});
  }
  return list;
}

Json effective_scope_document(const Scope& scope) {
  Json baseline{{"rule", baseline_rule_name(scope.baseline.rule)}};
  if (!scope.baseline.pinned_seal_id.empty()) {
    baseline["pinnedSealId"] = scope.baseline.pinned_seal_id;
  }
  if (!scope.baseline.pinned_image_digest.empty()) {
    baseline["pinnedImageDigest"] = scope.baseline.pinned_image_digest;
  }
  const ProvcacheSettings& prov = scope.provcache;
  Json revoked = Json::array();
  for (const RevokedSigner& signer : prov.revoked_signers)
    revoked.push_back(signer.signer_set_hash);
  return Json{{"schema", kEffectiveScopeSchema},
              {"mode", mode_name(scope.mode)},
              {"failurePolicy", failure_policy_name(scope.failure_policy)},
              {"requireDigest", scope.require_digest},
              {"requireSeal", scope.require_seal},
              {"trustedKeyIds", sorted_keyids(scope)},
              {"signatureThreshold", scope.signature_threshold},
              {"facets", scope.facets ? facet_definitions_json(*scope.facets) : Json::array()},
              {"baseline", std::move(baseline)},
              {"provcache", Json{{"enabled", prov.enabled},
                                 {"minTrustScore", prov.min_trust_score},
                                 {"onMiss", on_miss_name(prov.on_miss)},
                                 {"ttlSeconds", prov.ttl.default_ttl_seconds},
                                 {"maxTtlSeconds", prov.ttl.max_ttl_seconds},
                                 {"timeWindowBucketSeconds", prov.time_window_bucket_seconds},
                                 {"feedEpoch", prov.feed_epoch},
                                 {"revokedSignerSetHashes", std::move(revoked)}}}};
}

Result<std::string> effective_scope_json(const Scope& scope) {
  auto canonical = json::canonicalize(effective_scope_document(scope));
  if (!canonical) return canonical.error().with_context("scope \"" + scope.name + "\"");
  return canonical;
}

Status compute_scope_hashes(Scope& scope) {
  auto canonical = effective_scope_json(scope);
  if (!canonical) return canonical.error();
  const auto keyids = sorted_keyids(scope);
  auto signers = provcache::signer_set_hash(keyids);
  if (!signers) return signers.error().with_context("scope \"" + scope.name + "\"");
  scope.policy_hash = digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
  scope.signer_set_hash = std::move(signers).value();
  return ok_status();
}

}  // namespace zastava::policy
