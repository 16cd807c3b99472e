// metav1.Condition lists: transition time kept unless the status flips.
#include "reconcile/conditions.hpp"

#include <gtest/gtest.h>

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr const char* kT1 = "2026-11-22T10:00:00Z";
constexpr const char* kT2 = "2026-11-22T11:00:00Z";

Condition ready(const char* status, const char* reason, std::int64_t generation) {
  return {.type = "Ready",
          .status = status,
          .reason = reason,
          .message = std::string("because ") + reason,
          .observed_generation = generation};
}

TEST(Conditions, FirstSetTakesNow) {
  const Json conditions = set_condition(nullptr, ready("True", "Compiled", 1), kT1);
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0], (Json{{"type", "Ready"},
                                 {"status", "True"},
                                 {"observedGeneration", 1},
                                 {"lastTransitionTime", kT1},
                                 {"reason", "Compiled"},
                                 {"message", "because Compiled"}}));
}

TEST(Conditions, TransitionTimeKeptWhileTheStatusStays) {
  const Json first = set_condition(Json::array(), ready("False", "InvalidSpec", 1), kT1);
  const Json same = set_condition(first, ready("False", "SecretNotFound", 2), kT2);
  const Json* condition = find_condition(same, "Ready");
  ASSERT_NE(condition, nullptr);
  EXPECT_EQ((*condition)["lastTransitionTime"], kT1);
  EXPECT_EQ((*condition)["reason"], "SecretNotFound");  // reason, message, generation: latest
  EXPECT_EQ((*condition)["observedGeneration"], 2);

  const Json flipped = set_condition(same, ready("True", "Compiled", 3), kT2);
  EXPECT_EQ((*find_condition(flipped, "Ready"))["lastTransitionTime"], kT2);
  EXPECT_EQ((*find_condition(flipped, "Ready"))["status"], "True");
}

TEST(Conditions, OneEntryPerTypeOthersKeptSortedByType) {
  Json conditions = set_condition(nullptr, ready("True", "Compiled", 1), kT1);
  conditions = set_condition(conditions,
                             {.type = "Degraded",
                              .status = "False",
                              .reason = "Compiled",
                              .message = "",
                              .observed_generation = 1},
                             kT1);
  conditions = set_condition(conditions, ready("True", "Compiled", 2), kT2);
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0]["type"], "Degraded");
  EXPECT_EQ(conditions[1]["type"], "Ready");
  EXPECT_EQ(find_condition(conditions, "Progressing"), nullptr);
  EXPECT_EQ(find_condition(nullptr, "Ready"), nullptr);
  // Writing the same thing twice gives the same bytes.
  EXPECT_EQ(set_condition(conditions, ready("True", "Compiled", 2), kT2).dump(), conditions.dump());
}

}  // namespace
}  // namespace zastava::reconcile
