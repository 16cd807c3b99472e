// ProvcachePolicy → provcache settings, and which single one is active.
#include "reconcile/provcache_policy_compiler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/config.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

Json provcache_policy(std::string ns, std::string name, std::string created, Json spec) {
  return Json{{"apiVersion", "zastava.stellaops.io/v1alpha1"},
              {"kind", "ProvcachePolicy"},
              {"metadata",
               {{"namespace", std::move(ns)},
                {"name", std::move(name)},
                {"generation", 4},
                {"creationTimestamp", std::move(created)}}},
              {"spec", std::move(spec)}};
}

const ResourceOutcome& outcome_named(const ProvcacheSelection& selection, std::string_view ns,
                                     std::string_view name) {
  for (const ResourceOutcome& outcome : selection.outcomes) {
    if (outcome.key.namespace_name == ns && outcome.key.name == name) return outcome;
  }
  throw std::runtime_error("no outcome for " + std::string(name));
}

TEST(ProvcachePolicyCompiler, ClusterExampleCopiesItsSettings) {
  auto text = support::read_file(std::string(ZASTAVA_SOURCE_DIR) +
                                 "/crds/examples/provcachepolicy-cluster.yaml");
  ASSERT_TRUE(text.ok());
  auto example = support::parse_yaml(*text);
  ASSERT_TRUE(example.ok());
  auto section = compile_provcache_policy(*example);
  ASSERT_TRUE(section.ok()) << section.error().message;
  const Json& spec = (*example)["spec"];
  EXPECT_EQ((*section)["minTrustScore"], 70);
  EXPECT_EQ((*section)["ttl"], "24h");
  EXPECT_EQ((*section)["maxTtl"], "168h");
  EXPECT_EQ((*section)["timeWindowBucket"], "1h");
  EXPECT_EQ((*section)["onMiss"], "evaluate");
  EXPECT_EQ((*section)["enabled"], true);
  EXPECT_EQ((*section)["feedEpoch"], "2026-11-22");
  EXPECT_EQ((*section)["revokedSigners"], spec["revokedSigners"]);
  EXPECT_FALSE(section->contains("store"));
  EXPECT_FALSE(section->contains("policyHash"));
}

TEST(ProvcachePolicyCompiler, AbsentFieldsTakeTheCrdDefaults) {
  auto section =
      compile_provcache_policy(provcache_policy("zastava-system", "p", "", Json::object()));
  ASSERT_TRUE(section.ok()) << section.error().message;
  EXPECT_EQ(*section, (Json{{"enabled", true},
                            {"ttl", "24h"},
                            {"maxTtl", "168h"},
                            {"timeWindowBucket", "1h"},
                            {"minTrustScore", 60},
                            {"onMiss", "evaluate"}}));
}

TEST(ProvcachePolicyCompiler, ErrorsNameTheSpecField) {
  const auto message_for = [](const Json& spec) {
    auto section = compile_provcache_policy(provcache_policy("zastava-system", "p", "", spec));
    EXPECT_FALSE(section.ok());
    return section.ok() ? std::string() : section.error().message;
  };
  EXPECT_EQ(message_for({{"ttl", "1d"}}).rfind("spec.ttl: ", 0), 0u);
  EXPECT_EQ(message_for({{"ttl", "200h"}}).rfind("spec.ttl: ", 0), 0u);
  EXPECT_EQ(message_for({{"minTrustScore", 150}}).rfind("spec.minTrustScore: ", 0), 0u);
  EXPECT_EQ(message_for({{"revokedSigners", {{{"signerSetHash", "sha256:nothex"}}}}})
                .rfind("spec.revokedSigners[0].signerSetHash: ", 0),
            0u);
  EXPECT_EQ(message_for({{"store", {{"type", "Postgres"}}}}).rfind("spec.store.postgres: ", 0), 0u);
  EXPECT_EQ(message_for({{"store", {{"type", "Embedded"}, {"valkey", Json::object()}}}})
                .rfind("spec.store.valkey: ", 0),
            0u);
  EXPECT_EQ(message_for({{"policyHash", "md5:00"}}).rfind("spec.policyHash: ", 0), 0u);
}

TEST(ProvcachePolicySelection, OldestInTheOperatorNamespaceWins) {
  const std::vector<Json> policies = {
      provcache_policy("zastava-system", "newer", "2026-11-22T10:00:00Z", {{"minTrustScore", 80}}),
      provcache_policy("zastava-system", "b-older", "2026-11-20T10:00:00Z",
                       {{"minTrustScore", 70}}),
      provcache_policy("zastava-system", "a-older", "2026-11-20T10:00:00Z",
                       {{"minTrustScore", 75}}),
      provcache_policy("team-a", "ancient", "2020-01-01T00:00:00Z", {{"minTrustScore", 10}}),
      provcache_policy("zastava-system", "broken", "2019-01-01T00:00:00Z", {{"onMiss", "panic"}}),
  };
  const ProvcacheSelection selection = select_provcache_policy(policies, OperatorSettings{});
  ASSERT_TRUE(selection.provcache.has_value());
  EXPECT_EQ((*selection.provcache)["minTrustScore"], 75);  // same time: name decides
  ASSERT_EQ(selection.outcomes.size(), policies.size());

  const ResourceOutcome& active = outcome_named(selection, "zastava-system", "a-older");
  EXPECT_TRUE(active.included);
  EXPECT_EQ(active.reason, "Compiled");
  EXPECT_EQ(active.generation, 4);
  EXPECT_EQ(active.key.kind, "ProvcachePolicy");
  for (const char* name : {"newer", "b-older"}) {
    const ResourceOutcome& superseded = outcome_named(selection, "zastava-system", name);
    EXPECT_FALSE(superseded.included);
    EXPECT_EQ(superseded.reason, "Superseded");
    EXPECT_NE(superseded.message.find("zastava-system/a-older"), std::string::npos);
  }
  const ResourceOutcome& elsewhere = outcome_named(selection, "team-a", "ancient");
  EXPECT_FALSE(elsewhere.included);
  EXPECT_EQ(elsewhere.reason, "WrongNamespace");
  const ResourceOutcome& broken = outcome_named(selection, "zastava-system", "broken");
  EXPECT_FALSE(broken.included);
  EXPECT_EQ(broken.reason, "InvalidSpec");
  EXPECT_EQ(broken.message.rfind("spec.onMiss: ", 0), 0u) << broken.message;
}

TEST(ProvcachePolicySelection, NoneActiveWithoutAValidOneInTheOperatorNamespace) {
  const ProvcacheSelection selection = select_provcache_policy(
      {provcache_policy("team-a", "p", "2026-01-01T00:00:00Z", Json::object())},
      OperatorSettings{});
  EXPECT_FALSE(selection.provcache.has_value());
  ASSERT_EQ(selection.outcomes.size(), 1u);
  EXPECT_EQ(selection.outcomes[0].reason, "WrongNamespace");
  EXPECT_TRUE(select_provcache_policy({}, OperatorSettings{}).outcomes.empty());
}

}  // namespace
}  // namespace zastava::reconcile
