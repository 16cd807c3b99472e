// Tests for provcache/openvex: v0.2.0 and older documents, statement hashes
// and every rejection.

#include "provcache/openvex.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "test_files.hpp"

namespace zastava::provcache {
namespace {

using testing::read_test_file;

TEST(OpenVex, ReadsAV020Document) {
  auto vex = parse_openvex(read_test_file("openvex_v020.json"));
  ASSERT_TRUE(vex.ok()) << vex.error().describe();
  EXPECT_EQ(vex->id, "https://vex.example.com/payments/2026-11-20-1");
  EXPECT_EQ(vex->author, "Payments Security <security@example.com>");
  EXPECT_EQ(vex->timestamp, "2026-11-20T11:00:00Z");
  ASSERT_EQ(vex->statements.size(), 4U);

  const VexStatement& openssl = vex->statements[0];
  EXPECT_EQ(
      openssl.vulnerability_ids,
      (std::vector<std::string>{"CVE-2024-9143", "https://nvd.nist.gov/vuln/detail/CVE-2024-9143",
                                "GHSA-xxxx-9143"}));
  EXPECT_EQ(openssl.products, (std::vector<std::string>{
                                  "pkg:oci/payments@sha256%3A9f86d081884c7d659a2feaa0c55ad015a3bf"
                                  "4f1b2b0b822cd15d6c15b0f00a08"}));
  EXPECT_EQ(openssl.subcomponents, (std::vector<std::string>{"pkg:apk/alpine/openssl@3.3.2-r1"}));
  EXPECT_EQ(openssl.status, VexStatus::kNotAffected);
  EXPECT_EQ(openssl.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(openssl.impact_statement, "The GF(2^m) curve API is never called by the service.");

  EXPECT_EQ(vex->statements[1].products, (std::vector<std::string>{"pkg:npm/lodash@4.17.20"}));
  EXPECT_EQ(vex->statements[1].status, VexStatus::kAffected);
  EXPECT_EQ(vex->statements[1].action_statement, "Upgrade lodash to 4.17.21.");
  EXPECT_EQ(vex->statements[2].products, (std::vector<std::string>{"pkg:npm/express@4.21.1"}));
  EXPECT_EQ(vex->statements[2].status, VexStatus::kUnderInvestigation);
  EXPECT_TRUE(vex->statements[3].products.empty());
  EXPECT_EQ(vex->statements[3].status, VexStatus::kFixed);
}

TEST(OpenVex, ReadsAnOlderDocumentWithABareVulnerabilityString) {
  auto vex = parse_openvex(read_test_file("openvex_legacy.json"));
  ASSERT_TRUE(vex.ok()) << vex.error().describe();
  ASSERT_EQ(vex->statements.size(), 1U);
  EXPECT_EQ(vex->statements[0].vulnerability_ids, (std::vector<std::string>{"CVE-2014-123456"}));
  EXPECT_EQ(vex->statements[0].products.size(), 2U);
  EXPECT_EQ(vex->statements[0].status, VexStatus::kFixed);
}

TEST(OpenVex, StatusNames) {
  EXPECT_EQ(to_string(VexStatus::kNotAffected), "not_affected");
  EXPECT_EQ(to_string(VexStatus::kAffected), "affected");
  EXPECT_EQ(to_string(VexStatus::kFixed), "fixed");
  EXPECT_EQ(to_string(VexStatus::kUnderInvestigation), "under_investigation");
}

TEST(OpenVex, StatementHashIsTheSha256OfItsCanonicalJson) {
  // Expected: sha256sum of the hand-written canonical statement
  // {"products":["pkg:npm/a@1"],"status":"fixed","vulnerability":{"name":"CVE-1"}}.
  auto vex = parse_openvex(R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
      {"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": ["pkg:npm/a@1"]}]})");
  ASSERT_TRUE(vex.ok()) << vex.error().describe();
  EXPECT_EQ(vex->statements[0].hash,
            "sha256:2f48306a6eefe0e14a178eb205f58e5ff0cd48c63fc11f53d7a4cbcf652131f0");
}

TEST(OpenVex, StatementHashSetIsSortedAndUnique) {
  auto first = parse_openvex(read_test_file("openvex_v020.json"));
  auto second = parse_openvex(read_test_file("openvex_legacy.json"));
  ASSERT_TRUE(first.ok() && second.ok());
  const std::vector<VexDocument> documents = {*first, *second, *first};
  const std::vector<std::string> hashes = vex_statement_hashes(documents);
  ASSERT_EQ(hashes.size(), 5U);
  EXPECT_TRUE(std::is_sorted(hashes.begin(), hashes.end()));
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
  for (const VexStatement& statement : first->statements) {
    EXPECT_TRUE(std::binary_search(hashes.begin(), hashes.end(), statement.hash)) << statement.hash;
  }
  const std::vector<VexDocument> reversed = {*second, *first};
  EXPECT_EQ(vex_statement_hashes(reversed), hashes);
}

struct Rejection {
  const char* name;
  const char* document;
  const char* message_part;
};

class OpenVexRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(OpenVexRejects, WithAReason) {
  const Rejection& rejection = GetParam();
  auto vex = parse_openvex(rejection.document);
  ASSERT_FALSE(vex.ok()) << rejection.name;
  EXPECT_EQ(vex.error().code, ErrorCode::kParse);
  EXPECT_NE(vex.error().message.find(rejection.message_part), std::string::npos)
      << vex.error().message;
  EXPECT_TRUE(vex.error().message.starts_with("OpenVEX document")) << vex.error().message;
}

#define VEX_STATEMENT(body) \
  "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[" body "]}"

INSTANTIATE_TEST_SUITE_P(
    Malformed, OpenVexRejects,
    ::testing::Values(
        Rejection{"NotJson", "{\"@context\": ", ""},
        Rejection{"NoContext", R"({"statements": []})", "/@context: missing"},
        Rejection{"CsafContext",
                  R"({"@context": "https://docs.oasis-open.org/csaf", "statements": []})",
                  "is not an OpenVEX context"},
        Rejection{"NoStatements", R"({"@context": "https://openvex.dev/ns/v0.2.0"})",
                  "/statements: missing"},
        Rejection{"StatementsObject",
                  R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": {}})",
                  "/statements: expected an array"},
        Rejection{"NoVulnerability", VEX_STATEMENT(R"({"status": "fixed"})"),
                  "/statements/0/vulnerability: missing"},
        Rejection{"VulnerabilityWithoutName",
                  VEX_STATEMENT(R"({"vulnerability": {"aliases": []}, "status": "fixed"})"),
                  "needs a \"name\" or an \"@id\""},
        Rejection{"VulnerabilityNumber",
                  VEX_STATEMENT(R"({"vulnerability": 42, "status": "fixed"})"),
                  "/statements/0/vulnerability: expected an object or a string"},
        Rejection{"AliasNotString",
                  VEX_STATEMENT(
                      R"({"vulnerability": {"name": "CVE-1", "aliases": [1]}, "status": "fixed"})"),
                  "/statements/0/vulnerability/aliases/0: expected a string"},
        Rejection{"NoStatus", VEX_STATEMENT(R"({"vulnerability": "CVE-1"})"),
                  "/statements/0/status: missing"},
        Rejection{
            "UnknownStatus",
            VEX_STATEMENT(R"({"vulnerability": "CVE-1", "status": "exploitable"})"),
            "\"exploitable\" is not one of not_affected, affected, fixed, under_investigation"},
        Rejection{
            "UnknownJustification",
            VEX_STATEMENT(
                R"({"vulnerability": "CVE-1", "status": "not_affected", "justification": "trust_me"})"),
            "/statements/0/justification: \"trust_me\" is not an OpenVEX justification"},
        Rejection{"ProductsString",
                  VEX_STATEMENT(
                      R"({"vulnerability": "CVE-1", "status": "fixed", "products": "pkg:npm/a"})"),
                  "/statements/0/products: expected an array"},
        Rejection{
            "ProductWithoutId",
            VEX_STATEMENT(
                R"({"vulnerability": "CVE-1", "status": "fixed", "products": [{"name": "a"}]})"),
            "/statements/0/products/0: needs an \"@id\" or identifiers.purl"},
        Rejection{"SubcomponentNumber",
                  VEX_STATEMENT(R"({"vulnerability": "CVE-1", "status": "fixed",
                                   "products": [{"@id": "pkg:oci/x", "subcomponents": [7]}]})"),
                  "/statements/0/products/0/subcomponents/0: expected a string or an object"},
        Rejection{"StatementNotObject", VEX_STATEMENT(R"("CVE-1")"),
                  "/statements/0: expected an object"}),
    [](const ::testing::TestParamInfo<Rejection>& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace zastava::provcache
