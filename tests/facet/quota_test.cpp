// Tests for facet/quota.hpp.
#include "facet/quota.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace zastava::facet {
namespace {

DriftScore score(std::int64_t added, std::int64_t removed, std::int64_t modified,
                 std::int64_t baseline_files) {
  DriftScore result;
  result.added_count = added;
  result.removed_count = removed;
  result.modified_count = modified;
  result.total_changes = added + removed + modified;
  result.churn_percent = static_cast<double>(result.total_changes) * 100.0 /
                         static_cast<double>(std::max<std::int64_t>(1, baseline_files));
  return result;
}

// A quota that only `field` can violate.
FacetQuota loose_quota() {
  FacetQuota quota;
  quota.max_churn_percent = 1e9;
  quota.max_changed_files = 1000000;
  quota.max_added_files = 1000000;
  quota.max_removed_files = 1000000;
  quota.on_exceed = QuotaAction::kRequireVex;
  return quota;
}

TEST(EvaluateQuota, WithinEveryLimitPasses) {
  const auto verdict = evaluate_quota("os", score(1, 1, 1, 1000), FacetQuota{});
  EXPECT_TRUE(verdict.passed);
  EXPECT_TRUE(verdict.violations.empty());
  EXPECT_EQ(verdict.recommended_action, QuotaAction::kWarn);
}

TEST(EvaluateQuota, ExactlyAtTheLimitPasses) {
  FacetQuota quota;
  quota.max_churn_percent = 10;
  quota.max_changed_files = 10;
  quota.max_added_files = 4;
  quota.max_removed_files = 3;
  quota.on_exceed = QuotaAction::kBlock;
  const auto verdict = evaluate_quota("os", score(4, 3, 3, 100), quota);  // 10 changes, 10%
  EXPECT_TRUE(verdict.passed);
  EXPECT_EQ(verdict.recommended_action, QuotaAction::kWarn);
}

TEST(EvaluateQuota, MaxChangedFiles) {
  auto quota = loose_quota();
  quota.max_changed_files = 10;
  const auto verdict = evaluate_quota("os", score(2, 4, 6, 1000), quota);
  EXPECT_FALSE(verdict.passed);
  ASSERT_EQ(verdict.violations.size(), 1u);
  const auto& violation = verdict.violations[0];
  EXPECT_EQ(violation.quota_field, "MaxChangedFiles");
  EXPECT_DOUBLE_EQ(violation.limit, 10);
  EXPECT_DOUBLE_EQ(violation.actual, 12);
  EXPECT_EQ(violation.message, "os: 12 files changed, quota allows 10 (MaxChangedFiles)");
  EXPECT_EQ(verdict.recommended_action, QuotaAction::kRequireVex);
}

TEST(EvaluateQuota, MaxAddedFiles) {
  auto quota = loose_quota();
  quota.max_added_files = 0;
  const auto verdict = evaluate_quota("lang/node", score(1, 0, 0, 1000), quota);
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].quota_field, "MaxAddedFiles");
  EXPECT_EQ(verdict.violations[0].message,
            "lang/node: 1 file added, quota allows 0 (MaxAddedFiles)");
}

TEST(EvaluateQuota, MaxRemovedFiles) {
  auto quota = loose_quota();
  quota.max_removed_files = 2;
  const auto verdict = evaluate_quota("config", score(0, 3, 0, 1000), quota);
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].quota_field, "MaxRemovedFiles");
  EXPECT_DOUBLE_EQ(verdict.violations[0].actual, 3);
  EXPECT_EQ(verdict.violations[0].message,
            "config: 3 files removed, quota allows 2 (MaxRemovedFiles)");
}

TEST(EvaluateQuota, MaxChurnPercentWithAtMostTwoDecimals) {
  auto quota = loose_quota();
  quota.max_churn_percent = 5;
  const auto verdict = evaluate_quota("binary", score(0, 0, 1, 3), quota);  // 33.333...%
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].quota_field, "MaxChurnPercent");
  EXPECT_DOUBLE_EQ(verdict.violations[0].limit, 5);
  EXPECT_NEAR(verdict.violations[0].actual, 33.3333, 1e-3);
  EXPECT_EQ(verdict.violations[0].message,
            "binary: churn 33.33% exceeds quota 5% (MaxChurnPercent)");

  quota.max_churn_percent = 2.5;
  const auto halves = evaluate_quota("binary", score(0, 0, 1, 8), quota);  // 12.5%
  ASSERT_EQ(halves.violations.size(), 1u);
  EXPECT_EQ(halves.violations[0].message,
            "binary: churn 12.5% exceeds quota 2.5% (MaxChurnPercent)");
}

TEST(EvaluateQuota, ChurnJustAboveTheLimitDoesNotPrintTwoEqualNumbers) {
  auto quota = loose_quota();
  quota.max_churn_percent = 5;
  DriftScore just_above;
  just_above.churn_percent = 5.001;
  const auto verdict = evaluate_quota("os", just_above, quota);
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].message, "os: churn exceeds quota 5% (MaxChurnPercent)");
}

TEST(EvaluateQuota, EveryViolationIsReportedInFieldOrder) {
  FacetQuota quota;  // seed defaults: 5%, 50, 25, 10
  quota.on_exceed = QuotaAction::kBlock;
  const auto verdict = evaluate_quota("os", score(30, 11, 20, 100), quota);
  ASSERT_EQ(verdict.violations.size(), 4u);
  EXPECT_EQ(verdict.violations[0].quota_field, "MaxChurnPercent");
  EXPECT_EQ(verdict.violations[1].quota_field, "MaxChangedFiles");
  EXPECT_EQ(verdict.violations[2].quota_field, "MaxAddedFiles");
  EXPECT_EQ(verdict.violations[3].quota_field, "MaxRemovedFiles");
  EXPECT_EQ(verdict.violations[0].message, "os: churn 61% exceeds quota 5% (MaxChurnPercent)");
  EXPECT_EQ(verdict.recommended_action, QuotaAction::kBlock);
}

QuotaVerdict failed(QuotaAction action) {
  QuotaVerdict verdict;
  verdict.passed = false;
  verdict.recommended_action = action;
  return verdict;
}

TEST(StrictestAction, BlockBeatsRequireVexBeatsWarn) {
  const std::vector<QuotaVerdict> verdicts = {
      failed(QuotaAction::kWarn), failed(QuotaAction::kBlock), failed(QuotaAction::kRequireVex)};
  EXPECT_EQ(strictest_action(verdicts), QuotaAction::kBlock);
  const std::vector<QuotaVerdict> no_block = {failed(QuotaAction::kRequireVex),
                                              failed(QuotaAction::kWarn)};
  EXPECT_EQ(strictest_action(no_block), QuotaAction::kRequireVex);
  const std::vector<QuotaVerdict> warn_only = {failed(QuotaAction::kWarn)};
  EXPECT_EQ(strictest_action(warn_only), QuotaAction::kWarn);
}

TEST(StrictestAction, PassedVerdictsDoNotCount) {
  QuotaVerdict passed_with_block;  // a passed verdict's action is ignored
  passed_with_block.recommended_action = QuotaAction::kBlock;
  const std::vector<QuotaVerdict> verdicts = {passed_with_block, failed(QuotaAction::kWarn)};
  EXPECT_EQ(strictest_action(verdicts), QuotaAction::kWarn);
  const std::vector<QuotaVerdict> all_passed = {QuotaVerdict{}, passed_with_block};
  EXPECT_EQ(strictest_action(all_passed), std::nullopt);
  EXPECT_EQ(strictest_action({}), std::nullopt);
}

TEST(StrictestAction, AcrossFacetsFromEvaluatedDrift) {
  FacetQuota os_quota;
  os_quota.on_exceed = QuotaAction::kWarn;
  FacetQuota binary_quota;
  binary_quota.max_churn_percent = 2;
  binary_quota.on_exceed = QuotaAction::kBlock;
  FacetQuota node_quota;
  node_quota.on_exceed = QuotaAction::kRequireVex;
  const std::vector<QuotaVerdict> verdicts = {
      evaluate_quota("os", score(0, 0, 60, 1000), os_quota),       // 60 changed > 50
      evaluate_quota("binary", score(0, 0, 1, 10), binary_quota),  // 10% > 2%
      evaluate_quota("lang/node", score(1, 0, 0, 1000), node_quota)};
  EXPECT_FALSE(verdicts[0].passed);
  EXPECT_FALSE(verdicts[1].passed);
  EXPECT_TRUE(verdicts[2].passed);
  EXPECT_EQ(strictest_action(verdicts), QuotaAction::kBlock);
}

}  // namespace
}  // namespace zastava::facet
