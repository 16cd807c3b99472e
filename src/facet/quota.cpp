#include "facet/quota.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace zastava::facet {
namespace {

// At most two decimals, without trailing zeros: 12.5 -> "12.5", 5 -> "5",
// 33.333 -> "33.33".
std::string format_percent(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string result = text;
  if (result.find('.') != std::string::npos) {
    result.erase(result.find_last_not_of('0') + 1);
    if (result.back() == '.') result.pop_back();
  }
  return result;
}

std::string files(std::int64_t count) {
  return std::to_string(count) + (count == 1 ? " file" : " files");
}

QuotaViolation churn_violation(std::string_view facet_id, double churn, double limit) {
  const auto actual_text = format_percent(churn);
  const auto limit_text = format_percent(limit);
  // 5.001% over a 5% quota would read "churn 5% exceeds quota 5%".
  const auto what = actual_text == limit_text ? std::string("churn") : "churn " + actual_text + "%";
  return {
      "MaxChurnPercent", limit, churn,
      std::string(facet_id) + ": " + what + " exceeds quota " + limit_text + "% (MaxChurnPercent)"};
}

QuotaViolation count_violation(std::string_view facet_id, std::string_view field,
                               std::string_view verb, std::int64_t actual, std::int64_t limit) {
  return {std::string(field), static_cast<double>(limit), static_cast<double>(actual),
          std::string(facet_id) + ": " + files(actual) + " " + std::string(verb) +
              ", quota allows " + std::to_string(limit) + " (" + std::string(field) + ")"};
}

}  // namespace

QuotaVerdict evaluate_quota(std::string_view facet_id, const DriftScore& score,
                            const FacetQuota& quota) {
  QuotaVerdict verdict;
  if (score.churn_percent > quota.max_churn_percent) {
    verdict.violations.push_back(
        churn_violation(facet_id, score.churn_percent, quota.max_churn_percent));
  }
  if (score.total_changes > quota.max_changed_files) {
    verdict.violations.push_back(count_violation(facet_id, "MaxChangedFiles", "changed",
                                                 score.total_changes, quota.max_changed_files));
  }
  if (score.added_count > quota.max_added_files) {
    verdict.violations.push_back(count_violation(facet_id, "MaxAddedFiles", "added",
                                                 score.added_count, quota.max_added_files));
  }
  if (score.removed_count > quota.max_removed_files) {
    verdict.violations.push_back(count_violation(facet_id, "MaxRemovedFiles", "removed",
                                                 score.removed_count, quota.max_removed_files));
  }
  verdict.passed = verdict.violations.empty();
  verdict.recommended_action = verdict.passed ? QuotaAction::kWarn : quota.on_exceed;
  return verdict;
}

std::optional<QuotaAction> strictest_action(std::span<const QuotaVerdict> verdicts) {
  std::optional<QuotaAction> strictest;
  for (const auto& verdict : verdicts) {
    if (verdict.passed) continue;
    if (!strictest || verdict.recommended_action > *strictest) {
      strictest = verdict.recommended_action;
    }
  }
  return strictest;
}

}  // namespace zastava::facet
