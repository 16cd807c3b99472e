#include "provcache/trust_score.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

namespace zastava::provcache {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

Error invalid(std::string_view component, const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument,
                    "trust score: " + std::string(component) + ": " + message);
}

// "a of b" counts, for explanations.
std::string of(std::uint64_t part, std::uint64_t whole) {
  return std::to_string(part) + "/" + std::to_string(whole);
}

std::string format_points(double points) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", points);
  return buffer;
}

double ratio(std::uint64_t part, std::uint64_t whole) {
  return static_cast<double>(part) / static_cast<double>(whole);
}

TrustComponent component(std::string name, double weight, double points, std::string why) {
  return TrustComponent{
      std::move(name), weight, points,
      format_points(points) + "/" + format_points(weight) + ": " + std::move(why)};
}

}  // namespace

Result<TrustComponent> reachability_component(const ReachabilityInputs& in) {
  constexpr std::string_view kName = "reachability";
  if (in.entry_points_analyzed > in.entry_points_total) {
    return invalid(kName, "entry points analyzed (" + std::to_string(in.entry_points_analyzed) +
                              ") exceed the total (" + std::to_string(in.entry_points_total) + ")");
  }
  if (!(in.call_graph_coverage >= 0.0 && in.call_graph_coverage <= 1.0)) {
    return invalid(kName, "call-graph coverage must be within 0..1");
  }
  if (!in.has_evidence || in.entry_points_total == 0) {
    return component(std::string(kName), kReachabilityWeight, 0.0,
                     "no reachability evidence (no call graph or no entry points)");
  }
  const double points =
      kReachabilityWeight *
      (0.5 * ratio(in.entry_points_analyzed, in.entry_points_total) + 0.5 * in.call_graph_coverage);
  return component(std::string(kName), kReachabilityWeight, points,
                   of(in.entry_points_analyzed, in.entry_points_total) +
                       " entry points analyzed, " + format_points(in.call_graph_coverage * 100.0) +
                       "% call-graph coverage");
}

Result<TrustComponent> sbom_completeness_component(const SbomCompletenessInputs& in) {
  constexpr std::string_view kName = "sbom_completeness";
  const std::pair<std::string_view, std::uint64_t> parts[] = {
      {"components with purl and version", in.with_purl_and_version},
      {"components with license", in.with_license},
      {"components with hash", in.with_hash},
  };
  for (const auto& [what, count] : parts) {
    if (count > in.components_total) {
      return invalid(kName, std::string(what) + " (" + std::to_string(count) +
                                ") exceed the component count (" +
                                std::to_string(in.components_total) + ")");
    }
  }
  if (in.components_total == 0) {
    return component(std::string(kName), kSbomCompletenessWeight, 0.0,
                     "the SBOM lists no components");
  }
  const double fraction = 0.6 * ratio(in.with_purl_and_version, in.components_total) +
                          0.2 * ratio(in.with_license, in.components_total) +
                          0.2 * ratio(in.with_hash, in.components_total);
  return component(std::string(kName), kSbomCompletenessWeight, kSbomCompletenessWeight * fraction,
                   of(in.with_purl_and_version, in.components_total) +
                       " components with purl and version, " +
                       of(in.with_license, in.components_total) + " with license, " +
                       of(in.with_hash, in.components_total) + " with hash");
}

Result<TrustComponent> vex_coverage_component(const VexCoverageInputs& in) {
  constexpr std::string_view kName = "vex_coverage";
  if (in.covered_by_statement > in.findings_total) {
    return invalid(kName, "covered findings (" + std::to_string(in.covered_by_statement) +
                              ") exceed the findings (" + std::to_string(in.findings_total) + ")");
  }
  if (in.covered_with_justification > in.covered_by_statement) {
    return invalid(kName, "justified statements (" + std::to_string(in.covered_with_justification) +
                              ") exceed the covered findings (" +
                              std::to_string(in.covered_by_statement) + ")");
  }
  if (in.findings_total == 0) {
    return component(std::string(kName), kVexCoverageWeight, kVexCoverageWeight,
                     "no findings, nothing for VEX to cover");
  }
  const double unjustified =
      static_cast<double>(in.covered_by_statement - in.covered_with_justification);
  const double credit = static_cast<double>(in.covered_with_justification) + 0.5 * unjustified;
  return component(std::string(kName), kVexCoverageWeight,
                   kVexCoverageWeight * credit / static_cast<double>(in.findings_total),
                   of(in.covered_by_statement, in.findings_total) + " findings covered by VEX, " +
                       std::to_string(in.covered_with_justification) + " with a justification");
}

Result<TrustComponent> policy_freshness_component(const PolicyFreshnessInputs& in) {
  constexpr std::string_view kName = "policy_freshness";
  if (in.fresh_days < 0 || in.stale_days <= in.fresh_days) {
    return invalid(kName, "need 0 <= fresh days (" + std::to_string(in.fresh_days) +
                              ") < stale days (" + std::to_string(in.stale_days) + ")");
  }
  if (in.policy_updated_at_seconds > in.evaluated_at_seconds) {
    return invalid(kName, "the policy was updated after the evaluation time (clock skew?)");
  }
  const double age_days =
      static_cast<double>(in.evaluated_at_seconds - in.policy_updated_at_seconds) / kSecondsPerDay;
  const auto fresh = static_cast<double>(in.fresh_days);
  const auto stale = static_cast<double>(in.stale_days);
  double points = 0.0;
  if (age_days <= fresh) {
    points = kPolicyFreshnessWeight;
  } else if (age_days < stale) {
    points = kPolicyFreshnessWeight * (stale - age_days) / (stale - fresh);
  }
  return component(std::string(kName), kPolicyFreshnessWeight, points,
                   "policy updated " + format_points(age_days) + " days ago (full within " +
                       std::to_string(in.fresh_days) + ", none from " +
                       std::to_string(in.stale_days) + ")");
}

Result<TrustComponent> signer_trust_component(const SignerTrustInputs& in) {
  constexpr std::string_view kName = "signer_trust";
  if (in.required_signers == 0)
    return invalid(kName, "the required signer threshold must be at least 1");
  if (in.keys_within_rotation_period > in.verified_trusted_signers) {
    return invalid(kName, "keys within rotation (" +
                              std::to_string(in.keys_within_rotation_period) +
                              ") exceed the verified signers (" +
                              std::to_string(in.verified_trusted_signers) + ")");
  }
  if (!in.chains_valid) {
    return component(std::string(kName), kSignerTrustWeight, 0.0,
                     "a certificate chain did not validate");
  }
  if (in.verified_trusted_signers == 0) {
    return component(std::string(kName), kSignerTrustWeight, 0.0,
                     "no verified signature by a trusted signer (0/" +
                         std::to_string(in.required_signers) + " required)");
  }
  const double threshold = std::min(1.0, ratio(in.verified_trusted_signers, in.required_signers));
  const double rotation = ratio(in.keys_within_rotation_period, in.verified_trusted_signers);
  return component(std::string(kName), kSignerTrustWeight,
                   kSignerTrustWeight * (0.7 * threshold + 0.3 * rotation),
                   of(in.verified_trusted_signers, in.required_signers) +
                       " required trusted signers verified, " +
                       of(in.keys_within_rotation_period, in.verified_trusted_signers) +
                       " keys within their rotation period");
}

Result<TrustScore> compute_trust_score(const TrustInputs& inputs) {
  Result<TrustComponent> components[] = {
      reachability_component(inputs.reachability), sbom_completeness_component(inputs.sbom),
      vex_coverage_component(inputs.vex),          policy_freshness_component(inputs.policy),
      signer_trust_component(inputs.signers),
  };
  TrustScore score;
  double total = 0.0;
  for (auto& part : components) {
    if (!part) return part.error();
    total += part->points;
    score.components.push_back(std::move(*part));
  }
  score.score = static_cast<int>(std::clamp(std::lround(total), 0L, 100L));
  return score;
}

}  // namespace zastava::provcache
