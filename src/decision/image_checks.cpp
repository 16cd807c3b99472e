#include "decision/image_checks.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "facet/drift.hpp"
#include "facet/quota.hpp"
#include "facet/vex.hpp"
#include "policy/policy_match.hpp"
#include "provcache/evaluate.hpp"

namespace zastava::decision {
namespace detail {

bool ImageRun::past_deadline(std::string_view before_step) {
  if (decider.steady_now() < input.time.deadline) return false;
  fail("deadline exceeded before " + std::string(before_step));
  return true;
}

Violation ImageRun::violation(ViolationKind kind, std::string facet_id, std::string detail) const {
  Violation out;
  out.kind = kind;
  out.container = input.container.name;
  out.image = input.container.image;
  out.facet_id = std::move(facet_id);
  out.detail = std::move(detail);
  return out;
}

}  // namespace detail

namespace {

using detail::ImageRun;

// --- Step 3: seals ---------------------------------------------------------

bool load_artifacts(ImageRun& run) {
  if (run.past_deadline("reading the artifact store")) return false;
  auto artifacts = run.decider.artifacts().for_image(run.digest());
  if (!artifacts) {
    run.fail("artifact store unavailable: " + artifacts.error().message);
    return false;
  }
  run.artifacts = std::move(*artifacts);
  return true;
}

void check_seals(ImageRun& run) {
  bool any_seal = false;
  for (const store::StoredArtifact& artifact : run.artifacts) {
    if (artifact.kind != store::ArtifactKind::kSeal) continue;
    any_seal = true;
    auto check = run.decider.verifier().check_seal(artifact, run.scope());
    if (check->valid()) {
      run.check.report.seal_ids.push_back(check->seal->seal.seal_id);
      run.valid_seals.push_back(std::move(check));
    } else {
      run.check.report.violations.push_back(
          run.violation(ViolationKind::kSealInvalid, artifact.facet_id, check->error));
    }
  }
  if (!any_seal && run.scope().require_seal) {
    run.check.report.violations.push_back(
        run.violation(ViolationKind::kSealMissing, "", "no facet seal for " + run.digest()));
  }
}

// The statements (VEX, SBOM, findings) that verify; invalid ones are noted.
void collect_statements(ImageRun& run) {
  const store::StoredArtifact* newest_sbom = nullptr;
  for (const store::StoredArtifact& artifact : run.artifacts) {
    if (artifact.kind == store::ArtifactKind::kSeal) continue;
    auto check = run.decider.verifier().check_statement(artifact, run.scope());
    if (!check->valid) {
      run.check.report.notes.push_back(std::string(store::to_string(artifact.kind)) + " " +
                                       artifact.id + " ignored: " + check->error);
      continue;
    }
    switch (artifact.kind) {
      case store::ArtifactKind::kVex:
        run.vex.push_back(std::move(check));
        break;
      case store::ArtifactKind::kFindings:
        run.findings.push_back(std::move(check));
        break;
      case store::ArtifactKind::kSbom:
        if (newest_sbom == nullptr || store::newer_baseline(artifact, *newest_sbom)) {
          newest_sbom = &artifact;
          run.sbom = std::move(check);
        }
        break;
      case store::ArtifactKind::kSeal:
        break;
    }
  }
}

// --- Step 4: drift ---------------------------------------------------------

Result<std::optional<store::StoredArtifact>> pinned_baseline(ImageRun& run,
                                                             std::string_view facet_id) {
  const policy::Baseline& baseline = run.scope().baseline;
  if (!baseline.pinned_image_digest.empty()) {
    auto artifacts = run.decider.artifacts().for_image(baseline.pinned_image_digest);
    if (!artifacts) return artifacts.error();
    for (store::StoredArtifact& artifact : *artifacts) {
      if (artifact.kind == store::ArtifactKind::kSeal && artifact.facet_id == facet_id) {
        return std::optional<store::StoredArtifact>(std::move(artifact));
      }
    }
  }
  if (!baseline.pinned_seal_id.empty()) {
    auto seal = run.decider.artifacts().seal_by_id(baseline.pinned_seal_id);
    if (!seal) return seal.error();
    if (*seal && (*seal)->facet_id == facet_id) return seal;
  }
  return std::optional<store::StoredArtifact>();
}

Result<std::optional<store::StoredArtifact>> find_baseline(ImageRun& run,
                                                           std::string_view facet_id) {
  if (run.scope().baseline.rule == policy::BaselineRule::kPinned) {
    return pinned_baseline(run, facet_id);
  }
  return run.decider.artifacts().latest_approved_seal(run.reference.repository(), facet_id);
}

// The quota for a facet: the scope's definition, else the one sealed with it.
std::optional<facet::FacetQuota> quota_for(const ImageRun& run, const facet::FacetSeal& seal) {
  if (run.scope().facets) {
    if (const facet::FacetDefinition* definition =
            run.scope().facets->find(seal.manifest.facet_id)) {
      return definition->quota;
    }
  }
  return seal.quota;
}

std::string quota_key(const facet::FacetQuota& quota) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "%.17g|%lld|%lld|%lld|%d", quota.max_churn_percent,
                static_cast<long long>(quota.max_changed_files),
                static_cast<long long>(quota.max_added_files),
                static_cast<long long>(quota.max_removed_files), static_cast<int>(quota.on_exceed));
  return buffer;
}

std::shared_ptr<const DriftCheck> drift_of(ImageRun& run, const facet::VerifiedSeal& baseline,
                                           const facet::VerifiedSeal& current,
                                           const facet::FacetQuota& quota) {
  std::string key = baseline.seal.seal_id + "|" + current.seal.seal_id + "|" + quota_key(quota);
  if (auto cached = run.decider.drifts().find(key)) return cached;
  const facet::FacetDrift drift =
      facet::compute_drift(baseline.seal.manifest, current.seal.manifest, nullptr, nullptr);
  auto check = std::make_shared<DriftCheck>();
  check->score = drift.score;
  check->verdict = facet::evaluate_quota(current.seal.manifest.facet_id, drift.score, quota);
  return run.decider.drifts().insert(std::move(key), std::move(check));
}

// A valid VEX statement of the image that excuses its drift: not_affected with
// a justification, or fixed, naming the image (its oci purl) or no product.
const provcache::VexStatement* waiving_statement(const ImageRun& run) {
  auto purl = facet::oci_purl(run.reference.repository(), run.digest());
  const std::string image_key = purl ? provcache::purl_match_key(*purl) : std::string();
  for (const auto& check : run.vex) {
    for (const provcache::VexStatement& statement : check->vex->statements) {
      const bool status_ok = statement.status == provcache::VexStatus::kFixed ||
                             (statement.status == provcache::VexStatus::kNotAffected &&
                              !statement.justification.empty());
      if (!status_ok) continue;
      const bool names_image = statement.products.empty() ||
                               std::any_of(statement.products.begin(), statement.products.end(),
                                           [&](const std::string& product) {
                                             return !image_key.empty() &&
                                                    provcache::purl_match_key(product) == image_key;
                                           });
      if (names_image) return &statement;
    }
  }
  return nullptr;
}

Violation quota_violation(const ImageRun& run, const std::string& facet_id,
                          const facet::QuotaViolation& breach, facet::QuotaAction action) {
  Violation out = run.violation(ViolationKind::kFacetQuotaExceeded, facet_id, "");
  out.quota = QuotaBreach{breach.quota_field, breach.limit, breach.actual, action};
  return out;
}

void apply_quota_verdict(ImageRun& run, const std::string& facet_id,
                         const facet::QuotaVerdict& verdict) {
  const facet::QuotaAction action = verdict.recommended_action;
  if (action == facet::QuotaAction::kRequireVex) {
    if (const provcache::VexStatement* statement = waiving_statement(run)) {
      const std::string line = "container \"" + run.input.container.name + "\" image " +
                               run.input.container.image + ": facet " + facet_id +
                               ": drift over quota accepted by VEX statement " + statement->hash +
                               " (" + std::string(provcache::to_string(statement->status)) + ")";
      run.check.warnings.push_back(line);
      run.check.require_vex_outcomes.push_back(line);
      return;
    }
  }
  for (const facet::QuotaViolation& breach : verdict.violations) {
    Violation violation = quota_violation(run, facet_id, breach, action);
    if (action == facet::QuotaAction::kWarn) {
      run.check.warnings.push_back(violation.line());
      continue;
    }
    if (action == facet::QuotaAction::kRequireVex) {
      violation.detail =
          "no signed VEX statement (not_affected with a justification, or fixed) for the image";
    }
    run.check.report.violations.push_back(std::move(violation));
  }
}

void check_facet_drift(ImageRun& run, const facet::VerifiedSeal& current) {
  const std::string& facet_id = current.seal.manifest.facet_id;
  if (run.past_deadline("finding the baseline of facet " + facet_id)) return;
  auto baseline = find_baseline(run, facet_id);
  if (!baseline) {
    run.fail("artifact store unavailable: " + baseline.error().message);
    return;
  }
  if (!*baseline) {
    run.check.report.notes.push_back("facet " + facet_id + ": no baseline seal; drift not checked");
    return;
  }
  if ((*baseline)->seal_id == current.seal.seal_id || (*baseline)->image_digest == run.digest()) {
    return;  // the image is its own baseline
  }
  auto baseline_check = run.decider.verifier().check_seal(**baseline, run.scope());
  if (!baseline_check->valid()) {
    run.check.report.notes.push_back(
        "facet " + facet_id + ": baseline seal " + (*baseline)->seal_id +
        " does not verify; drift not checked: " + baseline_check->error);
    return;
  }
  const auto quota = quota_for(run, current.seal);
  if (!quota) {
    run.check.report.notes.push_back("facet " + facet_id + ": no quota; drift not checked");
    return;
  }
  auto drift = drift_of(run, *baseline_check->seal, current, *quota);
  if (!drift->verdict.passed) apply_quota_verdict(run, facet_id, drift->verdict);
}

// --- Steps 1-2 -------------------------------------------------------------

// Parses the reference and selects the scope; false when the image cannot be checked further.
bool resolve_reference(ImageRun& run) {
  const ImageCheckInput& input = run.input;
  auto reference = admission::parse_image_reference(input.container.image);
  if (!reference) {
    run.check.scope = &policy::select_scope(input.policy, input.namespace_name,
                                            input.namespace_labels, input.container.image);
    run.check.report.violations.push_back(
        run.violation(ViolationKind::kInvalidImage, "", reference.error().message));
    return false;
  }
  run.reference = std::move(*reference);
  run.check.report.normalized = run.reference.normalized();
  run.check.scope = &policy::select_scope(input.policy, input.namespace_name,
                                          input.namespace_labels, run.check.report.normalized);
  if (run.reference.has_digest()) return true;
  if (run.scope().require_digest) {
    run.check.report.violations.push_back(run.violation(
        ViolationKind::kDigestRequired, "", "image has no @sha256 digest (pin it by digest)"));
  } else {
    run.check.report.notes.push_back("image has no digest: seals and provcache not checked");
  }
  return false;
}

}  // namespace

ImageCheck check_image(Decider& decider, const ImageCheckInput& input) {
  ImageCheck check;
  check.report.container = input.container.name;
  check.report.image = input.container.image;
  ImageRun run{decider, input, check, {}, {}, {}, {}, {}, {}};
  if (resolve_reference(run) && load_artifacts(run)) {
    check_seals(run);
    collect_statements(run);
    for (const auto& seal : run.valid_seals) {
      if (check.failure) break;
      check_facet_drift(run, *seal->seal);
    }
    if (!check.failure) detail::check_provcache(run);
  }
  check.report.scope = check.scope->name;
  check.report.mode = std::string(policy::mode_name(check.scope->mode));
  return check;
}

}  // namespace zastava::decision
