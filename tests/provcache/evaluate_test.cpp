// Tests for provcache/evaluate: the gate's rule case by case, then once on
// the realistic documents in tests/data/provcache.

#include "provcache/evaluate.hpp"

#include <gtest/gtest.h>

#include "test_files.hpp"

namespace zastava::provcache {
namespace {

using testing::read_test_file;

constexpr const char* kOpenssl = "pkg:apk/alpine/openssl@3.3.2-r1";

Finding critical(std::string id = "CVE-2024-9143", std::string purl = kOpenssl) {
  return Finding{std::move(id), std::move(purl), "CRITICAL", "affected", "grype"};
}

VexStatement statement(VexStatus status,
                       std::vector<std::string> products = {std::string(kOpenssl)},
                       std::string justification = "", std::string impact = "") {
  VexStatement out;
  out.vulnerability_ids = {"CVE-2024-9143"};
  out.products = std::move(products);
  out.status = status;
  out.justification = std::move(justification);
  out.impact_statement = std::move(impact);
  return out;
}

std::vector<VexDocument> vex_of(std::vector<VexStatement> statements) {
  VexDocument document;
  document.statements = std::move(statements);
  return {document};
}

bool any_reason_contains(const GateResult& result, std::string_view text) {
  for (const std::string& reason : result.reasons) {
    if (reason.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Gate, CriticalAffectedDenies) {
  const std::vector<Finding> findings = {critical()};
  const GateResult result = evaluate_gate(nullptr, {}, findings);
  EXPECT_EQ(result.verdict, Verdict::kDeny);
  EXPECT_EQ(result.critical_affected, 1U);
  ASSERT_EQ(result.reasons.size(), 1U);
  EXPECT_NE(result.reasons[0].find("CVE-2024-9143"), std::string::npos) << result.reasons[0];
  EXPECT_NE(result.reasons[0].find(kOpenssl), std::string::npos) << result.reasons[0];
  EXPECT_EQ(result.reasons[0].find('\n'), std::string::npos);
  EXPECT_EQ(result.rule_ids, (std::vector<std::string>{"stella.gate/critical-affected/v1"}));
  ASSERT_EQ(result.findings.size(), 1U);
  EXPECT_EQ(result.findings[0].status, "affected");
  EXPECT_FALSE(result.findings[0].waived);
}

TEST(Gate, NotAffectedWithJustificationWaives) {
  const std::vector<Finding> findings = {critical()};
  const auto vex =
      vex_of({statement(VexStatus::kNotAffected, {kOpenssl}, "vulnerable_code_not_present")});
  const GateResult result = evaluate_gate(nullptr, vex, findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
  EXPECT_EQ(result.critical_affected, 0U);
  EXPECT_TRUE(result.reasons.empty());
  ASSERT_EQ(result.findings.size(), 1U);
  EXPECT_EQ(result.findings[0].status, "not_affected");
  EXPECT_TRUE(result.findings[0].waived);
  EXPECT_EQ(result.findings[0].waiver_justification, "vulnerable_code_not_present");
}

TEST(Gate, NotAffectedWithOnlyAnImpactStatementWaives) {
  const std::vector<Finding> findings = {critical()};
  const auto vex = vex_of({statement(VexStatus::kNotAffected, {kOpenssl}, "", "never called")});
  const GateResult result = evaluate_gate(nullptr, vex, findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
  ASSERT_EQ(result.findings.size(), 1U);
  EXPECT_TRUE(result.findings[0].waived);
  EXPECT_EQ(result.findings[0].waiver_justification, "never called");
}

TEST(Gate, NotAffectedWithoutJustificationDoesNotWaive) {
  const std::vector<Finding> findings = {critical()};
  const auto vex = vex_of({statement(VexStatus::kNotAffected)});
  const GateResult result = evaluate_gate(nullptr, vex, findings);
  EXPECT_EQ(result.verdict, Verdict::kDeny);
  EXPECT_EQ(result.critical_affected, 1U);
  ASSERT_EQ(result.reasons.size(), 1U);
  EXPECT_NE(result.reasons[0].find("no justification or impact statement"), std::string::npos)
      << result.reasons[0];
  EXPECT_NE(result.reasons[0].find("does not waive"), std::string::npos) << result.reasons[0];
  EXPECT_FALSE(result.findings[0].waived);
}

TEST(Gate, FixedAllows) {
  const std::vector<Finding> findings = {critical()};
  const auto vex = vex_of({statement(VexStatus::kFixed)});
  const GateResult result = evaluate_gate(nullptr, vex, findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
  EXPECT_EQ(result.findings[0].status, "fixed");
  EXPECT_FALSE(result.findings[0].waived);
}

TEST(Gate, UnderInvestigationIsCountedAndDoesNotDeny) {
  const std::vector<Finding> findings = {
      critical(),
      Finding{"CVE-2024-43796", "pkg:npm/express@4.21.1", "LOW", "under_investigation", "list"},
  };
  const auto vex = vex_of({statement(VexStatus::kUnderInvestigation)});
  const GateResult result = evaluate_gate(nullptr, vex, findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
  EXPECT_EQ(result.under_investigation, 2U);
  EXPECT_EQ(result.critical_affected, 0U);
}

TEST(Gate, HighAffectedAllows) {
  const std::vector<Finding> findings = {
      Finding{"CVE-2021-23337", "pkg:npm/lodash@4.17.20", "HIGH", "affected", "grype"}};
  const GateResult result = evaluate_gate(nullptr, {}, findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
  EXPECT_EQ(result.critical_affected, 0U);
  EXPECT_TRUE(result.reasons.empty());
  EXPECT_EQ(result.findings[0].status, "affected");
}

TEST(Gate, ProductMismatchDoesNotWaive) {
  const std::vector<Finding> findings = {critical()};
  const auto vex = vex_of({statement(VexStatus::kNotAffected, {"pkg:apk/alpine/openssl@3.1.0-r0"},
                                     "component_not_present")});
  const GateResult result = evaluate_gate(nullptr, vex, findings);
  EXPECT_EQ(result.verdict, Verdict::kDeny);
  EXPECT_FALSE(result.findings[0].waived);
  EXPECT_TRUE(any_reason_contains(result, "not waived by VEX"));
}

TEST(Gate, VulnerabilityMismatchDoesNotWaive) {
  const std::vector<Finding> findings = {critical("CVE-2024-0001")};
  const auto vex =
      vex_of({statement(VexStatus::kNotAffected, {kOpenssl}, "component_not_present")});
  EXPECT_EQ(evaluate_gate(nullptr, vex, findings).verdict, Verdict::kDeny);
}

TEST(Gate, AliasMatchesAndQualifiersAreIgnored) {
  const std::vector<Finding> findings = {
      critical("GHSA-xxxx-9143", "pkg:apk/alpine/openssl@3.3.2-r1?arch=x86_64")};
  VexStatement waiver =
      statement(VexStatus::kNotAffected, {"pkg:apk/alpine/openssl@3.3.2-r1?distro=alpine-3.20"},
                "inline_mitigations_already_exist");
  waiver.vulnerability_ids.push_back("GHSA-xxxx-9143");
  const GateResult result = evaluate_gate(nullptr, vex_of({waiver}), findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
  EXPECT_TRUE(result.findings[0].waived);
}

TEST(Gate, StatementWithoutProductsAppliesToEveryComponent) {
  const std::vector<Finding> findings = {critical()};
  const GateResult result = evaluate_gate(
      nullptr, vex_of({statement(VexStatus::kNotAffected, {}, "component_not_present")}), findings);
  EXPECT_EQ(result.verdict, Verdict::kAllow);
}

TEST(Gate, ProductNamingTheImageAppliesThroughTheSbom) {
  Sbom sbom;
  sbom.metadata_component =
      SbomComponent{"image", "container", "payments", "", "pkg:oci/payments@sha256:abc?tag=1"};
  const std::vector<Finding> findings = {critical()};
  const auto vex = vex_of({statement(VexStatus::kNotAffected, {"pkg:oci/payments@sha256%3Aabc"},
                                     "component_not_present")});
  EXPECT_EQ(evaluate_gate(&sbom, vex, findings).verdict, Verdict::kAllow);
  EXPECT_EQ(evaluate_gate(nullptr, vex, findings).verdict, Verdict::kDeny);  // no image to match
}

TEST(Gate, LastApplicableStatementWins) {
  const std::vector<Finding> findings = {critical()};
  const auto waived_then_affected =
      vex_of({statement(VexStatus::kNotAffected, {kOpenssl}, "component_not_present"),
              statement(VexStatus::kAffected)});
  EXPECT_EQ(evaluate_gate(nullptr, waived_then_affected, findings).verdict, Verdict::kDeny);
  const auto affected_then_waived =
      vex_of({statement(VexStatus::kAffected),
              statement(VexStatus::kNotAffected, {kOpenssl}, "component_not_present")});
  EXPECT_EQ(evaluate_gate(nullptr, affected_then_waived, findings).verdict, Verdict::kAllow);
}

TEST(Gate, MergesFeedsSortsFindingsAndFeedIds) {
  const std::vector<Finding> findings = {
      Finding{"CVE-2024-9143", kOpenssl, "HIGH", "fixed", "trivy"},
      Finding{"CVE-2021-23337", "pkg:npm/lodash@4.17.20", "HIGH", "affected", "grype"},
      Finding{"CVE-2024-9143", kOpenssl, "CRITICAL", "affected", "grype"},
  };
  const GateResult result = evaluate_gate(nullptr, {}, findings);
  EXPECT_EQ(result.feed_ids, (std::vector<std::string>{"grype", "trivy"}));
  ASSERT_EQ(result.findings.size(), 2U);
  EXPECT_EQ(result.findings[0].vulnerability_id, "CVE-2021-23337");
  EXPECT_EQ(result.findings[1].vulnerability_id, "CVE-2024-9143");
  EXPECT_EQ(result.findings[1].severity, "CRITICAL");
  EXPECT_EQ(result.findings[1].status, "affected");
  EXPECT_EQ(result.critical_affected, 1U);
  EXPECT_EQ(result.verdict, Verdict::kDeny);
}

TEST(Gate, PurlMatchKey) {
  EXPECT_EQ(purl_match_key("pkg:oci/app@sha256%3Aab?repository_url=r#sub"),
            "pkg:oci/app@sha256:ab");
  EXPECT_EQ(purl_match_key("pkg:npm/%40scope/x@1"), "pkg:npm/@scope/x@1");
  EXPECT_EQ(purl_match_key("pkg:npm/x@1%"), "pkg:npm/x@1%");  // a stray % is kept
}

TEST(Gate, RealisticEvidence) {
  auto sbom = parse_cyclonedx(read_test_file("sbom_cdx16.json"));
  auto vex = parse_openvex(read_test_file("openvex_v020.json"));
  auto sarif = parse_sarif(read_test_file("findings_sarif.json"));
  ASSERT_TRUE(sbom.ok() && vex.ok() && sarif.ok());
  const std::vector<VexDocument> documents = {*vex};

  // The openssl CRITICAL is waived through the statement's subcomponent.
  const GateResult waived = evaluate_gate(&*sbom, documents, *sarif);
  EXPECT_EQ(waived.verdict, Verdict::kAllow);
  EXPECT_EQ(waived.feed_ids, (std::vector<std::string>{"grype", "osv-scanner"}));
  ASSERT_EQ(waived.findings.size(), 5U);
  EXPECT_EQ(waived.findings[1].vulnerability_id, "CVE-2023-42366");
  EXPECT_EQ(waived.findings[1].status, "fixed");  // a statement without products
  EXPECT_EQ(waived.findings[2].vulnerability_id, "CVE-2024-9143");
  EXPECT_TRUE(waived.findings[2].waived);
  EXPECT_EQ(waived.findings[2].waiver_justification, "vulnerable_code_not_in_execute_path");

  // Without the VEX the same findings deny.
  const GateResult unwaived = evaluate_gate(&*sbom, {}, *sarif);
  EXPECT_EQ(unwaived.verdict, Verdict::kDeny);
  EXPECT_EQ(unwaived.critical_affected, 1U);
}

}  // namespace
}  // namespace zastava::provcache
