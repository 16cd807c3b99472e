// Tests for provcache/findings: SARIF 2.1.0 and the simple JSON list, the
// CVSS severity bands and every rejection.

#include "provcache/findings.hpp"

#include <gtest/gtest.h>

#include "test_files.hpp"

namespace zastava::provcache {
namespace {

using testing::read_test_file;

TEST(Findings, CvssBands) {
  EXPECT_EQ(severity_from_cvss(10.0), "CRITICAL");
  EXPECT_EQ(severity_from_cvss(9.0), "CRITICAL");
  EXPECT_EQ(severity_from_cvss(8.9), "HIGH");
  EXPECT_EQ(severity_from_cvss(7.0), "HIGH");
  EXPECT_EQ(severity_from_cvss(6.9), "MEDIUM");
  EXPECT_EQ(severity_from_cvss(4.0), "MEDIUM");
  EXPECT_EQ(severity_from_cvss(3.9), "LOW");
  EXPECT_EQ(severity_from_cvss(0.1), "LOW");
  EXPECT_EQ(severity_from_cvss(0.0), "UNKNOWN");
}

TEST(Findings, ReadsSarifFromTwoTools) {
  auto findings = parse_sarif(read_test_file("findings_sarif.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().describe();
  ASSERT_EQ(findings->size(), 5U);

  const Finding& openssl = (*findings)[0];
  EXPECT_EQ(openssl.id, "CVE-2024-9143");
  EXPECT_EQ(openssl.severity, "CRITICAL");  // the rule's security-severity "9.8"
  EXPECT_EQ(openssl.purl, "pkg:apk/alpine/openssl@3.3.2-r1?arch=x86_64&distro=alpine-3.20.3");
  EXPECT_EQ(openssl.status, "affected");
  EXPECT_EQ(openssl.feed_id, "grype");

  EXPECT_EQ((*findings)[1].severity, "HIGH");  // rule 7.2
  EXPECT_EQ((*findings)[1].purl, "pkg:npm/lodash@4.17.20");
  EXPECT_EQ((*findings)[2].severity, "LOW");  // the result's own 3.1 beats the rule's 5.5
  EXPECT_EQ((*findings)[2].purl, "pkg:apk/alpine/busybox@1.36.1-r29");

  EXPECT_EQ((*findings)[3].id, "GHSA-rv95-896h-c2vc");
  EXPECT_EQ((*findings)[3].severity, "MEDIUM");              // the word "medium"
  EXPECT_EQ((*findings)[3].purl, "pkg:npm/express@4.21.1");  // logicalLocations[].name
  EXPECT_EQ((*findings)[3].feed_id, "osv-scanner");
  EXPECT_EQ((*findings)[4].id, "CVE-2099-0001");  // from result.rule.id
  EXPECT_EQ((*findings)[4].severity, "UNKNOWN");
  EXPECT_EQ((*findings)[4].purl, "");
}

TEST(Findings, SarifRunWithoutResultsHasNoFindings) {
  auto findings =
      parse_sarif(R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "trivy"}}}]})");
  ASSERT_TRUE(findings.ok()) << findings.error().describe();
  EXPECT_TRUE(findings->empty());
}

TEST(Findings, ReadsTheSimpleList) {
  auto findings = parse_findings_list(read_test_file("findings_list.json"), "scanner-export");
  ASSERT_TRUE(findings.ok()) << findings.error().describe();
  ASSERT_EQ(findings->size(), 3U);
  EXPECT_EQ((*findings)[0].id, "CVE-2024-9143");
  EXPECT_EQ((*findings)[0].severity, "CRITICAL");
  EXPECT_EQ((*findings)[0].status, "affected");  // the default
  EXPECT_EQ((*findings)[0].feed_id, "scanner-export");
  EXPECT_EQ((*findings)[1].severity, "LOW");
  EXPECT_EQ((*findings)[1].status, "under_investigation");
  EXPECT_EQ((*findings)[2].severity, "MEDIUM");
  EXPECT_EQ((*findings)[2].status, "fixed");
}

struct Rejection {
  const char* name;
  const char* document;
  ErrorCode code;
  const char* message_part;
};

class SarifRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(SarifRejects, WithAReason) {
  const Rejection& rejection = GetParam();
  auto findings = parse_sarif(rejection.document);
  ASSERT_FALSE(findings.ok()) << rejection.name;
  EXPECT_EQ(findings.error().code, rejection.code) << findings.error().describe();
  EXPECT_NE(findings.error().message.find(rejection.message_part), std::string::npos)
      << findings.error().message;
  EXPECT_TRUE(findings.error().message.starts_with("SARIF log")) << findings.error().message;
}

#define SARIF_RESULTS(results)                                                                     \
  "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"t\"}},\"results\":[" results \
  "]}]}"

INSTANTIATE_TEST_SUITE_P(
    Malformed, SarifRejects,
    ::testing::Values(
        Rejection{"NotJson", "{", ErrorCode::kParse, ""},
        Rejection{"NoVersion", R"({"runs": []})", ErrorCode::kParse, "/version: missing"},
        Rejection{"Version1", R"({"version": "1.0.0", "runs": []})", ErrorCode::kUnsupported,
                  "\"1.0.0\" is not supported (expected 2.1.0)"},
        Rejection{"NoRuns", R"({"version": "2.1.0"})", ErrorCode::kParse, "/runs: missing"},
        Rejection{"NoTool", R"({"version": "2.1.0", "runs": [{"results": []}]})", ErrorCode::kParse,
                  "/runs/0/tool: missing"},
        Rejection{"NoDriverName", R"({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})",
                  ErrorCode::kParse, "/runs/0/tool/driver/name: missing"},
        Rejection{
            "ResultsObject",
            R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": {}}]})",
            ErrorCode::kParse, "/runs/0/results: expected an array"},
        Rejection{"NoRuleId", SARIF_RESULTS(R"({"message": {"text": "x"}})"), ErrorCode::kParse,
                  "/runs/0/results/0/ruleId: missing"},
        Rejection{
            "BadScore",
            SARIF_RESULTS(R"({"ruleId": "CVE-1", "properties": {"security-severity": "high"}})"),
            ErrorCode::kParse,
            "/runs/0/results/0/properties/security-severity: \"high\" is not a CVSS score"},
        Rejection{"ScoreOutOfRange",
                  SARIF_RESULTS(R"({"ruleId": "CVE-1", "properties": {"security-severity": 11}})"),
                  ErrorCode::kParse, "between 0 and 10"},
        Rejection{"BadSeverityWord",
                  SARIF_RESULTS(R"({"ruleId": "CVE-1", "properties": {"severity": "urgent"}})"),
                  ErrorCode::kParse, "\"urgent\" is not a severity"},
        Rejection{"LocationsObject", SARIF_RESULTS(R"({"ruleId": "CVE-1", "locations": {}})"),
                  ErrorCode::kParse, "/runs/0/results/0/locations: expected an array"}),
    [](const ::testing::TestParamInfo<Rejection>& test) { return std::string(test.param.name); });

class FindingsListRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(FindingsListRejects, WithAReason) {
  const Rejection& rejection = GetParam();
  auto findings = parse_findings_list(rejection.document, "feed");
  ASSERT_FALSE(findings.ok()) << rejection.name;
  EXPECT_EQ(findings.error().code, rejection.code) << findings.error().describe();
  EXPECT_NE(findings.error().message.find(rejection.message_part), std::string::npos)
      << findings.error().message;
  EXPECT_TRUE(findings.error().message.starts_with("findings list")) << findings.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, FindingsListRejects,
    ::testing::Values(
        Rejection{"NotJson", "[", ErrorCode::kParse, ""},
        Rejection{"NotAnArray", R"({"id": "CVE-1"})", ErrorCode::kParse, "/: expected an array"},
        Rejection{"EntryNotObject", R"(["CVE-1"])", ErrorCode::kParse, "/0: expected an object"},
        Rejection{"NoId", R"([{"severity": "HIGH"}])", ErrorCode::kParse, "/0/id: missing"},
        Rejection{"NoSeverity", R"([{"id": "CVE-1"}])", ErrorCode::kParse, "/0/severity: missing"},
        Rejection{"BadSeverity", R"([{"id": "CVE-1", "severity": "severe"}])", ErrorCode::kParse,
                  "/0/severity: \"severe\" is not a severity"},
        Rejection{"BadStatus", R"([{"id": "CVE-1", "severity": "LOW", "status": "open"}])",
                  ErrorCode::kParse, "/0/status: \"open\" is not one of"},
        Rejection{"PurlNotString", R"([{"id": "CVE-1", "severity": "LOW", "purl": 1}])",
                  ErrorCode::kParse, "/0/purl: expected a string"}),
    [](const ::testing::TestParamInfo<Rejection>& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace zastava::provcache
