// The example documents in tests/data/policy (also checked against the JSON
// Schema by tests/interop/policy_schema) and the shipped default policy.
#include <gtest/gtest.h>

#include <filesystem>

#include "policy/policy_document.hpp"
#include "policy_test_support.hpp"

namespace zastava::policy {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(ZASTAVA_TESTDATA_DIR) / "policy";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// The first line of an invalid example: "# expect: <part of the error>".
std::string expected_error(const fs::path& file) {
  const std::string text = testing::read_text(file.string());
  const std::string marker = "# expect: ";
  if (text.rfind(marker, 0) != 0) return {};
  return text.substr(marker.size(), text.find('\n') - marker.size());
}

TEST(PolicyExamples, ValidOnesCompile) {
  const auto files = files_in(kData / "valid");
  ASSERT_GE(files.size(), 3u);
  for (const fs::path& file : files) {
    auto policy = load_policy_file(file);
    EXPECT_TRUE(policy.ok()) << file << ": " << policy.error().message;
  }
}

TEST(PolicyExamples, FullExampleReadsAsWritten) {
  auto policy = load_policy_file(kData / "valid" / "full.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  ASSERT_EQ(policy->scopes.size(), 2u);
  const Scope& strict = policy->scopes[0];
  EXPECT_EQ(strict.name, "payments/strict");
  EXPECT_EQ(strict.signature_threshold, 2u);
  EXPECT_EQ(strict.trusted_keys.size(), 2u);
  EXPECT_EQ(strict.baseline.pinned_seal_id, "3f2b6c1e-8a4d-4e1f-9b7a-2c5d8e0f1a3b");
  EXPECT_EQ(strict.facets->definitions()[0].id, "custom/payments-rules");
  EXPECT_EQ(strict.facets->find("os")->quota.on_exceed, facet::QuotaAction::kRequireVex);
  EXPECT_EQ(strict.provcache.on_miss, OnMiss::kDeny);
  EXPECT_EQ(strict.provcache.feed_epoch, "2026-11-22");  // inherited
  EXPECT_EQ(policy->scopes[1].mode, Mode::kAudit);
  EXPECT_FALSE(policy->scopes[1].provcache.enabled);
  EXPECT_TRUE(policy->warnings.empty());
}

void expect_all_rejected(const fs::path& dir) {
  const auto files = files_in(dir);
  ASSERT_GE(files.size(), 10u);
  for (const fs::path& file : files) {
    const std::string expected = expected_error(file);
    ASSERT_FALSE(expected.empty()) << file << " has no '# expect: ' line";
    auto policy = load_policy_file(file);
    ASSERT_FALSE(policy.ok()) << file;
    EXPECT_EQ(policy.error().code, ErrorCode::kInvalidArgument) << file;
    EXPECT_NE(policy.error().message.find(file.string() + ": " + expected), std::string::npos)
        << file << "\n  expected: " << expected << "\n  got:      " << policy.error().message;
  }
}

TEST(PolicyExamples, InvalidOnesFailWithTheExpectedError) {
  expect_all_rejected(kData / "invalid");
}

TEST(PolicyExamples, SemanticallyInvalidOnesFailWithTheExpectedError) {
  expect_all_rejected(kData / "invalid-semantic");
}

TEST(PolicyExamples, TheShippedDefaultPolicyCompiles) {
  auto policy = load_policy_file(fs::path(ZASTAVA_SOURCE_DIR) / "webhook" / "default-policy.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  const Scope& d = policy->defaults;
  EXPECT_EQ(d.mode, Mode::kEnforce);
  EXPECT_TRUE(d.require_digest);
  EXPECT_TRUE(d.require_seal);
  EXPECT_EQ(d.provcache.on_miss, OnMiss::kEvaluate);
  EXPECT_EQ(d.provcache.min_trust_score, 60);
  EXPECT_EQ(d.facets->definitions().size(), 6u);
  // No key can be known in advance; the policy says so, and so do the warnings.
  EXPECT_TRUE(d.trusted_keys.empty());
  ASSERT_FALSE(policy->warnings.empty());
  EXPECT_NE(policy->warnings[0].find("trusts no keys"), std::string::npos);
}

}  // namespace
}  // namespace zastava::policy
