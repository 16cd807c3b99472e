// parse_findings_predicate: what a findings attestation's predicate may be.
#include <gtest/gtest.h>

#include <string>

#include "provcache/evidence_evaluation.hpp"
#include "provcache/findings.hpp"

namespace zastava::provcache {
namespace {

constexpr const char* kList =
    R"({"feedId":"osv","findings":[{"id":"CVE-2026-0001","purl":"pkg:deb/debian/openssl@3.0.11",)"
    R"("severity":"critical","status":"affected"}]})";

TEST(FindingsPredicate, AListKeepsItsFeedAndItsFindings) {
  auto document = parse_findings_predicate(kList);
  ASSERT_TRUE(document.ok()) << document.error().describe();
  EXPECT_EQ(document->feed_id, "osv");
  auto findings = parse_findings_list(document->text, document->feed_id);
  ASSERT_TRUE(findings.ok());
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].id, "CVE-2026-0001");
  EXPECT_EQ((*findings)[0].severity, "CRITICAL");
}

TEST(FindingsPredicate, AListWithoutAFeedGetsTheDefaultOne) {
  auto document = parse_findings_predicate(
      R"({"findings":[{"id":"CVE-1","purl":"pkg:npm/a@1","severity":"LOW"}]})");
  ASSERT_TRUE(document.ok()) << document.error().describe();
  EXPECT_EQ(document->feed_id, kDefaultFindingsFeed);
}

TEST(FindingsPredicate, SarifIsKeptAsGiven) {
  const std::string sarif =
      R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"scanner"}},"results":[]}]})";
  auto document = parse_findings_predicate(sarif);
  ASSERT_TRUE(document.ok()) << document.error().describe();
  EXPECT_EQ(document->text, sarif);
  EXPECT_EQ(document->feed_id, "");
}

TEST(FindingsPredicate, RefusesWhatIsNeitherWithTheReason) {
  const struct {
    const char* predicate;
    const char* reason;
  } cases[] = {
      {R"([1,2])", "must be a JSON object"},
      {R"({"items":[]})", "SARIF 2.1.0 or"},
      {R"({"findings":{}})", "SARIF 2.1.0 or"},
      {R"({"feedId":7,"findings":[]})", "\"feedId\" must be a string"},
      {R"({"findings":[{"id":"CVE-1"}]})", ""},
      {R"({"findings":[] )", ""},
  };
  for (const auto& c : cases) {
    auto document = parse_findings_predicate(c.predicate);
    ASSERT_FALSE(document.ok()) << c.predicate;
    EXPECT_NE(document.error().message.find(c.reason), std::string::npos)
        << c.predicate << ": " << document.error().message;
  }
}

}  // namespace
}  // namespace zastava::provcache
