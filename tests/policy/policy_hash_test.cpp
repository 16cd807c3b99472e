// The per-scope policy hash (the VeriKey's merge_policy_hash): stable under
// spelling, renames and selector changes; changed by anything enforced.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "policy/effective_scope.hpp"
#include "policy/policy_document.hpp"
#include "policy_test_support.hpp"
#include "provcache/verikey.hpp"

namespace zastava::policy {
namespace {

using testing::compile_ok;
using testing::indent;
using testing::pem;

const std::string kBase = R"(
defaults:
  requireSeal: true
  quotas:
    binary: {onExceed: Block}
scopes:
  - name: payments/strict
    source: {kind: FacetPolicy, namespace: payments, name: strict}
    namespaces: {names: [payments]}
    images: [registry.example.com/payments/**]
    mode: Enforce
    provcache: {minTrustScore: 80}
)";

std::string scope_hash(const std::string& body) {
  return compile_ok(body).scopes.at(0).policy_hash;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(PolicyHash, IsTheSha256OfTheCanonicalEffectiveScope) {
  const CompiledPolicy policy = compile_ok(kBase);
  const Scope& scope = policy.scopes[0];
  const auto effective = effective_scope_json(scope);
  ASSERT_TRUE(effective.ok());
  const auto document = nlohmann::json::parse(*effective);
  EXPECT_EQ(document.at("schema"), "zastava.policy.scope.v1");
  EXPECT_EQ(document.at("mode"), "Enforce");
  EXPECT_EQ(document.at("provcache").at("minTrustScore"), 80);
  EXPECT_EQ(document.at("provcache").at("ttlSeconds"), 86400);
  EXPECT_FALSE(document.contains("name"));
  EXPECT_FALSE(document.contains("namespaces"));
  EXPECT_FALSE(document.contains("images"));
  // Every quota field is resolved into the document.
  const auto& facets = document.at("facets");
  ASSERT_FALSE(facets.empty());
  EXPECT_EQ(facets[0].at("quota").size(), 5u);
  EXPECT_EQ(scope.policy_hash,
            "sha256:" + std::string(scope.policy_hash).substr(7));  // a content id
  // Recomputing from the document gives the same value.
  Scope copy = scope;
  copy.policy_hash.clear();
  ASSERT_TRUE(compute_scope_hashes(copy).ok());
  EXPECT_EQ(copy.policy_hash, scope.policy_hash);
  EXPECT_EQ(effective_scope_json(copy).value(), *effective);
  EXPECT_EQ(scope.policy_hash, digest::ContentId::sha256_of(as_bytes(*effective)).to_string());
}

TEST(PolicyHash, StableUnderSpellingRenamesAndSelectors) {
  const std::string base = scope_hash(kBase);
  // Renamed scope and source.
  EXPECT_EQ(scope_hash(replace(replace(kBase, "name: payments/strict", "name: pay"),
                               "name: strict}", "name: other}")),
            base);
  // Different selectors: they choose the scope, they are not what it enforces.
  EXPECT_EQ(scope_hash(replace(kBase, "names: [payments]", "names: [billing]")), base);
  EXPECT_EQ(scope_hash(replace(kBase, "registry.example.com/payments/**", "ghcr.io/x/**")), base);
  // Key order, flow vs block style, and explicit defaults.
  EXPECT_EQ(scope_hash(replace(kBase, "    mode: Enforce\n", "")), base);  // Enforce is the default
  EXPECT_EQ(scope_hash(replace(kBase, "provcache: {minTrustScore: 80}",
                               "provcache: {onMiss: evaluate, minTrustScore: 80, ttl: 1440m}")),
            base);
  EXPECT_EQ(
      scope_hash(replace(kBase, "quotas:\n    binary: {onExceed: Block}",
                         "quotas:\n    binary:\n      onExceed: Block\n      maxChurnPercent: 2")),
      base);  // 2 is the seed's binary quota already
  // The same policy written as "defaults" facets or as the built-in list.
  EXPECT_EQ(scope_hash(replace(kBase, "    mode: Enforce\n", "    facets: defaults\n")), base);
  // Changing a revocation's reason is not a change of what is enforced.
  const std::string revoked =
      "    provcache: {minTrustScore: 80, revokedSigners: [{signerSetHash: "
      "\"sha256:0000000000000000000000000000000000000000000000000000000000000001\", reason: X}]}";
  EXPECT_EQ(scope_hash(replace(kBase, "    provcache: {minTrustScore: 80}", revoked)),
            scope_hash(replace(kBase, "    provcache: {minTrustScore: 80}",
                               replace(revoked, "reason: X", "reason: Y"))));
}

TEST(PolicyHash, AnyEnforcedChangeChangesIt) {
  const std::string base = scope_hash(kBase);
  const std::string key = "    trustedKeys:\n      - |\n" + indent(pem("p256_pub.pem"), 8);
  const std::pair<std::string, std::string> edits[] = {
      {"mode: Enforce", "mode: Warn"},
      {"mode: Enforce", "mode: Audit"},
      {"mode: Enforce", "mode: Enforce\n    failurePolicy: Ignore"},
      {"mode: Enforce", "mode: Enforce\n    requireDigest: false"},
      {"mode: Enforce", "mode: Enforce\n    requireSeal: false"},
      {"    mode: Enforce\n", key},
      {"binary: {onExceed: Block}", "binary: {onExceed: Warn}"},
      {"binary: {onExceed: Block}", "binary: {onExceed: Block, maxChurnPercent: 2.5}"},
      {"binary: {onExceed: Block}", "binary: {onExceed: Block, maxAddedFiles: 26}"},
      {"binary: {onExceed: Block}", "binary: {onExceed: Block, maxRemovedFiles: 11}"},
      {"binary: {onExceed: Block}", "binary: {onExceed: Block, maxChangedFiles: 21}"},
      {"mode: Enforce",
       "mode: Enforce\n    facets: [{facetId: os, type: OS, includeGlobs: [/var/lib/dpkg/**]}]"},
      {"mode: Enforce",
       "mode: Enforce\n    baseline: {rule: pinned, pinnedSealId: "
       "3f2b6c1e-8a4d-4e1f-9b7a-2c5d8e0f1a3b}"},
      {"minTrustScore: 80", "minTrustScore: 81"},
      {"minTrustScore: 80", "minTrustScore: 80, onMiss: deny"},
      {"minTrustScore: 80", "minTrustScore: 80, enabled: false"},
      {"minTrustScore: 80", "minTrustScore: 80, ttl: 12h"},
      {"minTrustScore: 80", "minTrustScore: 80, maxTtl: 100h"},
      {"minTrustScore: 80", "minTrustScore: 80, timeWindowBucket: 2h"},
      {"minTrustScore: 80", "minTrustScore: 80, feedEpoch: \"42\""},
      {"minTrustScore: 80",
       "minTrustScore: 80, revokedSigners: [{signerSetHash: "
       "\"sha256:0000000000000000000000000000000000000000000000000000000000000001\"}]"},
  };
  std::vector<std::string> seen{base};
  for (const auto& [from, to] : edits) {
    const std::string hash = scope_hash(replace(kBase, from, to));
    EXPECT_NE(hash, base) << to;
    seen.push_back(hash);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "two edits hashed alike";
}

TEST(PolicyHash, FacetOrderIsEnforcedSoItCounts) {
  // A file belongs to the first facet that includes it: the order is policy.
  const std::string a =
      "defaults:\n  facets:\n"
      "    - {facetId: os, type: OS, includeGlobs: [/etc/**]}\n"
      "    - {facetId: config, type: Config, includeGlobs: [/etc/**]}\n";
  const std::string b =
      "defaults:\n  facets:\n"
      "    - {facetId: config, type: Config, includeGlobs: [/etc/**]}\n"
      "    - {facetId: os, type: OS, includeGlobs: [/etc/**]}\n";
  EXPECT_NE(compile_ok(a).defaults.policy_hash, compile_ok(b).defaults.policy_hash);
}

TEST(PolicyHash, SignerSetHashIsOfTheTrustedKeyIdsInAnyOrder) {
  const std::string p256 = "      - |\n" + indent(pem("p256_pub.pem"), 8);
  const std::string ed = "      - |\n" + indent(pem("ed25519_pub.pem"), 8);
  const CompiledPolicy one = compile_ok("scopes:\n  - name: a\n    trustedKeys:\n" + p256 + ed);
  const CompiledPolicy two = compile_ok("scopes:\n  - name: a\n    trustedKeys:\n" + ed + p256);
  EXPECT_EQ(one.scopes[0].signer_set_hash, two.scopes[0].signer_set_hash);
  EXPECT_EQ(one.scopes[0].policy_hash, two.scopes[0].policy_hash);
  const std::vector<std::string> keyids{one.scopes[0].trusted_keys[0].keyid(),
                                        one.scopes[0].trusted_keys[1].keyid()};
  EXPECT_EQ(one.scopes[0].signer_set_hash, *provcache::signer_set_hash(keyids));
  // No keys: the empty set's hash, which differs.
  EXPECT_EQ(one.defaults.signer_set_hash, *provcache::signer_set_hash({}));
  EXPECT_NE(one.defaults.signer_set_hash, one.scopes[0].signer_set_hash);
}

TEST(PolicyHash, ContentHashCoversTheWholeDocument) {
  const CompiledPolicy a = compile_ok(kBase);
  const CompiledPolicy renamed = compile_ok(replace(kBase, "name: payments/strict", "name: x"));
  // Renames keep the scope hash but are a new document version.
  EXPECT_EQ(a.scopes[0].policy_hash, renamed.scopes[0].policy_hash);
  EXPECT_NE(a.content_hash, renamed.content_hash);
  EXPECT_EQ(a.content_hash, compile_ok(kBase).content_hash);
}

}  // namespace
}  // namespace zastava::policy
