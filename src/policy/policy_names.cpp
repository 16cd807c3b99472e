#include "policy/policy_document.hpp"

namespace zastava::policy {

std::string_view mode_name(Mode mode) noexcept {
  switch (mode) {
    case Mode::kEnforce:
      return "Enforce";
    case Mode::kWarn:
      return "Warn";
    case Mode::kAudit:
      return "Audit";
  }
  return "?";
}

std::string_view failure_policy_name(FailurePolicy policy) noexcept {
  return policy == FailurePolicy::kFail ? "Fail" : "Ignore";
}

std::string_view baseline_rule_name(BaselineRule rule) noexcept {
  return rule == BaselineRule::kLatestApproved ? "latestApproved" : "pinned";
}

std::string_view on_miss_name(OnMiss on_miss) noexcept {
  switch (on_miss) {
    case OnMiss::kDeny:
      return "deny";
    case OnMiss::kWarn:
      return "warn";
    case OnMiss::kEvaluate:
      return "evaluate";
  }
  return "?";
}

}  // namespace zastava::policy
