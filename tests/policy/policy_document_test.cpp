#include "policy/policy_document.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "facet/definitions.hpp"
#include "policy_test_support.hpp"

namespace zastava::policy {
namespace {

using testing::compile_error;
using testing::compile_ok;
using testing::indent;
using testing::pem;

TEST(PolicyDocument, BuiltInDefaultsAreStrict) {
  const CompiledPolicy policy = compile_ok("");
  const Scope& d = policy.defaults;
  EXPECT_EQ(policy.metadata.name, "test");
  EXPECT_EQ(d.name, "defaults");
  EXPECT_EQ(d.mode, Mode::kEnforce);
  EXPECT_EQ(d.failure_policy, FailurePolicy::kFail);
  EXPECT_TRUE(d.require_digest);
  EXPECT_TRUE(d.require_seal);
  EXPECT_TRUE(d.trusted_keys.empty());
  EXPECT_EQ(d.signature_threshold, 1u);
  ASSERT_NE(d.facets, nullptr);
  EXPECT_EQ(d.facets->definitions().size(), facet::FacetSet::defaults().definitions().size());
  EXPECT_EQ(d.baseline.rule, BaselineRule::kLatestApproved);
  EXPECT_TRUE(d.provcache.enabled);
  EXPECT_EQ(d.provcache.min_trust_score, 60);
  EXPECT_EQ(d.provcache.on_miss, OnMiss::kEvaluate);
  EXPECT_EQ(d.provcache.ttl.default_ttl_seconds, 24 * 3600);
  EXPECT_EQ(d.provcache.ttl.max_ttl_seconds, 168 * 3600);
  EXPECT_EQ(d.provcache.time_window_bucket_seconds, 3600);
  EXPECT_TRUE(policy.scopes.empty());
  EXPECT_EQ(policy.content_hash.rfind("sha256:", 0), 0u);
  EXPECT_EQ(d.policy_hash.rfind("sha256:", 0), 0u);
  EXPECT_EQ(d.signer_set_hash.rfind("sha256:", 0), 0u);
  // Seals required, no keys: valid but almost certainly not meant.
  ASSERT_EQ(policy.warnings.size(), 1u);
  EXPECT_NE(policy.warnings[0].find("requires seals but trusts no keys"), std::string::npos);
}

TEST(PolicyDocument, ReadsEveryDefaultsField) {
  const CompiledPolicy policy = compile_ok(R"(
defaults:
  mode: Warn
  failurePolicy: Ignore
  requireDigest: false
  requireSeal: false
  trustedKeys:
    - |
)" + indent(pem("p256_pub.pem"), 6) +
                                           R"(    - |
)" + indent(pem("ed25519_pub.pem"), 6) + R"(
  signatureThreshold: 2
  facets:
    - {facetId: custom/rules, type: Custom, includeGlobs: [/opt/rules/**], quota: {maxChangedFiles: 3}}
    - {facetId: os, type: OS, includeGlobs: [/var/lib/dpkg/**]}
  quotas:
    os: {maxChurnPercent: 7.5, onExceed: Block}
  baseline: {rule: pinned, pinnedImageDigest: "sha256:c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"}
  provcache:
    enabled: false
    minTrustScore: 0
    onMiss: deny
    ttl: 90m
    maxTtl: 2h
    timeWindowBucket: 15m
    feedEpoch: "41"
    revokedSigners:
      - {signerSetHash: "sha256:0000000000000000000000000000000000000000000000000000000000000002"}
      - {signerSetHash: "sha256:0000000000000000000000000000000000000000000000000000000000000001", reason: old}
)");
  const Scope& d = policy.defaults;
  EXPECT_EQ(d.mode, Mode::kWarn);
  EXPECT_EQ(d.failure_policy, FailurePolicy::kIgnore);
  EXPECT_FALSE(d.require_digest);
  EXPECT_FALSE(d.require_seal);
  ASSERT_EQ(d.trusted_keys.size(), 2u);
  EXPECT_EQ(
      d.trusted_keys[0].keyid(),
      testing::read_text(std::string(ZASTAVA_TESTDATA_DIR) + "/crypto/p256.keyid").substr(0, 71));
  EXPECT_EQ(d.trust_set.size(), 2u);
  EXPECT_EQ(d.signature_threshold, 2u);
  ASSERT_EQ(d.facets->definitions().size(), 2u);
  const facet::FacetDefinition* rules = d.facets->find("custom/rules");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->quota.max_changed_files, 3);
  EXPECT_EQ(rules->quota.max_churn_percent, facet::FacetQuota{}.max_churn_percent);
  const facet::FacetDefinition* os = d.facets->find("os");
  ASSERT_NE(os, nullptr);
  EXPECT_EQ(os->quota.max_churn_percent, 7.5);
  EXPECT_EQ(os->quota.on_exceed, facet::QuotaAction::kBlock);
  EXPECT_EQ(os->quota.max_changed_files, facet::FacetQuota{}.max_changed_files);
  EXPECT_EQ(d.baseline.rule, BaselineRule::kPinned);
  EXPECT_EQ(d.baseline.pinned_image_digest,
            "sha256:c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2");
  EXPECT_FALSE(d.provcache.enabled);
  EXPECT_EQ(d.provcache.min_trust_score, 0);
  EXPECT_EQ(d.provcache.on_miss, OnMiss::kDeny);
  EXPECT_EQ(d.provcache.ttl.default_ttl_seconds, 5400);
  EXPECT_EQ(d.provcache.ttl.max_ttl_seconds, 7200);
  EXPECT_EQ(d.provcache.time_window_bucket_seconds, 900);
  EXPECT_EQ(d.provcache.feed_epoch, "41");
  ASSERT_EQ(d.provcache.revoked_signers.size(), 2u);  // sorted by hash
  EXPECT_EQ(d.provcache.revoked_signers[0].reason, "old");
  EXPECT_TRUE(policy.warnings.empty());
}

TEST(PolicyDocument, ScopesInheritWhatTheyLeaveOut) {
  const CompiledPolicy policy = compile_ok(R"(
defaults:
  mode: Warn
  requireSeal: false
  quotas:
    binary: {onExceed: RequireVex}
  provcache: {minTrustScore: 70, onMiss: warn, ttl: 1h}
scopes:
  - name: strict
    source: {kind: FacetPolicy, namespace: payments, name: strict}
    namespaces: {names: [payments, billing, payments]}
    images: [registry.example.com/payments/**]
    mode: Enforce
    quotas:
      binary: {maxChangedFiles: 5}
    provcache: {minTrustScore: 90}
  - name: own-facets
    facets:
      - {facetId: os, type: OS, includeGlobs: [/var/lib/dpkg/**]}
)");
  ASSERT_EQ(policy.scopes.size(), 2u);
  const Scope& strict = policy.scopes[0];
  EXPECT_EQ(strict.name, "strict");
  ASSERT_TRUE(strict.source.has_value());
  EXPECT_EQ(strict.source->kind, "FacetPolicy");
  EXPECT_EQ(strict.source->namespace_name, "payments");
  EXPECT_EQ(strict.source->name, "strict");
  EXPECT_EQ(strict.namespaces.names, (std::vector<std::string>{"billing", "payments"}));
  ASSERT_EQ(strict.images.size(), 1u);
  EXPECT_EQ(strict.mode, Mode::kEnforce);  // its own
  EXPECT_FALSE(strict.require_seal);       // inherited
  // Quotas merge field by field: the defaults' onExceed, the scope's count.
  const facet::FacetDefinition* binary = strict.facets->find("binary");
  ASSERT_NE(binary, nullptr);
  EXPECT_EQ(binary->quota.on_exceed, facet::QuotaAction::kRequireVex);
  EXPECT_EQ(binary->quota.max_changed_files, 5);
  // Provcache merges field by field as well.
  EXPECT_EQ(strict.provcache.min_trust_score, 90);
  EXPECT_EQ(strict.provcache.on_miss, OnMiss::kWarn);
  EXPECT_EQ(strict.provcache.ttl.default_ttl_seconds, 3600);
  // A scope with its own definitions skips the defaults' quotas for facets it lacks.
  const Scope& own = policy.scopes[1];
  ASSERT_EQ(own.facets->definitions().size(), 1u);
  EXPECT_EQ(own.facets->definitions()[0].id, "os");
  EXPECT_EQ(own.mode, Mode::kWarn);
  EXPECT_EQ(policy.find_scope("own-facets"), &own);
  EXPECT_EQ(policy.find_scope("defaults"), &policy.defaults);
  EXPECT_EQ(policy.find_scope("nope"), nullptr);
}

TEST(PolicyDocument, ScopesWithTheSameFacetsShareOneCompiledSet) {
  const CompiledPolicy policy = compile_ok(R"(
scopes:
  - {name: a, mode: Warn}
  - {name: b, facets: defaults}
  - {name: c, quotas: {os: {maxChangedFiles: 1}}}
)");
  EXPECT_EQ(policy.scopes[0].facets.get(), policy.defaults.facets.get());
  EXPECT_EQ(policy.scopes[1].facets.get(), policy.defaults.facets.get());
  EXPECT_NE(policy.scopes[2].facets.get(), policy.defaults.facets.get());
  EXPECT_EQ(policy.scopes[2].facets->find("os")->quota.max_changed_files, 1);
}

TEST(PolicyDocument, NullFieldsReadAsAbsent) {
  const CompiledPolicy policy = compile_ok("defaults:\n  mode:\n  trustedKeys:\nscopes:\n");
  EXPECT_EQ(policy.defaults.mode, Mode::kEnforce);
  EXPECT_TRUE(policy.scopes.empty());
}

TEST(PolicyDocument, ErrorsNameTheJsonPath) {
  const std::pair<std::string, std::string> cases[] = {
      {"defaults: []", "defaults: must be a mapping, not a list"},
      {"defaults: {requireSeal: 1}", "defaults.requireSeal: must be true or false, not a number"},
      {"defaults: {signatureThreshold: 1.5}",
       "defaults.signatureThreshold: must be a whole number in 1..1000, not 1.5"},
      {"defaults: {provcache: {minTrustScore: -1}}",
       "defaults.provcache.minTrustScore: must be a whole number in 0..100, not -1"},
      {"defaults: {provcache: {enabled: yes}}",
       "defaults.provcache.enabled: must be true or false, not a string"},
      {"defaults: {provcache: {timeWindowBucket: 0s}}",
       "defaults.provcache.timeWindowBucket: must be longer than 0s"},
      {"defaults: {provcache: {maxTtl: 1h}}",
       "defaults.provcache.maxTtl: ttl 24h is longer than maxTtl 1h"},
      {"defaults: {provcache: {feedEpoch: 42}}",
       "defaults.provcache.feedEpoch: must be a string, not a number"},
      {"defaults: {provcache: {revokedSigners: [{reason: x}]}}",
       "defaults.provcache.revokedSigners[0].signerSetHash: is required"},
      {"defaults: {baseline: {pinnedSealId: x}}", "defaults.baseline.rule: is required"},
      {"defaults: {baseline: {rule: pinned, pinnedImageDigest: latest}}",
       "defaults.baseline.pinnedImageDigest: must be a content id"},
      {"defaults: {facets: []}", "defaults.facets: must define at least one facet"},
      {"defaults: {facets: {os: {}}}",
       "defaults.facets: must be \"defaults\" or a list of facet definitions, not a mapping"},
      {"defaults: {facets: [{facetId: os, type: OS}]}",
       "defaults.facets[0]: includeGlobs is missing"},
      {"defaults: {facets: [{facetId: os, type: OS, includeGlobs: [/x], extra: 1}]}",
       "defaults.facets[0]: unknown field \"extra\""},
      {"defaults: {quotas: {os: {maxChurn: 5}}}", "defaults.quotas.os: unknown field \"maxChurn\""},
      {"defaults: {quotas: {os: 5}}", "defaults.quotas.os: must be a mapping, not a number"},
      {"defaults: {quotas: {lang/ruby: {}}}",
       "defaults.quotas.lang/ruby: no facet \"lang/ruby\" is defined here (defined: os, lang/node"},
      {"scopes: [{name: a, images: nginx}]", "scopes[0].images: must be a list, not a string"},
      {"scopes: [{name: a, images: [3]}]", "scopes[0].images[0]: must be a string, not a number"},
      {"scopes: [{name: a, namespaces: {names: [ok], labels: {}}}]",
       "scopes[0].namespaces.labels: unknown field"},
      {"scopes: [{name: a, namespaces: {selector: {matchLabels: {a: [b]}}}}]",
       "scopes[0].namespaces.selector.matchLabels.a: must be a string, not a list"},
      {"scopes: [{name: \"\"}]", "scopes[0].name: must not be empty"},
      {"scopes: [{name: a, source: {kind: FacetPolicy, name: x, namespace: Bad}}]",
       "scopes[0].source.namespace: namespace name \"Bad\""},
      {"scopes: [{name: a}, {name: b, mode: Strict}]",
       "scopes[1].mode: must be one of Enforce, Warn, Audit, not \"Strict\""},
  };
  for (const auto& [body, why] : cases) {
    const std::string message = compile_error(body);
    EXPECT_NE(message.find(why), std::string::npos) << body << "\n -> " << message;
  }
}

TEST(PolicyDocument, ThresholdErrorsPointAtWhatTheScopeWrote) {
  const std::string key = "    trustedKeys:\n      - |\n" + indent(pem("p256_pub.pem"), 8);
  // The scope brings one key and inherits a threshold of 2 from the defaults.
  const std::string message = compile_error(
      "defaults:\n  trustedKeys:\n    - |\n" + indent(pem("p256_pub.pem"), 6) + "    - |\n" +
      indent(pem("ed25519_pub.pem"), 6) + "  signatureThreshold: 2\nscopes:\n  - name: a\n" + key);
  EXPECT_NE(message.find("scopes[0].trustedKeys: signatureThreshold 2 is more than the 1 trusted"),
            std::string::npos)
      << message;
}

TEST(PolicyDocument, DocumentLevelErrors) {
  EXPECT_NE(compile_policy_text("[1, 2]").error().message.find("must be a mapping, not a list"),
            std::string::npos);
  auto syntax = compile_policy_text("a: [1, 2");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().code, ErrorCode::kParse);
  auto missing = compile_policy_text("kind: CompiledPolicy\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "apiVersion: is required");
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  auto no_metadata =
      compile_policy_text("apiVersion: zastava.stellaops.io/v1alpha1\nkind: CompiledPolicy\n");
  EXPECT_EQ(no_metadata.error().message, "metadata: is required (at least metadata.name)");
}

TEST(PolicyDocument, WarnsAboutScopesThatCanNeverApply) {
  const CompiledPolicy policy = compile_ok(R"(
defaults: {requireSeal: false}
scopes:
  - {name: narrow, images: [registry.example.com/**]}
  - {name: everything, namespaces: {selector: {}}}
  - {name: shadowed, namespaces: {names: [payments]}}
)");
  ASSERT_EQ(policy.warnings.size(), 1u);
  EXPECT_NE(policy.warnings[0].find("scopes[2] (\"shadowed\") never applies: scopes[1]"),
            std::string::npos)
      << policy.warnings[0];
}

TEST(PolicyDocument, LoadsFilesAndNamesThemInErrors) {
  auto valid = load_policy_file(std::string(ZASTAVA_TESTDATA_DIR) + "/policy/valid/operator.json");
  ASSERT_TRUE(valid.ok()) << valid.error().message;
  EXPECT_EQ(valid->metadata.generated_by, "zastava-operator");
  auto missing = load_policy_file("/nonexistent/policy.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/policy.yaml"), std::string::npos);
  // .json files are read as strict JSON: a YAML document there is a syntax error.
  auto yaml_as_json = compile_policy_file_contents("apiVersion: x\n", "policy.json");
  ASSERT_FALSE(yaml_as_json.ok());
  EXPECT_EQ(yaml_as_json.error().code, ErrorCode::kParse);
  EXPECT_NE(yaml_as_json.error().message.find("policy.json"), std::string::npos);
}

}  // namespace
}  // namespace zastava::policy
