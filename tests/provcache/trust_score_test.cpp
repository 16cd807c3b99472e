// Tests for provcache/trust_score: each component's formula at its edges and
// in between (expected points worked out by hand from the header's
// formulas), the rounded total, the breakdown and the input checks.
#include "provcache/trust_score.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zastava::provcache {
namespace {

constexpr std::int64_t kDay = 86400;

double points_of(const Result<TrustComponent>& component) {
  EXPECT_TRUE(component.ok()) << component.error().describe();
  return component.ok() ? component->points : -1.0;
}

void expect_invalid(const Result<TrustComponent>& component, const std::string& fragment) {
  ASSERT_FALSE(component.ok());
  EXPECT_EQ(component.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(component.error().message.find(fragment), std::string::npos)
      << component.error().message;
}

TrustInputs perfect_inputs() {
  TrustInputs inputs;
  inputs.reachability = {true, 10, 10, 1.0};
  inputs.sbom = {50, 50, 50, 50};
  inputs.vex = {4, 4, 4};
  inputs.policy = {0, 5 * kDay, 30, 180};
  inputs.signers = {2, 2, 2, true};
  return inputs;
}

TEST(TrustReachability, NoEvidenceEarnsNothing) {
  auto none = reachability_component({false, 10, 10, 1.0});
  EXPECT_DOUBLE_EQ(points_of(none), 0.0);
  EXPECT_NE(none->explanation.find("no reachability evidence"), std::string::npos);
  EXPECT_DOUBLE_EQ(points_of(reachability_component({true, 0, 0, 1.0})), 0.0);
}

TEST(TrustReachability, HalfEntryPointsHalfCoverage) {
  EXPECT_DOUBLE_EQ(points_of(reachability_component({true, 4, 4, 1.0})), 25.0);
  EXPECT_DOUBLE_EQ(points_of(reachability_component({true, 4, 0, 0.0})), 0.0);
  EXPECT_DOUBLE_EQ(points_of(reachability_component({true, 4, 2, 0.0})), 6.25);  // 25 * 0.5 * 0.5
  EXPECT_DOUBLE_EQ(points_of(reachability_component({true, 4, 4, 0.5})),
                   18.75);  // 25 * (0.5 + 0.25)
}

TEST(TrustReachability, RejectsImpossibleInputs) {
  expect_invalid(reachability_component({true, 2, 3, 0.5}), "exceed the total");
  expect_invalid(reachability_component({true, 2, 1, 1.5}), "coverage");
  expect_invalid(reachability_component({true, 2, 1, -0.1}), "coverage");
}

TEST(TrustSbom, WeightsPurlVersionLicenseAndHash) {
  EXPECT_DOUBLE_EQ(points_of(sbom_completeness_component({10, 10, 10, 10})), 20.0);
  EXPECT_DOUBLE_EQ(points_of(sbom_completeness_component({10, 10, 0, 0})), 12.0);  // 20 * 0.6
  EXPECT_DOUBLE_EQ(points_of(sbom_completeness_component({10, 0, 10, 0})), 4.0);   // 20 * 0.2
  EXPECT_DOUBLE_EQ(points_of(sbom_completeness_component({10, 0, 0, 10})), 4.0);
  EXPECT_DOUBLE_EQ(points_of(sbom_completeness_component({4, 2, 1, 0})), 7.0);  // 20 * (0.3 + 0.05)
  EXPECT_DOUBLE_EQ(points_of(sbom_completeness_component({10, 0, 0, 0})), 0.0);
}

TEST(TrustSbom, EmptySbomEarnsNothing) {
  auto empty = sbom_completeness_component({0, 0, 0, 0});
  EXPECT_DOUBLE_EQ(points_of(empty), 0.0);
  EXPECT_NE(empty->explanation.find("no components"), std::string::npos);
}

TEST(TrustSbom, RejectsPartsLargerThanTheWhole) {
  expect_invalid(sbom_completeness_component({3, 4, 0, 0}), "purl and version");
  expect_invalid(sbom_completeness_component({3, 0, 4, 0}), "license");
  expect_invalid(sbom_completeness_component({3, 0, 0, 4}), "hash");
}

TEST(TrustVex, JustifiedCountsFullyUnjustifiedHalf) {
  EXPECT_DOUBLE_EQ(points_of(vex_coverage_component({4, 4, 4})), 20.0);
  EXPECT_DOUBLE_EQ(points_of(vex_coverage_component({4, 4, 0})), 10.0);
  EXPECT_DOUBLE_EQ(points_of(vex_coverage_component({4, 0, 0})), 0.0);
  EXPECT_DOUBLE_EQ(points_of(vex_coverage_component({4, 3, 1})), 10.0);  // 20 * (1 + 0.5 * 2) / 4
}

TEST(TrustVex, NoFindingsIsFullCoverage) {
  auto none = vex_coverage_component({0, 0, 0});
  EXPECT_DOUBLE_EQ(points_of(none), 20.0);
  EXPECT_NE(none->explanation.find("no findings"), std::string::npos);
}

TEST(TrustVex, RejectsImpossibleInputs) {
  expect_invalid(vex_coverage_component({2, 3, 0}), "exceed the findings");
  expect_invalid(vex_coverage_component({4, 2, 3}), "justified");
}

TEST(TrustPolicy, FullWhenFreshNoneWhenStaleLinearBetween) {
  const auto at_age = [](std::int64_t seconds) {
    return points_of(policy_freshness_component({1'000'000, 1'000'000 + seconds, 30, 180}));
  };
  EXPECT_DOUBLE_EQ(at_age(0), 15.0);
  EXPECT_DOUBLE_EQ(at_age(30 * kDay), 15.0);
  EXPECT_DOUBLE_EQ(at_age(105 * kDay), 7.5);  // halfway from 30 to 180
  EXPECT_DOUBLE_EQ(at_age(150 * kDay), 3.0);  // 15 * 30 / 150
  EXPECT_DOUBLE_EQ(at_age(180 * kDay), 0.0);
  EXPECT_DOUBLE_EQ(at_age(400 * kDay), 0.0);
  EXPECT_LT(at_age(30 * kDay + 1), 15.0);
  EXPECT_GT(at_age(180 * kDay - 1), 0.0);
}

TEST(TrustPolicy, RejectsAFuturePolicyAndBadThresholds) {
  expect_invalid(policy_freshness_component({2000, 1000, 30, 180}), "after the evaluation");
  expect_invalid(policy_freshness_component({0, 1000, 30, 30}), "stale days");
  expect_invalid(policy_freshness_component({0, 1000, -1, 30}), "fresh days");
}

TEST(TrustSigners, ThresholdAndRotation) {
  EXPECT_DOUBLE_EQ(points_of(signer_trust_component({2, 2, 2, true})), 20.0);
  EXPECT_DOUBLE_EQ(points_of(signer_trust_component({3, 2, 3, true})),
                   20.0);  // over threshold caps
  EXPECT_DOUBLE_EQ(points_of(signer_trust_component({1, 2, 1, true})), 13.0);  // 20 * (0.35 + 0.3)
  EXPECT_DOUBLE_EQ(points_of(signer_trust_component({2, 2, 0, true})), 14.0);  // 20 * 0.7
  EXPECT_DOUBLE_EQ(points_of(signer_trust_component({2, 2, 1, true})), 17.0);  // 20 * (0.7 + 0.15)
}

TEST(TrustSigners, NoSignerOrABrokenChainEarnsNothing) {
  auto unsigned_image = signer_trust_component({0, 1, 0, true});
  EXPECT_DOUBLE_EQ(points_of(unsigned_image), 0.0);
  EXPECT_NE(unsigned_image->explanation.find("no verified signature"), std::string::npos);
  auto broken = signer_trust_component({2, 2, 2, false});
  EXPECT_DOUBLE_EQ(points_of(broken), 0.0);
  EXPECT_NE(broken->explanation.find("chain"), std::string::npos);
}

TEST(TrustSigners, RejectsImpossibleInputs) {
  expect_invalid(signer_trust_component({1, 0, 1, true}), "threshold");
  expect_invalid(signer_trust_component({1, 1, 2, true}), "rotation");
}

TEST(TrustScoreTotal, PerfectEvidenceScoresHundredWithABreakdown) {
  auto score = compute_trust_score(perfect_inputs());
  ASSERT_TRUE(score.ok()) << score.error().describe();
  EXPECT_EQ(score->score, 100);
  ASSERT_EQ(score->components.size(), 5u);
  const char* names[] = {"reachability", "sbom_completeness", "vex_coverage", "policy_freshness",
                         "signer_trust"};
  const double weights[] = {25, 20, 20, 15, 20};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(score->components[i].name, names[i]);
    EXPECT_DOUBLE_EQ(score->components[i].weight, weights[i]);
    EXPECT_DOUBLE_EQ(score->components[i].points, weights[i]);
    EXPECT_FALSE(score->components[i].explanation.empty());
  }
}

TEST(TrustScoreTotal, NoEvidenceAtAllScoresWhatIsLeft) {
  TrustInputs inputs;  // defaults: nothing known, no findings, policy just updated, no signers
  auto score = compute_trust_score(inputs);
  ASSERT_TRUE(score.ok()) << score.error().describe();
  EXPECT_EQ(score->score, 35);  // VEX 20 (nothing to cover) + policy 15
}

TEST(TrustScoreTotal, RoundsOnceAtTheEnd) {
  // Three components of 0.4 points: 1.2 rounds to 1, where rounding each
  // component first would give 0.
  TrustInputs inputs;
  inputs.reachability = {true, 125, 4, 0.0};  // 25 * 0.5 * 4 / 125 = 0.4
  inputs.sbom = {10, 0, 1, 0};                // 20 * 0.2 * 1 / 10 = 0.4
  inputs.vex = {50, 1, 1};                    // 20 * 1 / 50 = 0.4
  inputs.policy = {0, 180 * kDay, 30, 180};   // stale: 0
  inputs.signers = {0, 1, 0, true};           // unsigned: 0
  auto score = compute_trust_score(inputs);
  ASSERT_TRUE(score.ok()) << score.error().describe();
  EXPECT_EQ(score->score, 1);

  // 0.25 + 0.25 = 0.5 exactly, which rounds half away from zero to 1.
  inputs.reachability = {false, 0, 0, 0.0};
  inputs.sbom = {0, 0, 0, 0};
  inputs.vex = {40, 1, 0};                // 20 * 0.5 / 40 = 0.25
  inputs.policy = {0, 59 * kDay, 0, 60};  // 15 * 1 / 60 = 0.25
  score = compute_trust_score(inputs);
  ASSERT_TRUE(score.ok()) << score.error().describe();
  EXPECT_DOUBLE_EQ(score->components[2].points + score->components[3].points, 0.5);
  EXPECT_EQ(score->score, 1);
}

TEST(TrustScoreTotal, ASingleBadComponentFailsTheScore) {
  TrustInputs inputs = perfect_inputs();
  inputs.signers.required_signers = 0;
  auto score = compute_trust_score(inputs);
  ASSERT_FALSE(score.ok());
  EXPECT_NE(score.error().message.find("signer_trust"), std::string::npos) << score.error().message;
}

}  // namespace
}  // namespace zastava::provcache
