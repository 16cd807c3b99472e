// Every policy resource → one deterministic compiled document.
#include "reconcile/policy_assembly.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "policy/policy_document.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr const char* kKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAzsPPQBBzixvdfskLYj3BiDPRZcZmfIG+9M6KHYBFvgo=\n"
    "-----END PUBLIC KEY-----\n";

Json facet_policy(std::string ns, std::string name, Json spec = Json::object()) {
  return Json{
      {"apiVersion", "zastava.stellaops.io/v1alpha1"},
      {"kind", "FacetPolicy"},
      {"metadata", {{"namespace", std::move(ns)}, {"name", std::move(name)}, {"generation", 2}}},
      {"spec", std::move(spec)}};
}

Json provcache_policy(std::string name, Json spec) {
  return Json{{"apiVersion", "zastava.stellaops.io/v1alpha1"},
              {"kind", "ProvcachePolicy"},
              {"metadata",
               {{"namespace", "zastava-system"},
                {"name", std::move(name)},
                {"generation", 1},
                {"creationTimestamp", "2026-11-01T00:00:00Z"}}},
              {"spec", std::move(spec)}};
}

// One Secret: team-a/signer, key public.pem.
Result<std::string> one_secret(std::string_view ns, std::string_view name, std::string_view key) {
  if (ns == "team-a" && name == "signer" && key == "public.pem") return std::string(kKey);
  return make_error(ErrorCode::kNotFound, "secrets \"" + std::string(name) + "\" not found");
}

std::vector<std::string> scope_names(const Json& document) {
  std::vector<std::string> names;
  for (const Json& scope : document["scopes"]) names.push_back(scope["name"].get<std::string>());
  return names;
}

const ResourceOutcome* find_outcome(const AssembledPolicy& assembled, std::string_view kind,
                                    std::string_view ns, std::string_view name) {
  for (const ResourceOutcome& outcome : assembled.outcomes) {
    if (outcome.key.kind == kind && outcome.key.namespace_name == ns && outcome.key.name == name) {
      return &outcome;
    }
  }
  return nullptr;
}

TEST(PolicyAssembly, ClusterPoliciesFirstThenSortedWhateverTheInputOrder) {
  std::vector<Json> policies = {facet_policy("team-b", "x"), facet_policy("zastava-system", "z"),
                                facet_policy("team-a", "y"), facet_policy("zastava-system", "a"),
                                facet_policy("team-a", "b")};
  auto first = assemble_policy(policies, {}, OperatorSettings{}, one_secret);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(scope_names(first->document),
            (std::vector<std::string>{"zastava-system/a", "zastava-system/z", "team-a/b",
                                      "team-a/y", "team-b/x"}));

  std::reverse(policies.begin(), policies.end());
  auto second = assemble_policy(policies, {}, OperatorSettings{}, one_secret);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->text, first->text);
  EXPECT_EQ(second->content_hash, first->content_hash);

  // Outcomes sorted by key, one per resource.
  ASSERT_EQ(first->outcomes.size(), 5u);
  EXPECT_TRUE(std::is_sorted(
      first->outcomes.begin(), first->outcomes.end(),
      [](const ResourceOutcome& a, const ResourceOutcome& b) { return a.key < b.key; }));
}

TEST(PolicyAssembly, DocumentCompilesAndCarriesItsContentHash) {
  auto assembled = assemble_policy({facet_policy("team-a", "p", {{"mode", "Warn"}})}, {},
                                   OperatorSettings{}, one_secret);
  ASSERT_TRUE(assembled.ok()) << assembled.error().message;
  const Json& document = assembled->document;
  EXPECT_EQ(document["kind"], "CompiledPolicy");
  EXPECT_EQ(document["metadata"]["name"], "cluster-policy");
  EXPECT_EQ(document["metadata"]["generatedBy"], "zastava-operator");
  EXPECT_EQ(document["metadata"]["version"], assembled->content_hash);

  Json unversioned = document;
  unversioned["metadata"]["version"] = "";
  auto canonical = json::canonicalize(unversioned);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(assembled->content_hash,
            digest::ContentId::sha256_of(as_bytes(*canonical)).to_string());
  EXPECT_EQ(assembled->text, json::canonicalize(document).value_or(""));

  auto compiled = policy::compile_policy_text(assembled->text);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  ASSERT_EQ(compiled->scopes.size(), 1u);
  EXPECT_EQ(compiled->scopes[0].mode, policy::Mode::kWarn);

  const ResourceOutcome& outcome = assembled->outcomes.at(0);
  EXPECT_TRUE(outcome.included);
  EXPECT_EQ(outcome.reason, "Compiled");
  EXPECT_EQ(outcome.scope_name, "team-a/p");
  EXPECT_EQ(outcome.facet_count, 6u);
  EXPECT_EQ(outcome.generation, 2);

  auto changed = assemble_policy({facet_policy("team-a", "p", {{"mode", "Audit"}})}, {},
                                 OperatorSettings{}, one_secret);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->content_hash, assembled->content_hash);
}

TEST(PolicyAssembly, InvalidPoliciesAreLeftOutAndTheOthersStay) {
  const std::vector<Json> policies = {
      facet_policy("team-a", "good"),
      facet_policy("team-a", "bad-quota", {{"quotas", {{"binary", {{"maxChurnPercent", 150}}}}}}),
      facet_policy("team-a", "keyed", {{"trustedKeys", {{{"secretRef", {{"name", "signer"}}}}}}}),
      facet_policy("team-b", "no-secret", {{"trustedKeys", {{{"secretRef", {{"name", "gone"}}}}}}}),
      facet_policy("zastava-system", "cluster"),
  };
  auto assembled = assemble_policy(policies, {}, OperatorSettings{}, one_secret);
  ASSERT_TRUE(assembled.ok()) << assembled.error().message;
  EXPECT_EQ(scope_names(assembled->document),
            (std::vector<std::string>{"zastava-system/cluster", "team-a/good", "team-a/keyed"}));
  EXPECT_EQ(assembled->document["scopes"][2]["trustedKeys"], Json::array({kKey}));

  const ResourceOutcome* bad = find_outcome(*assembled, "FacetPolicy", "team-a", "bad-quota");
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->included);
  EXPECT_EQ(bad->reason, "InvalidSpec");
  EXPECT_EQ(bad->message.rfind("spec.quotas.binary", 0), 0u) << bad->message;
  EXPECT_TRUE(bad->scope_name.empty());

  const ResourceOutcome* missing = find_outcome(*assembled, "FacetPolicy", "team-b", "no-secret");
  ASSERT_NE(missing, nullptr);
  EXPECT_FALSE(missing->included);
  EXPECT_EQ(missing->reason, "SecretNotFound");
  EXPECT_NE(missing->message.find("team-b/gone"), std::string::npos) << missing->message;

  for (const char* name : {"good", "keyed"}) {
    const ResourceOutcome* good = find_outcome(*assembled, "FacetPolicy", "team-a", name);
    ASSERT_NE(good, nullptr);
    EXPECT_TRUE(good->included) << name;
  }
  EXPECT_TRUE(policy::compile_policy(assembled->document).ok());
}

TEST(PolicyAssembly, ManyInvalidPoliciesAreAllFoundAndLeftOut) {
  std::vector<Json> policies;
  for (int i = 0; i < 12; ++i) {
    policies.push_back(facet_policy("team-" + std::to_string(i), "bad", {{"mode", "Sometimes"}}));
  }
  policies.push_back(facet_policy("team-x", "good"));
  auto assembled = assemble_policy(policies, {}, OperatorSettings{}, one_secret);
  ASSERT_TRUE(assembled.ok()) << assembled.error().message;
  EXPECT_EQ(scope_names(assembled->document), (std::vector<std::string>{"team-x/good"}));
  std::size_t invalid = 0;
  for (const ResourceOutcome& outcome : assembled->outcomes) {
    if (outcome.key.name != "bad") continue;
    ++invalid;
    EXPECT_EQ(outcome.reason, "InvalidSpec");
    EXPECT_EQ(outcome.message.rfind("spec.mode: ", 0), 0u) << outcome.message;
  }
  EXPECT_EQ(invalid, 12u);
}

TEST(PolicyAssembly, ActiveProvcachePolicyIsMergedIntoTheDefaults) {
  OperatorSettings settings;
  settings.defaults = {{"mode", "Warn"},
                       {"provcache", {{"feedEpoch", "41"}, {"minTrustScore", 10}}}};
  auto assembled =
      assemble_policy({facet_policy("team-a", "p")},
                      {provcache_policy("cluster", {{"minTrustScore", 70}, {"onMiss", "deny"}})},
                      settings, one_secret);
  ASSERT_TRUE(assembled.ok()) << assembled.error().message;
  const Json& defaults = assembled->document["defaults"];
  EXPECT_EQ(defaults["mode"], "Warn");
  EXPECT_EQ(defaults["provcache"]["minTrustScore"], 70);
  EXPECT_EQ(defaults["provcache"]["onMiss"], "deny");
  EXPECT_EQ(defaults["provcache"]["feedEpoch"], "41");  // not set by the policy: kept

  ASSERT_EQ(assembled->outcomes.size(), 2u);
  EXPECT_EQ(assembled->outcomes[0].key.kind, "FacetPolicy");
  EXPECT_EQ(assembled->outcomes[1].key.kind, "ProvcachePolicy");
  EXPECT_TRUE(assembled->outcomes[1].included);

  auto compiled = policy::compile_policy(assembled->document);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->scopes[0].provcache.min_trust_score, 70);
  EXPECT_EQ(compiled->scopes[0].provcache.on_miss, policy::OnMiss::kDeny);
}

TEST(PolicyAssembly, FailsOnlyForBadOperatorDefaultsOrAnUnreadableSecret) {
  OperatorSettings settings;
  settings.defaults = {{"mode", "Sometimes"}};
  auto bad_defaults = assemble_policy({facet_policy("team-a", "p")}, {}, settings, one_secret);
  ASSERT_FALSE(bad_defaults.ok());
  EXPECT_NE(bad_defaults.error().message.find("defaults.mode"), std::string::npos);

  const SecretReader unreachable = [](std::string_view, std::string_view,
                                      std::string_view) -> Result<std::string> {
    return make_error(ErrorCode::kIo, "connection refused");
  };
  auto transient = assemble_policy(
      {facet_policy("team-a", "keyed", {{"trustedKeys", {{{"secretRef", {{"name", "signer"}}}}}}})},
      {}, OperatorSettings{}, unreachable);
  ASSERT_FALSE(transient.ok());
  EXPECT_EQ(transient.error().code, ErrorCode::kIo);
}

TEST(PolicyAssembly, NoPoliciesGiveADocumentOfDefaultsOnly) {
  auto assembled = assemble_policy({}, {}, OperatorSettings{}, one_secret);
  ASSERT_TRUE(assembled.ok()) << assembled.error().message;
  EXPECT_EQ(assembled->document["scopes"], Json::array());
  EXPECT_TRUE(assembled->outcomes.empty());
  EXPECT_TRUE(policy::compile_policy_text(assembled->text).ok());
}

}  // namespace
}  // namespace zastava::reconcile
