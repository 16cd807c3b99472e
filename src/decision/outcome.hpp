#pragma once
// What the admission pipeline (decider.hpp) decides for one AdmissionReview,
// before anything is sent: the webhook turns it into the AdmissionResponse
// (to_response), Kubernetes Events (sent asynchronously by the kube client,
// never on the admission's critical path) and log lines.
//
//   allowed            false when an Enforce-mode violation (or a failure
//                      under failurePolicy Fail) denies the object
//   denial_message     one line per denying violation (violation.hpp)
//   warnings           short kubectl-style lines: Warn-mode violations, Warn
//                      quotas, onMiss warn, failures under failurePolicy Ignore
//   audit_annotations  decision, policy-version, and per checked image i:
//                      image-<i> (normalized reference), image-<i>-verikey,
//                      image-<i>-decision, image-<i>-trust-score,
//                      image-<i>-seal-ids (comma-separated)
//   events             type Warning, one per denying violation and one per
//                      RequireVex outcome, about the admitted object
//   audit_record_json  the structured audit record (audit_record.hpp)
//   images             what was found per checked image (for logs and tests)

#include <optional>
#include <string>
#include <vector>

#include "admission/admission_request.hpp"
#include "admission/admission_response.hpp"
#include "decision/violation.hpp"

namespace zastava::decision {

// The object an Event is about (an ObjectReference).
struct EventObject {
  std::string api_version;  // "v1", "apps/v1"
  std::string kind;         // "Pod", "Deployment"
  std::string namespace_name;
  std::string name;
};

struct EventSpec {
  EventObject regarding;
  std::string type = "Warning";
  std::string reason;  // "FacetQuotaExceeded", "SealMissing", ...
  std::string action = "Admit";
  std::string note;  // the violation line, or what RequireVex found
};

// The provcache's part of one image's decision.
enum class ProvcacheResult {
  kNotChecked,  // disabled, or an earlier check stopped the image
  kHit,         // a cached decision served
  kEvaluated,   // a miss evaluated from the stored evidence (and cached unless dryRun)
  kMiss,        // a miss with onMiss deny or warn
  kUnavailable  // the store failed or the deadline passed
};
std::string_view provcache_result_name(ProvcacheResult result) noexcept;  // "hit", ...

// One checked container image.
struct ImageReport {
  std::string container;
  std::string image;       // as written
  std::string normalized;  // "" when the reference does not parse
  std::string scope;       // the governing scope's name
  std::string mode;        // "Enforce", "Warn", "Audit"
  std::string veri_key;    // "" when the provcache was not consulted
  ProvcacheResult provcache = ProvcacheResult::kNotChecked;
  std::string provcache_verdict;  // "allow", "deny" or ""
  std::optional<int> trust_score;
  std::vector<std::string> seal_ids;  // the valid seals' ids
  std::vector<Violation> violations;  // raw, before the mode is applied
  std::vector<std::string> notes;     // audit-only remarks ("no baseline for facet os")
  std::string decision;               // "allow", "warn" or "deny" after the mode
};

struct AdmissionOutcome {
  bool allowed = true;
  std::string denial_message;
  std::vector<std::string> warnings;
  admission::StringPairs audit_annotations;
  std::vector<EventSpec> events;
  std::string audit_record_json;
  std::vector<ImageReport> images;

  // The AdmissionResponse for request `uid`: allowed, or denied with status
  // 403 and denial_message; warnings and audit annotations either way.
  [[nodiscard]] admission::AdmissionResponse to_response(const std::string& uid) const;
};

}  // namespace zastava::decision
