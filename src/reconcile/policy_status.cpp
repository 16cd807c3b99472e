// The status a policy resource should have after its compile.
#include "reconcile/policy_status.hpp"

#include <string>

#include "reconcile/conditions.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

// Fields of a ProvcachePolicy's status the invalidation reconciler owns.
constexpr std::string_view kInvalidationFields[] = {"invalidations", "appliedPolicyHash"};

Json conditions_for(const Json& current, const ResourceOutcome& outcome,
                    std::string_view now_rfc3339) {
  const Json* existing = nullptr;
  if (current.is_object()) {
    if (const auto it = current.find("conditions"); it != current.end()) existing = &*it;
  }
  Json conditions = existing != nullptr ? *existing : Json::array();
  const std::int64_t generation = outcome.generation;
  const std::string reason = outcome.reason.empty()
                                 ? std::string(outcome.included ? "Compiled" : "InvalidSpec")
                                 : outcome.reason;
  conditions = set_condition(conditions,
                             {.type = "Ready",
                              .status = outcome.included ? "True" : "False",
                              .reason = reason,
                              .message = outcome.message,
                              .observed_generation = generation},
                             now_rfc3339);
  conditions =
      set_condition(conditions,
                    {.type = "Progressing",
                     .status = "False",
                     .reason = "Reconciled",
                     .message = "generation " + std::to_string(generation) + " has been compiled",
                     .observed_generation = generation},
                    now_rfc3339);
  conditions = set_condition(
      conditions,
      {.type = "Degraded",
       .status = outcome.included ? "False" : "True",
       .reason = outcome.included ? std::string("Compiled") : reason,
       .message = outcome.included ? std::string("part of the compiled policy")
                                   : "left out of the compiled policy (the others still apply): " +
                                         outcome.message,
       .observed_generation = generation},
      now_rfc3339);
  return conditions;
}

}  // namespace

nlohmann::json desired_policy_status(const nlohmann::json& current_status,
                                     const ResourceOutcome& outcome, std::string_view now_rfc3339) {
  Json status = Json::object();
  status["observedGeneration"] = outcome.generation;
  if (outcome.key.kind == kFacetPolicyKind) {
    status["facetCount"] = outcome.included ? outcome.facet_count.value_or(0) : 0;
    status["compiledScope"] = outcome.included ? outcome.scope_name : std::string();
  } else if (current_status.is_object()) {
    for (const std::string_view name : kInvalidationFields) {
      if (const auto it = current_status.find(name); it != current_status.end()) {
        status[std::string(name)] = *it;
      }
    }
  }
  status["conditions"] = conditions_for(current_status, outcome, now_rfc3339);
  return status;
}

}  // namespace zastava::reconcile
