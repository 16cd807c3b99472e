// Cache correctness (the webhook issue insists): a provcache verdict cached
// before a change of the policy, the image's VEX set or SBOM, the trusted keys,
// or before a revocation, is never served after it. Each test first caches a
// decision, checks that the unchanged inputs are served from the cache (the
// control), then changes one input and checks the cached verdict is not
// served: the lookup misses (a new VeriKey, or the entry is gone) and the
// image is evaluated afresh.

#include <nlohmann/json.hpp>

#include "decision_fixture.hpp"
#include "store/provcache_store.hpp"

namespace zastava::decision::testing {
namespace {

class CacheCorrectnessTest : public DecisionFixture {
 protected:
  void SetUp() override {
    DecisionFixture::SetUp();
    digest_ = digest_of("app");
    seal(digest_, "os", files(4, "base"));
  }

  // Decides and checks the provcache result.
  AdmissionOutcome expect(const policy::CompiledPolicy& policy, ProvcacheResult expected) {
    AdmissionOutcome outcome = decide(policy, pod_request({{"api", image_at(digest_)}}));
    EXPECT_EQ(outcome.images.size(), 1u);
    if (!outcome.images.empty()) {
      EXPECT_EQ(outcome.images[0].provcache, expected)
          << provcache_result_name(outcome.images[0].provcache);
    }
    return outcome;
  }

  // Caches a decision under `policy` and checks it is then served.
  std::string cache_decision(const policy::CompiledPolicy& policy) {
    const AdmissionOutcome first = expect(policy, ProvcacheResult::kEvaluated);
    const AdmissionOutcome control = expect(policy, ProvcacheResult::kHit);
    EXPECT_EQ(control.images[0].veri_key, first.images[0].veri_key);
    return first.images[0].veri_key;
  }

  void add_critical_finding() {
    put_statement(store::ArtifactKind::kFindings, digest_,
                  nlohmann::json::object(
                      {{"findings", nlohmann::json::array({{{"id", "CVE-2026-0001"},
                                                            {"purl", "pkg:generic/zlib0@1.0"},
                                                            {"severity", "CRITICAL"},
                                                            {"status", "affected"}}})}}));
  }

  std::string digest_;
};

TEST_F(CacheCorrectnessTest, PolicyChangeIsNotServedTheOldVerdict) {
  const std::string before = cache_decision(compile(base_policy()));
  nlohmann::json document = base_policy();
  document["defaults"]["quotas"]["os"]["maxChangedFiles"] = 3;  // any enforced setting
  const AdmissionOutcome after = expect(compile(document), ProvcacheResult::kEvaluated);
  EXPECT_NE(after.images[0].veri_key, before);
}

TEST_F(CacheCorrectnessTest, RenamingTheScopeKeepsTheCache) {
  // The contrast: what does not change what is enforced keeps the key.
  cache_decision(compile(base_policy()));
  nlohmann::json document = base_policy();
  document["metadata"]["name"] = "renamed";
  document["metadata"]["version"] = "v2";
  expect(compile(document), ProvcacheResult::kHit);
}

TEST_F(CacheCorrectnessTest, AddedVexIsNotServedTheOldDenial) {
  add_critical_finding();
  put_statement(store::ArtifactKind::kSbom, digest_, sbom_document(2));
  const policy::CompiledPolicy policy = compile(base_policy());
  const AdmissionOutcome denied = expect(policy, ProvcacheResult::kEvaluated);
  EXPECT_FALSE(denied.allowed);
  EXPECT_FALSE(expect(policy, ProvcacheResult::kHit).allowed);  // the denial is cached
  // A VEX statement waiving the finding: the cached denial must not be served.
  nlohmann::json vex = vex_document(digest_, "not_affected", "vulnerable_code_not_present",
                                    /*name_product=*/false, "CVE-2026-0001");
  put_statement(store::ArtifactKind::kVex, digest_, vex);
  const AdmissionOutcome after = expect(policy, ProvcacheResult::kEvaluated);
  EXPECT_TRUE(after.allowed) << after.denial_message;
  EXPECT_NE(after.images[0].veri_key, denied.images[0].veri_key);
}

TEST_F(CacheCorrectnessTest, ChangedSbomIsNotServedTheOldVerdict) {
  put_statement(store::ArtifactKind::kSbom, digest_, sbom_document(2), nullptr, kNow - 600);
  const policy::CompiledPolicy policy = compile(base_policy());
  const std::string before = cache_decision(policy);
  // A newer SBOM for the same image.
  put_statement(store::ArtifactKind::kSbom, digest_, sbom_document(3, "openssl"), nullptr,
                kNow - 60);
  const AdmissionOutcome after = expect(policy, ProvcacheResult::kEvaluated);
  EXPECT_NE(after.images[0].veri_key, before);
}

TEST_F(CacheCorrectnessTest, FirstSbomIsNotServedTheVerdictMadeWithoutOne) {
  const policy::CompiledPolicy policy = compile(base_policy());
  const std::string before = cache_decision(policy);
  put_statement(store::ArtifactKind::kSbom, digest_, sbom_document(1));
  EXPECT_NE(expect(policy, ProvcacheResult::kEvaluated).images[0].veri_key, before);
}

TEST_F(CacheCorrectnessTest, ChangedTrustedKeysAreNotServedTheOldVerdict) {
  const std::string before = cache_decision(compile(base_policy()));
  nlohmann::json document = base_policy();
  document["defaults"]["trustedKeys"].push_back(other_key_->public_key().to_pem());
  const AdmissionOutcome after = expect(compile(document), ProvcacheResult::kEvaluated);
  EXPECT_NE(after.images[0].veri_key, before);
}

TEST_F(CacheCorrectnessTest, RevocationRemovesTheCachedVerdict) {
  const policy::CompiledPolicy policy = compile(base_policy());
  const std::string before = cache_decision(policy);
  store::InvalidationRequest request;
  request.by = provcache::InvalidationKind::kSignerSetHash;
  request.value = policy.defaults.signer_set_hash;
  request.reason = "key-compromise";
  auto record = store::invalidate(*provcache_, request, kNow);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->entries_affected, 1u);
  const AdmissionOutcome after = expect(policy, ProvcacheResult::kEvaluated);
  EXPECT_EQ(after.images[0].veri_key, before);  // same inputs, but the entry is gone
}

TEST_F(CacheCorrectnessTest, RevokedSignerSetInPolicyIsNeverAllowed) {
  const policy::CompiledPolicy policy = compile(base_policy());
  cache_decision(policy);
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["revokedSigners"] = nlohmann::json::array(
      {{{"signerSetHash", policy.defaults.signer_set_hash}, {"reason", "rotated"}}});
  const AdmissionOutcome after =
      decide(compile(document), pod_request({{"api", image_at(digest_)}}));
  EXPECT_FALSE(after.allowed);
  EXPECT_NE(after.denial_message.find("is revoked"), std::string::npos);
  // And no new allow verdict is cached under the revoked signer set.
  auto count = provcache_->count();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1u);
}

TEST_F(CacheCorrectnessTest, OlderFeedEpochIsNotServed) {
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["feedEpoch"] = "2026-11-01";
  cache_decision(compile(document));
  // The feed epoch is part of the policy hash too; a newer epoch is a new key
  // AND, were the key equal, the older entry would be treated as a miss.
  document["defaults"]["provcache"]["feedEpoch"] = "2026-11-22";
  expect(compile(document), ProvcacheResult::kEvaluated);
}

TEST_F(CacheCorrectnessTest, NextTimeWindowIsANewKey) {
  const policy::CompiledPolicy policy = compile(base_policy());
  const std::string before = cache_decision(policy);
  const AdmissionOutcome later =
      decide(policy, pod_request({{"api", image_at(digest_)}}), kNow + 3600);
  EXPECT_EQ(later.images[0].provcache, ProvcacheResult::kEvaluated);
  EXPECT_NE(later.images[0].veri_key, before);
}

}  // namespace
}  // namespace zastava::decision::testing
