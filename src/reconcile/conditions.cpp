// metav1.Condition lists: one entry per type, transition time kept unless the
// status flips (apimachinery's meta.SetStatusCondition).
#include "reconcile/conditions.hpp"

#include <algorithm>
#include <vector>

namespace zastava::reconcile {
namespace {

std::string type_of(const nlohmann::json& condition) {
  if (!condition.is_object()) return {};
  const auto it = condition.find("type");
  return it != condition.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string string_field(const nlohmann::json& condition, std::string_view name) {
  const auto it = condition.find(name);
  return it != condition.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

const nlohmann::json* find_condition(const nlohmann::json& conditions, std::string_view type) {
  if (!conditions.is_array()) return nullptr;
  for (const nlohmann::json& condition : conditions) {
    if (type_of(condition) == type) return &condition;
  }
  return nullptr;
}

nlohmann::json set_condition(const nlohmann::json& conditions, const Condition& desired,
                             std::string_view now_rfc3339) {
  std::string transition_time(now_rfc3339);
  if (const nlohmann::json* current = find_condition(conditions, desired.type)) {
    const std::string kept = string_field(*current, "lastTransitionTime");
    if (string_field(*current, "status") == desired.status && !kept.empty()) {
      transition_time = kept;
    }
  }
  std::vector<nlohmann::json> entries;
  if (conditions.is_array()) {
    for (const nlohmann::json& condition : conditions) {
      const std::string type = type_of(condition);
      if (!type.empty() && type != desired.type) entries.push_back(condition);
    }
  }
  entries.push_back({{"type", desired.type},
                     {"status", desired.status},
                     {"observedGeneration", desired.observed_generation},
                     {"lastTransitionTime", transition_time},
                     {"reason", desired.reason},
                     {"message", desired.message}});
  std::stable_sort(
      entries.begin(), entries.end(),
      [](const nlohmann::json& a, const nlohmann::json& b) { return type_of(a) < type_of(b); });
  nlohmann::json result = nlohmann::json::array();
  for (nlohmann::json& entry : entries) result.push_back(std::move(entry));
  return result;
}

}  // namespace zastava::reconcile
