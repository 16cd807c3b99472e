#include "decision/decider.hpp"

#include <utility>

#include "decision/audit_record.hpp"
#include "decision/image_checks.hpp"

namespace zastava::decision {
namespace {

EventObject event_object(const admission::AdmissionRequest& request) {
  EventObject object;
  const admission::GroupVersionKind& kind = request.kind;
  object.api_version = kind.group.empty() ? kind.version : kind.group + "/" + kind.version;
  object.kind = kind.kind;
  object.namespace_name =
      request.workload ? request.workload->namespace_name : request.namespace_name;
  object.name = request.workload ? request.workload->name : request.name;
  return object;
}

std::string policy_version(const policy::CompiledPolicy& policy) {
  return policy.metadata.version.empty() ? policy.content_hash : policy.metadata.version;
}

bool requires_vex(const Violation& violation) {
  return violation.quota && violation.quota->action == facet::QuotaAction::kRequireVex;
}

// Collects the outcome of each image: the mode decides what its violations do.
class OutcomeBuilder {
 public:
  explicit OutcomeBuilder(const admission::AdmissionRequest& request)
      : regarding_(event_object(request)) {}

  void add(ImageCheck check) {
    const policy::Scope& scope = *check.scope;
    std::vector<Violation> violations = check.report.violations;
    if (check.failure) {
      if (scope.failure_policy == policy::FailurePolicy::kFail) {
        violations.push_back(failure_violation(check));
      } else {
        outcome_.warnings.push_back("container \"" + check.report.container + "\" image " +
                                    check.report.image + ": " + *check.failure +
                                    "; admitted (failurePolicy Ignore)");
      }
      check.report.notes.push_back(*check.failure);
    }
    check.report.decision = "allow";
    for (const Violation& violation : violations) apply(scope.mode, violation, check.report);
    for (std::string& warning : check.warnings) {
      if (scope.mode == policy::Mode::kAudit) {
        check.report.notes.push_back(std::move(warning));
      } else {
        outcome_.warnings.push_back(std::move(warning));
      }
    }
    for (std::string& line : check.require_vex_outcomes)
      event("FacetQuotaExceeded", std::move(line));
    check.report.violations = std::move(violations);
    outcome_.images.push_back(std::move(check.report));
  }

  AdmissionOutcome finish(const admission::AdmissionRequest& request,
                          const policy::CompiledPolicy& policy, std::string_view reason) {
    outcome_.allowed = deny_lines_.empty();
    for (std::size_t i = 0; i < deny_lines_.size(); ++i) {
      if (i > 0) outcome_.denial_message += '\n';
      outcome_.denial_message += deny_lines_[i];
    }
    annotate(policy);
    outcome_.audit_record_json = audit_record_json(request, policy, outcome_, reason);
    return std::move(outcome_);
  }

 private:
  static Violation failure_violation(const ImageCheck& check) {
    Violation violation;
    violation.kind = ViolationKind::kUnavailable;
    violation.container = check.report.container;
    violation.image = check.report.image;
    violation.detail = *check.failure;
    return violation;
  }

  void apply(policy::Mode mode, const Violation& violation, ImageReport& report) {
    std::string line = violation.line();
    if (requires_vex(violation)) event(std::string(event_reason(violation.kind)), line);
    switch (mode) {
      case policy::Mode::kEnforce:
        if (!requires_vex(violation)) event(std::string(event_reason(violation.kind)), line);
        deny_lines_.push_back(std::move(line));
        report.decision = "deny";
        return;
      case policy::Mode::kWarn:
        outcome_.warnings.push_back(std::move(line));
        if (report.decision != "deny") report.decision = "warn";
        return;
      case policy::Mode::kAudit:
        if (report.decision == "allow") report.decision = "audit";
        return;
    }
  }

  void event(std::string reason, std::string note) {
    EventSpec spec;
    spec.regarding = regarding_;
    spec.reason = std::move(reason);
    spec.note = std::move(note);
    outcome_.events.push_back(std::move(spec));
  }

  void annotate(const policy::CompiledPolicy& policy) {
    auto& annotations = outcome_.audit_annotations;
    annotations.emplace_back("decision", outcome_.allowed ? "allow" : "deny");
    annotations.emplace_back("policy-version", policy_version(policy));
    for (std::size_t i = 0; i < outcome_.images.size(); ++i) {
      const ImageReport& image = outcome_.images[i];
      const std::string prefix = "image-" + std::to_string(i);
      annotations.emplace_back(prefix, image.normalized.empty() ? image.image : image.normalized);
      annotations.emplace_back(prefix + "-decision", image.decision);
      if (!image.veri_key.empty()) annotations.emplace_back(prefix + "-verikey", image.veri_key);
      if (image.trust_score) {
        annotations.emplace_back(prefix + "-trust-score", std::to_string(*image.trust_score));
      }
      if (!image.seal_ids.empty()) {
        std::string ids;
        for (const std::string& id : image.seal_ids) ids += (ids.empty() ? "" : ",") + id;
        annotations.emplace_back(prefix + "-seal-ids", std::move(ids));
      }
    }
  }

  EventObject regarding_;
  AdmissionOutcome outcome_;
  std::vector<std::string> deny_lines_;
};

}  // namespace

Decider::Decider(store::ArtifactStore& artifacts, store::ProvcacheStore& provcache,
                 const NamespaceLabels& namespace_labels, DeciderOptions options)
    : artifacts_(artifacts),
      provcache_(provcache),
      namespace_labels_(namespace_labels),
      options_(std::move(options)),
      verifier_(options_.verification_cache_capacity),
      drifts_(options_.drift_cache_capacity) {}

AdmissionOutcome Decider::decide(const admission::AdmissionRequest& request,
                                 const policy::CompiledPolicy& policy, const DecisionTime& time) {
  OutcomeBuilder builder(request);
  if (!request.needs_image_checks()) {
    const std::string_view reason = request.handled()
                                        ? std::string_view("no new or changed image")
                                        : std::string_view(request.not_handled_reason);
    return builder.finish(request, policy, reason);
  }
  const admission::Workload& workload = *request.workload;
  const policy::Labels labels = namespace_labels_.labels(workload.namespace_name);
  for (const admission::Container* container : workload.changed_containers()) {
    const ImageCheckInput input{*container, policy, workload.namespace_name,
                                labels,     time,   request.dry_run};
    builder.add(check_image(*this, input));
  }
  return builder.finish(request, policy, "");
}

}  // namespace zastava::decision
