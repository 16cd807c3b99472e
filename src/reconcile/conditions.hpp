#pragma once
// metav1.Condition lists, set the way the API conventions ask: one entry
// per type; lastTransitionTime changes only when `status` flips;
// observedGeneration, reason and message are always the latest.
//
//   auto conditions = set_condition(status["conditions"],
//       {.type = "Ready", .status = "False", .reason = "InvalidSpec",
//        .message = "spec.quotas.binary.maxChurnPercent: ...", .observed_generation = 3},
//       now_rfc3339);

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace zastava::reconcile {

struct Condition {
  std::string type;    // Ready, Progressing, Degraded
  std::string status;  // "True", "False", "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  std::int64_t observed_generation = 0;
};

// `conditions` (an array, or null) with `desired` set; other types kept, the
// list sorted by type so writing it twice gives the same bytes.
nlohmann::json set_condition(const nlohmann::json& conditions, const Condition& desired,
                             std::string_view now_rfc3339);

// The condition of `type` in `conditions`, or null.
const nlohmann::json* find_condition(const nlohmann::json& conditions, std::string_view type);

}  // namespace zastava::reconcile
