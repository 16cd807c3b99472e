// plan_invalidations and invalidation_job_name: one planned invalidation per
// trigger, stable DNS-1123 names, nothing planned twice.
#include "reconcile/invalidation_plan.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "base/hex.hpp"
#include "digest/sha2.hpp"
#include "json/canonical_json.hpp"

namespace zastava::reconcile {
namespace {

using provcache::InvalidationKind;
using provcache::InvalidationRequest;

const std::string kSignerA = "sha256:" + std::string(64, 'a');
const std::string kSignerB = "sha256:" + std::string(64, 'b');
const std::string kHashOld = "sha256:" + std::string(64, 'c');
const std::string kHashNew = "sha256:" + std::string(64, 'd');

// 2026-11-22T10:30:00Z
constexpr std::int64_t kNow = 1795343400;

nlohmann::json postgres_policy() {
  return {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
          {"kind", "ProvcachePolicy"},
          {"metadata", {{"namespace", "zastava-system"}, {"name", "cache"}, {"uid", "u-1"}}},
          {"spec",
           {{"store",
             {{"type", "Postgres"}, {"postgres", {{"connectionSecretRef", {{"name", "pg"}}}}}}}}}};
}

OperatorSettings no_sweeps() {
  OperatorSettings settings;
  settings.ttl_sweep_interval = std::chrono::seconds(0);
  return settings;
}

bool is_dns1123_label(const std::string& name) {
  static const std::regex kLabel("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  return name.size() <= 63 && std::regex_match(name, kLabel);
}

TEST(InvalidationPlan, EachRevokedSignerIsOneInvalidation) {
  nlohmann::json policy = postgres_policy();
  policy["spec"]["revokedSigners"] = {{{"signerSetHash", kSignerA}, {"reason", "key leaked"}},
                                      {{"signerSetHash", kSignerB}}};
  const auto plan = plan_invalidations(policy, no_sweeps(), kNow);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].kind, InvalidationKind::kSignerSetHash);
  EXPECT_EQ(plan[0].value, kSignerA);
  EXPECT_EQ(plan[0].reason, "SignerRevoked");
  EXPECT_EQ(plan[0].target, "signer:" + kSignerA);
  EXPECT_TRUE(plan[0].needs_job);
  EXPECT_EQ(plan[1].value, kSignerB);
  EXPECT_NE(plan[0].job_name, plan[1].job_name);
}

TEST(InvalidationPlan, FeedEpochIsOneInvalidation) {
  nlohmann::json policy = postgres_policy();
  policy["spec"]["feedEpoch"] = "2026-11-22";
  const auto plan = plan_invalidations(policy, no_sweeps(), kNow);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].kind, InvalidationKind::kFeedEpoch);
  EXPECT_EQ(plan[0].value, "2026-11-22");
  EXPECT_EQ(plan[0].reason, "FeedEpochAdvanced");
  EXPECT_EQ(plan[0].target, "feedEpoch:<2026-11-22");
}

TEST(InvalidationPlan, PolicyHashChangeInvalidatesTheOldHash) {
  nlohmann::json policy = postgres_policy();
  policy["spec"]["policyHash"] = kHashNew;
  policy["status"]["appliedPolicyHash"] = kHashOld;
  const auto plan = plan_invalidations(policy, no_sweeps(), kNow);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].kind, InvalidationKind::kPolicyHash);
  EXPECT_EQ(plan[0].value, kHashOld);
  EXPECT_EQ(plan[0].reason, "PolicyHashChanged");
  EXPECT_EQ(plan[0].target, "policyHash:" + kHashOld);
}

TEST(InvalidationPlan, PolicyHashWithoutAnAppliedOneOrUnchangedPlansNothing) {
  nlohmann::json policy = postgres_policy();
  policy["spec"]["policyHash"] = kHashNew;
  EXPECT_TRUE(plan_invalidations(policy, no_sweeps(), kNow).empty());
  policy["status"]["appliedPolicyHash"] = kHashNew;
  EXPECT_TRUE(plan_invalidations(policy, no_sweeps(), kNow).empty());
}

TEST(InvalidationPlan, TtlSweepPerIntervalBucketForPostgres) {
  const nlohmann::json policy = postgres_policy();
  OperatorSettings settings;
  settings.ttl_sweep_interval = std::chrono::hours(1);
  const auto plan = plan_invalidations(policy, settings, kNow);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].kind, InvalidationKind::kExpired);
  EXPECT_EQ(plan[0].value, "");
  EXPECT_EQ(plan[0].reason, "TtlSweep");
  EXPECT_EQ(plan[0].target, "expired:2026-11-22T10:00:00Z");

  // Same bucket later in the hour: same Job; the next hour: another.
  const auto same = plan_invalidations(policy, settings, kNow + 1799);
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].job_name, plan[0].job_name);
  const auto next = plan_invalidations(policy, settings, kNow + 1800);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].target, "expired:2026-11-22T11:00:00Z");
  EXPECT_NE(next[0].job_name, plan[0].job_name);
}

TEST(InvalidationPlan, EmbeddedStoreNeedsNoJobAndNoSweep) {
  nlohmann::json policy = postgres_policy();
  policy["spec"].erase("store");  // the CRD's default: Embedded
  policy["spec"]["revokedSigners"] = {{{"signerSetHash", kSignerA}}};
  policy["spec"]["feedEpoch"] = "41";
  OperatorSettings settings;
  settings.ttl_sweep_interval = std::chrono::hours(1);
  const auto plan = plan_invalidations(policy, settings, kNow);
  ASSERT_EQ(plan.size(), 2u);
  for (const auto& planned : plan) {
    EXPECT_FALSE(planned.needs_job) << planned.target;
    EXPECT_NE(planned.kind, InvalidationKind::kExpired);
  }
  policy["spec"]["store"] = {{"type", "Embedded"}};
  EXPECT_EQ(plan_invalidations(policy, settings, kNow).size(), 2u);
}

TEST(InvalidationPlan, RecordedInvalidationsAreNotPlannedAgainWhateverTheirState) {
  nlohmann::json policy = postgres_policy();
  policy["spec"]["revokedSigners"] = {{{"signerSetHash", kSignerA}}, {{"signerSetHash", kSignerB}}};
  policy["spec"]["feedEpoch"] = "7";
  const auto first = plan_invalidations(policy, no_sweeps(), kNow);
  ASSERT_EQ(first.size(), 3u);
  policy["status"]["invalidations"] = {{{"jobName", first[0].job_name}, {"state", "Failed"}},
                                       {{"jobName", first[2].job_name}, {"state", "Pending"}}};
  const auto second = plan_invalidations(policy, no_sweeps(), kNow);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].job_name, first[1].job_name);
}

TEST(InvalidationPlan, RepeatedAndInvalidRequestsArePlannedOnce) {
  nlohmann::json policy = postgres_policy();
  policy["spec"]["revokedSigners"] = {
      {{"signerSetHash", kSignerA}}, {{"signerSetHash", kSignerA}}, {{"signerSetHash", "md5:1"}}};
  const auto plan = plan_invalidations(policy, no_sweeps(), kNow);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].value, kSignerA);
}

TEST(InvalidationJobName, IsTheDocumentedHashOfTheRequest) {
  const InvalidationRequest request{InvalidationKind::kSignerSetHash, kSignerA, "r", "a"};
  const std::string name = invalidation_job_name("ns", "cache", request);
  const std::string identity = *json::canonicalize(
      {{"namespace", "ns"}, {"policy", "cache"}, {"by", "signer_set_hash"}, {"value", kSignerA}});
  const auto hash = digest::sha256(as_bytes(identity));
  EXPECT_EQ(name, "zastava-inv-" +
                      encoding::hex_encode(ByteView(hash.data(), hash.size())).substr(0, 16));
}

TEST(InvalidationJobName, StableDistinctAndDns1123) {
  const InvalidationRequest request{InvalidationKind::kSignerSetHash, kSignerA, "r", "a"};
  const std::string name = invalidation_job_name("ns", "cache", request);
  // Reason and actor do not change the request's identity.
  EXPECT_EQ(name, invalidation_job_name("ns", "cache", {request.by, request.value, "x", "y"}));
  EXPECT_TRUE(is_dns1123_label(name)) << name;

  std::set<std::string> names{name};
  names.insert(invalidation_job_name("other", "cache", request));
  names.insert(invalidation_job_name("ns", "other", request));
  names.insert(invalidation_job_name("ns", "cache", {request.by, kSignerB, "", ""}));
  names.insert(
      invalidation_job_name("ns", "cache", {InvalidationKind::kPolicyHash, kSignerA, "", ""}));
  names.insert(invalidation_job_name("ns", "cache", {InvalidationKind::kExpired, "", "", ""},
                                     "2026-11-22T10:00:00Z"));
  names.insert(invalidation_job_name("ns", "cache", {InvalidationKind::kExpired, "", "", ""},
                                     "2026-11-22T11:00:00Z"));
  EXPECT_EQ(names.size(), 7u);
  for (const std::string& each : names) EXPECT_TRUE(is_dns1123_label(each)) << each;

  // A 253-character policy name still gives a 28-character name.
  const std::string long_name =
      invalidation_job_name(std::string(63, 'n'), std::string(253, 'p'), request);
  EXPECT_EQ(long_name.size(), 28u);
  EXPECT_TRUE(is_dns1123_label(long_name));
}

}  // namespace
}  // namespace zastava::reconcile
