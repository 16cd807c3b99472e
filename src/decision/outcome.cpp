#include "decision/outcome.hpp"

namespace zastava::decision {

std::string_view provcache_result_name(ProvcacheResult result) noexcept {
  switch (result) {
    case ProvcacheResult::kNotChecked:
      return "not-checked";
    case ProvcacheResult::kHit:
      return "hit";
    case ProvcacheResult::kEvaluated:
      return "evaluated";
    case ProvcacheResult::kMiss:
      return "miss";
    case ProvcacheResult::kUnavailable:
      return "unavailable";
  }
  return "not-checked";
}

admission::AdmissionResponse AdmissionOutcome::to_response(const std::string& uid) const {
  admission::AdmissionResponse response =
      allowed ? admission::AdmissionResponse::allow(uid)
              : admission::AdmissionResponse::deny(uid, denial_message);
  response.warnings = warnings;
  response.audit_annotations = audit_annotations;
  return response;
}

}  // namespace zastava::decision
