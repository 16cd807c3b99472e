#pragma once
// Trust score (seed 000): 0-100, how much evidence stands behind a decision.
// Five weighted components; each yields points in [0, weight] as a double,
// and the total is rounded once, at the end (std::lround, halves away from
// zero), so per-component rounding never adds up to a wrong total. Every
// component explains its points, so a denial can say why trust was low.
//
// Reachability (25). Inputs: whether reachability evidence exists, entry
// points analyzed / total, and call-graph coverage (0..1, the fraction of the
// call graph the analysis reached).
//   points = 25 * (0.5 * analyzed / total + 0.5 * coverage)
//   0 when there is no reachability evidence or total == 0: without a call
//   graph nothing is known about reachability, and unknown earns nothing.
//
// SBOM completeness (20). Inputs: component count, and how many components
// have a purl and a version, license data, a hash.
//   points = 20 * (0.6 * with_purl_and_version + 0.2 * with_license
//                  + 0.2 * with_hash) / total
//   0 for an SBOM with no components (an empty SBOM proves nothing).
//
// VEX coverage (20). Inputs: findings, how many a VEX statement covers, and
// how many of those statements carry a justification (or impact statement).
// A justified statement counts fully, an unjustified one half:
//   points = 20 * (justified + 0.5 * (covered - justified)) / findings
//   Full 20 when there are no findings: there is nothing left to cover.
//
// Policy freshness (15). Inputs: when the policy was last updated, when the
// decision is made, and two ages in days, fresh (default 30) and stale
// (default 180).
//   age <= fresh: 15;  age >= stale: 0;
//   between: 15 * (stale - age) / (stale - fresh)   (linear decay)
//
// Signer trust (20). Inputs: verified signatures by trusted signers, the
// required threshold, how many of the verified keys are within their rotation
// period (key age), and whether every certificate chain validated.
//   points = 20 * (0.7 * min(verified / required, 1)
//                  + 0.3 * within_rotation / verified)   (0 when verified == 0)
//   0 when a chain is invalid: a broken chain voids every signature.
//
// Invalid inputs (a part larger than its whole, a fraction outside 0..1, a
// policy dated after the decision, fresh >= stale, a zero threshold) are
// kInvalidArgument naming the component and field.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace zastava::provcache {

struct ReachabilityInputs {
  bool has_evidence = false;
  std::uint64_t entry_points_total = 0;
  std::uint64_t entry_points_analyzed = 0;
  double call_graph_coverage = 0.0;  // 0..1
};

struct SbomCompletenessInputs {
  std::uint64_t components_total = 0;
  std::uint64_t with_purl_and_version = 0;
  std::uint64_t with_license = 0;
  std::uint64_t with_hash = 0;
};

struct VexCoverageInputs {
  std::uint64_t findings_total = 0;
  std::uint64_t covered_by_statement = 0;
  std::uint64_t covered_with_justification = 0;  // a subset of covered_by_statement
};

struct PolicyFreshnessInputs {
  std::int64_t policy_updated_at_seconds = 0;  // Unix seconds
  std::int64_t evaluated_at_seconds = 0;
  std::int64_t fresh_days = 30;
  std::int64_t stale_days = 180;
};

struct SignerTrustInputs {
  std::uint64_t verified_trusted_signers = 0;
  std::uint64_t required_signers = 1;
  std::uint64_t keys_within_rotation_period = 0;  // of the verified ones
  bool chains_valid = true;
};

struct TrustInputs {
  ReachabilityInputs reachability;
  SbomCompletenessInputs sbom;
  VexCoverageInputs vex;
  PolicyFreshnessInputs policy;
  SignerTrustInputs signers;
};

inline constexpr double kReachabilityWeight = 25.0;
inline constexpr double kSbomCompletenessWeight = 20.0;
inline constexpr double kVexCoverageWeight = 20.0;
inline constexpr double kPolicyFreshnessWeight = 15.0;
inline constexpr double kSignerTrustWeight = 20.0;

struct TrustComponent {
  std::string name;  // "reachability", "sbom_completeness", "vex_coverage", "policy_freshness",
                     // "signer_trust"
  double weight = 0.0;
  double points = 0.0;  // in [0, weight], not rounded
  std::string explanation;
};

struct TrustScore {
  int score = 0;                           // 0..100: the rounded sum of the points
  std::vector<TrustComponent> components;  // in the order above
};

Result<TrustComponent> reachability_component(const ReachabilityInputs& inputs);
Result<TrustComponent> sbom_completeness_component(const SbomCompletenessInputs& inputs);
Result<TrustComponent> vex_coverage_component(const VexCoverageInputs& inputs);
Result<TrustComponent> policy_freshness_component(const PolicyFreshnessInputs& inputs);
Result<TrustComponent> signer_trust_component(const SignerTrustInputs& inputs);

Result<TrustScore> compute_trust_score(const TrustInputs& inputs);

}  // namespace zastava::provcache
