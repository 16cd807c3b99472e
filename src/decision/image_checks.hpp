#pragma once
// Internal to the decision module: the checks of ONE container image (steps
// 1-5 of decider.hpp), before the scope's mode is applied. decider.cpp runs
// them for each changed container and turns the results into the outcome.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission/admission_request.hpp"
#include "admission/image_reference.hpp"
#include "decision/decider.hpp"
#include "decision/outcome.hpp"
#include "policy/label_selector.hpp"
#include "policy/policy_document.hpp"

namespace zastava::decision {

struct ImageCheck {
  ImageReport report;                    // violations raw, decision not yet set
  const policy::Scope* scope = nullptr;  // never null after check_image
  // Warnings whatever the mode (Warn quotas, onMiss warn, VEX waivers).
  std::vector<std::string> warnings;
  // RequireVex quotas a VEX statement satisfied, one line each, for Events
  // (unsatisfied ones are violations with quota action RequireVex).
  std::vector<std::string> require_vex_outcomes;
  // Why the checks stopped early (store error, deadline): the failure policy applies.
  std::optional<std::string> failure;
};

struct ImageCheckInput {
  const admission::Container& container;
  const policy::CompiledPolicy& policy;
  std::string_view namespace_name;
  const policy::Labels& namespace_labels;
  const DecisionTime& time;
  bool dry_run = false;
};

ImageCheck check_image(Decider& decider, const ImageCheckInput& input);

}  // namespace zastava::decision

namespace zastava::decision::detail {

// The state of one image's checks, shared by the steps.
struct ImageRun {
  Decider& decider;
  const ImageCheckInput& input;
  ImageCheck& check;
  admission::ImageReference reference;
  std::vector<store::StoredArtifact> artifacts;  // the digest's, sorted by (kind, id)
  std::vector<std::shared_ptr<const SealCheck>> valid_seals;
  std::vector<std::shared_ptr<const StatementCheck>> vex;  // valid VEX statements
  std::shared_ptr<const StatementCheck> sbom;              // the newest valid SBOM, or null
  std::vector<std::shared_ptr<const StatementCheck>> findings;

  [[nodiscard]] const policy::Scope& scope() const { return *check.scope; }
  [[nodiscard]] const std::string& digest() const { return reference.digest; }
  // Records the failure and returns true when the deadline has passed.
  bool past_deadline(std::string_view before_step);
  void fail(std::string message) {
    if (!check.failure) check.failure = std::move(message);
  }
  Violation violation(ViolationKind kind, std::string facet_id, std::string detail) const;
};

// Step 5 (provcache_check.cpp).
void check_provcache(ImageRun& run);

}  // namespace zastava::decision::detail
