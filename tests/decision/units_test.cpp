// Small pieces of the decision module: violation lines, the bounded cache,
// and the empty-SBOM constant the VeriKey uses.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "decision/bounded_cache.hpp"
#include "decision/violation.hpp"
#include "provcache/evidence_evaluation.hpp"
#include "provcache/verikey.hpp"

namespace zastava::decision {
namespace {

TEST(ViolationTest, QuotaLineNamesContainerImageFacetFieldLimitAndActual) {
  Violation violation;
  violation.kind = ViolationKind::kFacetQuotaExceeded;
  violation.container = "api";
  violation.image = "registry.example.com/app@sha256:ab12";
  violation.facet_id = "os";
  violation.quota = QuotaBreach{"MaxChangedFiles", 10, 12, facet::QuotaAction::kBlock};
  EXPECT_EQ(violation.line(),
            "container \"api\" image registry.example.com/app@sha256:ab12: facet os: "
            "MaxChangedFiles 12 > limit 10 (Block)");
}

TEST(ViolationTest, OtherKindsNameTheReason) {
  Violation violation;
  violation.kind = ViolationKind::kSealMissing;
  violation.container = "web";
  violation.image = "nginx@sha256:ff";
  violation.detail = "no facet seal";
  EXPECT_EQ(violation.line(),
            "container \"web\" image nginx@sha256:ff: SealMissing: no facet seal");
  EXPECT_EQ(event_reason(ViolationKind::kProvcacheDenied), "ProvcacheDenied");
  EXPECT_EQ(event_reason(ViolationKind::kDigestRequired), "DigestRequired");
}

TEST(ViolationTest, QuotaNumbersAreWrittenAsPeopleWriteThem) {
  EXPECT_EQ(format_quota_number(12), "12");
  EXPECT_EQ(format_quota_number(12.5), "12.5");
  EXPECT_EQ(format_quota_number(100.0 / 3.0), "33.33");
  EXPECT_EQ(format_quota_number(0), "0");
}

TEST(BoundedCacheTest, KeepsTheFirstValueAndEvictsTheOldest) {
  BoundedCache<int> cache(2);
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_EQ(*cache.insert("a", std::make_shared<int>(1)), 1);
  EXPECT_EQ(*cache.insert("a", std::make_shared<int>(9)), 1);  // kept
  cache.insert("b", std::make_shared<int>(2));
  cache.insert("c", std::make_shared<int>(3));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("a"), nullptr);
  ASSERT_NE(cache.find("c"), nullptr);
  EXPECT_EQ(*cache.find("c"), 3);
}

TEST(BoundedCacheTest, CapacityZeroCachesNothing) {
  BoundedCache<int> cache(0);
  EXPECT_EQ(*cache.insert("a", std::make_shared<int>(1)), 1);
  EXPECT_EQ(cache.find("a"), nullptr);
}

TEST(EmptySbomTest, ConstantIsTheHashOfTheEmptyDocument) {
  auto hash = provcache::sbom_hash_of("{}");
  ASSERT_TRUE(hash);
  EXPECT_EQ(*hash, provcache::kEmptySbomHash);
}

}  // namespace
}  // namespace zastava::decision
