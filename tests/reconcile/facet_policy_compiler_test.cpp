// FacetPolicy → scope: the CRD example, the CRD's defaults, cluster vs
// namespaced policies, Secrets for trusted keys, and errors in spec terms.
#include "reconcile/facet_policy_compiler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "facet/definitions.hpp"
#include "facet/model.hpp"
#include "policy/policy_document.hpp"
#include "support/config.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr const char* kKeyB =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVViaj8Sq50cu1/PkgwgEeJrzwK+9\n"
    "oPkwcAn05P7Jf3TtyWtezjbrC5dIvD0fvq7mffo00iWvyMrj1UKDbcTt+w==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kKeyC =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECCelp444VIa8pPt2ak1GUDuevbdL\n"
    "i2Liy9eNdBJY2YJ/Vm2d7nUyuYLB0KI/Czo8Fid0AmQW0SlzdYwflqM0Lg==\n"
    "-----END PUBLIC KEY-----\n";

// Secrets held in a map; remembers what was asked.
struct FakeSecrets {
  std::map<std::tuple<std::string, std::string, std::string>, std::string> values;
  std::vector<std::string> asked;

  SecretReader reader() {
    return [this](std::string_view ns, std::string_view name,
                  std::string_view key) -> Result<std::string> {
      asked.push_back(std::string(ns) + "/" + std::string(name) + ":" + std::string(key));
      const auto it = values.find({std::string(ns), std::string(name), std::string(key)});
      if (it == values.end()) {
        return make_error(ErrorCode::kNotFound, "secrets \"" + std::string(name) + "\" not found");
      }
      return it->second;
    };
  }
};

Json load_example() {
  auto text = support::read_file(std::string(ZASTAVA_SOURCE_DIR) +
                                 "/crds/examples/facetpolicy-payments-strict.yaml");
  EXPECT_TRUE(text.ok());
  auto parsed = support::parse_yaml(text.value_or(""));
  EXPECT_TRUE(parsed.ok());
  return parsed.value_or(Json::object());
}

FakeSecrets payments_secrets() {
  FakeSecrets secrets;
  secrets.values[{"payments", "payments-release-signer-b", "public.pem"}] = kKeyB;
  secrets.values[{"payments", "payments-release-signer-c", "public.pem"}] = kKeyC;
  return secrets;
}

Json policy_with(std::string ns, std::string name, Json spec) {
  return Json{{"apiVersion", "zastava.stellaops.io/v1alpha1"},
              {"kind", "FacetPolicy"},
              {"metadata", {{"namespace", std::move(ns)}, {"name", std::move(name)}}},
              {"spec", std::move(spec)}};
}

Json document_with(const Json& scope) {
  return Json{{"apiVersion", "zastava.stellaops.io/v1alpha1"},
              {"kind", "CompiledPolicy"},
              {"metadata", {{"name", "test"}}},
              {"scopes", Json::array({scope})}};
}

TEST(FacetPolicyCompiler, PaymentsExampleBecomesTheScopeItDescribes) {
  const Json example = load_example();
  FakeSecrets secrets = payments_secrets();
  auto compiled = compile_facet_policy(example, OperatorSettings{}, secrets.reader());
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  const Json& scope = compiled->scope;
  const Json& spec = example["spec"];

  EXPECT_EQ(compiled->facet_count, 6u);
  EXPECT_EQ(scope["name"], "payments/strict");
  EXPECT_EQ(scope["source"],
            (Json{{"kind", "FacetPolicy"}, {"namespace", "payments"}, {"name", "strict"}}));
  EXPECT_EQ(scope["namespaces"]["names"], Json::array({"payments"}));
  EXPECT_EQ(scope["namespaces"]["selector"], spec["namespaceSelector"]);
  EXPECT_EQ(scope["images"], spec["images"]);
  EXPECT_EQ(scope["quotas"], spec["quotas"]);
  EXPECT_EQ(scope["baseline"], spec["baseline"]);
  EXPECT_EQ(scope["facets"], "defaults");
  EXPECT_EQ(scope["mode"], "Enforce");
  EXPECT_EQ(scope["failurePolicy"], "Fail");
  EXPECT_EQ(scope["requireSeal"], true);
  EXPECT_EQ(scope["requireDigest"], true);
  EXPECT_EQ(scope["signatureThreshold"], 2);
  ASSERT_EQ(scope["trustedKeys"].size(), 3u);
  EXPECT_EQ(scope["trustedKeys"][0], spec["trustedKeys"][0]["pem"]);
  EXPECT_EQ(scope["trustedKeys"][1], kKeyB);
  EXPECT_EQ(scope["trustedKeys"][2], kKeyC);
  // signer-c names no key: the CRD's default "public.pem" is read.
  EXPECT_EQ(secrets.asked,
            (std::vector<std::string>{"payments/payments-release-signer-b:public.pem",
                                      "payments/payments-release-signer-c:public.pem"}));

  // The webhook's own compiler accepts it and enforces what the example says.
  auto policy = policy::compile_policy(document_with(scope));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  const policy::Scope& compiled_scope = policy->scopes.at(0);
  EXPECT_EQ(compiled_scope.signature_threshold, 2u);
  EXPECT_EQ(compiled_scope.trusted_keys.size(), 3u);
  EXPECT_EQ(compiled_scope.mode, policy::Mode::kEnforce);
  ASSERT_TRUE(compiled_scope.source.has_value());
  EXPECT_EQ(compiled_scope.source->namespace_name, "payments");
  EXPECT_TRUE(compiled_scope.namespaces.matches("payments",
                                                {{"team", "payments"}, {"environment", "prod"}}));
  EXPECT_FALSE(compiled_scope.namespaces.matches("billing",
                                                 {{"team", "payments"}, {"environment", "prod"}}));
  EXPECT_FALSE(compiled_scope.namespaces.matches("payments",
                                                 {{"team", "payments"}, {"environment", "dev"}}));
  EXPECT_TRUE(compiled_scope.matches_image("docker.io/library/nginx:1.27"));
  const facet::FacetDefinition* binary = compiled_scope.facets->find("binary");
  ASSERT_NE(binary, nullptr);
  EXPECT_EQ(binary->quota.max_churn_percent, 2.0);
  EXPECT_EQ(binary->quota.max_added_files, 5);
  // Not set by the example: the default definition's value stays.
  EXPECT_EQ(binary->quota.max_changed_files,
            facet::FacetSet::defaults().find("binary")->quota.max_changed_files);
  EXPECT_EQ(binary->quota.on_exceed, facet::QuotaAction::kRequireVex);
  EXPECT_EQ(compiled_scope.facets->find("os")->quota.on_exceed, facet::QuotaAction::kBlock);
}

TEST(FacetPolicyCompiler, PolicyInTheOperatorNamespaceIsAClusterPolicy) {
  OperatorSettings settings;
  settings.operator_namespace = "zastava-system";
  const Json selector = {{"matchLabels", {{"tier", "prod"}}}};
  auto cluster = compile_facet_policy(
      policy_with("zastava-system", "baseline", {{"namespaceSelector", selector}}), settings, {});
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  EXPECT_FALSE(cluster->scope["namespaces"].contains("names"));
  EXPECT_EQ(cluster->scope["namespaces"]["selector"], selector);

  auto team = compile_facet_policy(policy_with("team-a", "baseline", Json::object()), settings, {});
  ASSERT_TRUE(team.ok()) << team.error().message;
  EXPECT_EQ(team->scope["namespaces"], (Json{{"names", {"team-a"}}}));
}

TEST(FacetPolicyCompiler, AbsentFieldsTakeTheCrdDefaults) {
  auto compiled =
      compile_facet_policy(policy_with("team-a", "p", Json::object()), OperatorSettings{}, {});
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  const Json& scope = compiled->scope;
  EXPECT_EQ(scope["mode"], "Enforce");
  EXPECT_EQ(scope["failurePolicy"], "Fail");
  EXPECT_EQ(scope["requireDigest"], true);
  EXPECT_EQ(scope["requireSeal"], true);
  EXPECT_EQ(scope["signatureThreshold"], 1);
  EXPECT_EQ(scope["baseline"], (Json{{"rule", "latestApproved"}}));
  EXPECT_EQ(scope["facets"], "defaults");
  EXPECT_EQ(scope["trustedKeys"], Json::array());
  EXPECT_FALSE(scope.contains("images"));
  EXPECT_FALSE(scope.contains("quotas"));
  EXPECT_EQ(compiled->facet_count, 6u);
}

TEST(FacetPolicyCompiler, OwnDefinitionsAreCountedAndCheckedInSpecTerms) {
  Json definitions =
      Json::array({{{"facetId", "binary"}, {"type", "Binary"}, {"includeGlobs", {"/usr/bin/**"}}},
                   {{"facetId", "custom/app"}, {"type", "Custom"}, {"includeGlobs", {"/app/**"}}}});
  auto good = compile_facet_policy(
      policy_with("team-a", "p", {{"facets", {{"definitions", definitions}}}}), {}, {});
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->facet_count, 2u);
  EXPECT_EQ(good->scope["facets"], definitions);

  definitions[1]["type"] = "Binary";
  auto bad = compile_facet_policy(
      policy_with("team-a", "p", {{"facets", {{"definitions", definitions}}}}), {}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message.rfind("spec.facets.definitions[1]", 0), 0u) << bad.error().message;

  auto both = compile_facet_policy(
      policy_with("team-a", "p",
                  {{"facets", {{"useDefaults", true}, {"definitions", definitions}}}}),
      {}, {});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().message.rfind("spec.facets: set exactly one", 0), 0u)
      << both.error().message;
}

TEST(FacetPolicyCompiler, ErrorsNameTheResourcesOwnField) {
  const auto message_for = [](const Json& spec) {
    auto compiled = compile_facet_policy(policy_with("team-a", "p", spec), {}, {});
    EXPECT_FALSE(compiled.ok());
    if (compiled.ok()) return std::string();
    EXPECT_EQ(compiled.error().code, ErrorCode::kInvalidArgument);
    return compiled.error().message;
  };
  EXPECT_EQ(message_for({{"quotas", {{"binary", {{"maxChurnPercent", 150}}}}}})
                .rfind("spec.quotas.binary", 0),
            0u);
  EXPECT_EQ(message_for({{"namespaceSelector",
                          {{"matchExpressions", {{{"key", "team"}, {"operator", "Near"}}}}}}})
                .rfind("spec.namespaceSelector.matchExpressions[0].operator", 0),
            0u);
  EXPECT_EQ(message_for({{"mode", "Deny"}}).rfind("spec.mode: ", 0), 0u);
  EXPECT_EQ(message_for({{"images", {"nginx"}}}).rfind("spec.images[0]: ", 0), 0u);
  EXPECT_EQ(message_for({{"signatureThreshold", 2}, {"trustedKeys", {{{"pem", kKeyB}}}}})
                .rfind("spec.signatureThreshold: ", 0),
            0u);
  EXPECT_EQ(message_for({{"trustedKeys", {{{"pem", kKeyB}}, {{"pem", kKeyB}}}}})
                .rfind("spec.trustedKeys[1]: ", 0),
            0u);
  EXPECT_EQ(message_for({{"trustedKeys", {{{"name", "x"}}}}}),
            "spec.trustedKeys[0]: set exactly one of pem or secretRef");
  EXPECT_EQ(message_for(Json::array()), "spec: must be a mapping");
}

TEST(FacetPolicyCompiler, MissingSecretIsNotFoundNamingTheReference) {
  FakeSecrets secrets;
  secrets.values[{"payments", "payments-release-signer-b", "public.pem"}] = kKeyB;
  auto compiled = compile_facet_policy(load_example(), {}, secrets.reader());
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.error().code, ErrorCode::kNotFound);
  EXPECT_NE(compiled.error().message.find("spec.trustedKeys[2].secretRef"), std::string::npos)
      << compiled.error().message;
  EXPECT_NE(compiled.error().message.find("payments/payments-release-signer-c"), std::string::npos)
      << compiled.error().message;
}

TEST(FacetPolicyCompiler, ReaderFailureOtherThanNotFoundIsPassedOn) {
  const SecretReader unreachable = [](std::string_view, std::string_view,
                                      std::string_view) -> Result<std::string> {
    return make_error(ErrorCode::kIo, "connection refused");
  };
  auto compiled = compile_facet_policy(load_example(), {}, unreachable);
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace zastava::reconcile
