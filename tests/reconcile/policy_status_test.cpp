// The status of a policy resource, in the shape the CRDs' status schemas say.
#include "reconcile/policy_status.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reconcile/conditions.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr const char* kT1 = "2026-11-22T10:00:00Z";
constexpr const char* kT2 = "2026-11-22T11:00:00Z";

ResourceOutcome compiled_facet_policy() {
  return {.key = {"FacetPolicy", "payments", "strict"},
          .generation = 3,
          .included = true,
          .reason = "Compiled",
          .message = "compiled into scope payments/strict",
          .scope_name = "payments/strict",
          .facet_count = 6};
}

ResourceOutcome invalid_facet_policy() {
  return {.key = {"FacetPolicy", "payments", "strict"},
          .generation = 4,
          .included = false,
          .reason = "InvalidSpec",
          .message = "spec.quotas.binary: maxChurnPercent must be between 0 and 100, not 150",
          .scope_name = "",
          .facet_count = std::nullopt};
}

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// Every condition as the CRD's status schema requires (metav1.Condition).
void expect_condition_shape(const Json& condition) {
  EXPECT_EQ(keys_of(condition), (std::set<std::string>{"type", "status", "observedGeneration",
                                                       "lastTransitionTime", "reason", "message"}));
  EXPECT_TRUE(condition["status"] == "True" || condition["status"] == "False" ||
              condition["status"] == "Unknown");
  EXPECT_TRUE(condition["observedGeneration"].is_number_integer());
  EXPECT_FALSE(condition["reason"].get<std::string>().empty());
}

TEST(PolicyStatus, CompiledFacetPolicyStatusHasTheSchemasShape) {
  const Json status = desired_policy_status(nullptr, compiled_facet_policy(), kT1);
  EXPECT_EQ(keys_of(status), (std::set<std::string>{"observedGeneration", "facetCount",
                                                    "compiledScope", "conditions"}));
  EXPECT_EQ(status["observedGeneration"], 3);
  EXPECT_EQ(status["facetCount"], 6);
  EXPECT_EQ(status["compiledScope"], "payments/strict");
  ASSERT_EQ(status["conditions"].size(), 3u);
  for (const Json& condition : status["conditions"]) {
    expect_condition_shape(condition);
    EXPECT_EQ(condition["observedGeneration"], 3);
    EXPECT_EQ(condition["lastTransitionTime"], kT1);
  }
  EXPECT_EQ((*find_condition(status["conditions"], "Ready"))["status"], "True");
  EXPECT_EQ((*find_condition(status["conditions"], "Ready"))["reason"], "Compiled");
  EXPECT_EQ((*find_condition(status["conditions"], "Progressing"))["status"], "False");
  EXPECT_EQ((*find_condition(status["conditions"], "Degraded"))["status"], "False");
}

TEST(PolicyStatus, LeftOutPolicyIsNotReadyAndDegradedWithTheReason) {
  const Json before = desired_policy_status(nullptr, compiled_facet_policy(), kT1);
  const Json status = desired_policy_status(before, invalid_facet_policy(), kT2);
  EXPECT_EQ(status["observedGeneration"], 4);
  EXPECT_EQ(status["facetCount"], 0);
  EXPECT_EQ(status["compiledScope"], "");
  const Json& ready = *find_condition(status["conditions"], "Ready");
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "InvalidSpec");
  EXPECT_EQ(ready["message"], invalid_facet_policy().message);
  EXPECT_EQ(ready["lastTransitionTime"], kT2);  // flipped
  const Json& degraded = *find_condition(status["conditions"], "Degraded");
  EXPECT_EQ(degraded["status"], "True");
  EXPECT_EQ(degraded["reason"], "InvalidSpec");
  // Progressing stayed False: its transition time is the first one.
  EXPECT_EQ((*find_condition(status["conditions"], "Progressing"))["lastTransitionTime"], kT1);
}

TEST(PolicyStatus, UnchangedOutcomeGivesAnIdenticalStatus) {
  const Json first = desired_policy_status(nullptr, compiled_facet_policy(), kT1);
  const Json again = desired_policy_status(first, compiled_facet_policy(), kT2);
  EXPECT_EQ(again, first);  // so the controller writes nothing
}

TEST(PolicyStatus, ProvcachePolicyKeepsTheInvalidationFields) {
  const Json current = {
      {"observedGeneration", 1},
      {"appliedPolicyHash", "sha256:" + std::string(64, 'a')},
      {"invalidations",
       {{{"target", "feedEpoch:41"}, {"reason", "FeedEpochAdvanced"}, {"state", "Succeeded"}}}}};
  const ResourceOutcome outcome{.key = {"ProvcachePolicy", "team-a", "cache"},
                                .generation = 2,
                                .included = false,
                                .reason = "WrongNamespace",
                                .message = "only ProvcachePolicies in zastava-system apply",
                                .scope_name = "",
                                .facet_count = std::nullopt};
  const Json status = desired_policy_status(current, outcome, kT1);
  EXPECT_EQ(keys_of(status), (std::set<std::string>{"observedGeneration", "appliedPolicyHash",
                                                    "invalidations", "conditions"}));
  EXPECT_EQ(status["invalidations"], current["invalidations"]);
  EXPECT_EQ(status["appliedPolicyHash"], current["appliedPolicyHash"]);
  EXPECT_EQ(status["observedGeneration"], 2);
  const Json& ready = *find_condition(status["conditions"], "Ready");
  expect_condition_shape(ready);
  EXPECT_EQ(ready["reason"], "WrongNamespace");
}

}  // namespace
}  // namespace zastava::reconcile
