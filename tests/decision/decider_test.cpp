// The admission decision pipeline end to end over real embedded stores:
// scope, digest, seals, drift and quotas (with RequireVex), the provcache
// (hit, miss per onMiss, evaluation, dry-run), failure policy, deadline,
// modes, and the output (message lines, warnings, annotations, events,
// audit record).

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "decision_fixture.hpp"
#include "dsse/envelope.hpp"
#include "dsse/signing.hpp"
#include "store/provcache_store.hpp"

namespace zastava::decision::testing {
namespace {

class DeciderTest : public DecisionFixture {
 protected:
  // An image sealed (os facet) with 4 files; approved when it is a baseline.
  std::string sealed_image(std::string_view name, std::string_view content_prefix = "base",
                           bool approved = false) {
    const std::string digest = digest_of(name);
    seal(digest, "os", files(4, content_prefix), approved);
    return digest;
  }
};

TEST_F(DeciderTest, RequestWithoutWorkloadIsAllowedAndRecorded) {
  admission::AdmissionRequest request = pod_request({});
  request.workload.reset();
  request.not_handled_reason = "kind ConfigMap is not a workload";
  const AdmissionOutcome outcome = decide(compile(base_policy()), request);
  EXPECT_TRUE(outcome.allowed);
  EXPECT_TRUE(outcome.images.empty());
  EXPECT_NE(outcome.audit_record_json.find("kind ConfigMap is not a workload"), std::string::npos);
}

TEST_F(DeciderTest, InvalidImageIsDenied) {
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", "Registry.example.com/UPPER!!"}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("container \"api\" image Registry.example.com/UPPER!!: "
                                        "InvalidImage: invalid reference format"),
            std::string::npos)
      << outcome.denial_message;
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.events[0].reason, "InvalidImage");
}

TEST_F(DeciderTest, TagOnlyImageIsDeniedWhenDigestRequired) {
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"web", "nginx:1.27"}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_EQ(outcome.denial_message,
            "container \"web\" image nginx:1.27: DigestRequired: image has no @sha256 digest (pin "
            "it by digest)");
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.events[0].reason, "DigestRequired");
  EXPECT_EQ(outcome.events[0].type, "Warning");
  EXPECT_EQ(outcome.events[0].regarding.kind, "Pod");
  EXPECT_EQ(outcome.events[0].regarding.namespace_name, "shop");
  EXPECT_EQ(outcome.events[0].regarding.name, "web");
  EXPECT_EQ(annotation(outcome, "image-0"), "docker.io/library/nginx:1.27");
}

TEST_F(DeciderTest, TagOnlyImageIsAllowedWhenDigestNotRequired) {
  nlohmann::json document = base_policy();
  document["defaults"]["requireDigest"] = false;
  const AdmissionOutcome outcome = decide(compile(document), pod_request({{"web", "nginx"}}));
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  ASSERT_EQ(outcome.images.size(), 1u);
  EXPECT_TRUE(any_contains(outcome.images[0].notes, "no digest"));
  EXPECT_EQ(outcome.images[0].provcache, ProvcacheResult::kNotChecked);
}

TEST_F(DeciderTest, UnsealedImageIsDeniedWithSealMissing) {
  const std::string digest = digest_of("unsealed");
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("SealMissing: no facet seal for " + digest),
            std::string::npos)
      << outcome.denial_message;
  ASSERT_FALSE(outcome.events.empty());
  EXPECT_EQ(outcome.events[0].reason, "SealMissing");
}

TEST_F(DeciderTest, SealedImageIsAllowedWithAnnotations) {
  const std::string digest = sealed_image("app-v1");
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", image_at(digest)}}));
  ASSERT_TRUE(outcome.allowed) << outcome.denial_message;
  ASSERT_EQ(outcome.images.size(), 1u);
  const ImageReport& image = outcome.images[0];
  ASSERT_EQ(image.seal_ids.size(), 1u);
  EXPECT_EQ(annotation(outcome, "decision"), "allow");
  EXPECT_EQ(annotation(outcome, "policy-version"), "v1");
  EXPECT_EQ(annotation(outcome, "image-0-seal-ids"), image.seal_ids[0]);
  EXPECT_EQ(annotation(outcome, "image-0-verikey").rfind("sha256:", 0), 0u);
  EXPECT_EQ(annotation(outcome, "image-0-decision"), "allow");
  EXPECT_FALSE(annotation(outcome, "image-0-trust-score").empty());
  EXPECT_TRUE(any_contains(image.notes, "facet os: no baseline seal"));
  EXPECT_TRUE(outcome.events.empty());
  // The annotations are valid for the AdmissionReview writer.
  const admission::AdmissionResponse response = outcome.to_response("uid-1");
  EXPECT_TRUE(response.allowed);
  EXPECT_EQ(response.audit_annotations.size(), outcome.audit_annotations.size());
}

TEST_F(DeciderTest, SealByUntrustedKeyIsSealInvalidNamingTheFacet) {
  const std::string digest = digest_of("forged");
  seal(digest, "os", files(3, "x"), false, &*other_key_);
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("facet os: SealInvalid: facet seal signature"),
            std::string::npos)
      << outcome.denial_message;
  EXPECT_EQ(outcome.denial_message.find("SealMissing"), std::string::npos);
  ASSERT_FALSE(outcome.events.empty());
  EXPECT_EQ(outcome.events[0].reason, "SealInvalid");
}

TEST_F(DeciderTest, SealNotRequiredAllowsUnsealedImage) {
  nlohmann::json document = base_policy();
  document["defaults"]["requireSeal"] = false;
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest_of("plain"))}}));
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
}

TEST_F(DeciderTest, DriftOverBlockQuotaIsDeniedWithOneLinePerQuotaField) {
  seal(digest_of("base"), "os", files(4, "base"), /*approved=*/true);
  const std::string digest = digest_of("drifted");
  auto drifted = files(4, "changed");  // 4 modified
  drifted.push_back(file("/usr/lib/new", "new"));
  seal(digest, "os", std::move(drifted));
  nlohmann::json document = base_policy();
  document["defaults"]["quotas"]["os"]["maxAddedFiles"] = 0;
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  const std::string prefix = "container \"api\" image " + image_at(digest) + ": facet os: ";
  EXPECT_NE(outcome.denial_message.find(prefix + "MaxChangedFiles 5 > limit 2 (Block)"),
            std::string::npos)
      << outcome.denial_message;
  EXPECT_NE(outcome.denial_message.find(prefix + "MaxAddedFiles 1 > limit 0 (Block)"),
            std::string::npos)
      << outcome.denial_message;
  // 5 changes of 4 baseline files: churn 125%.
  EXPECT_NE(outcome.denial_message.find(prefix + "MaxChurnPercent 125 > limit 100 (Block)"),
            std::string::npos)
      << outcome.denial_message;
  ASSERT_EQ(outcome.events.size(), 3u);
  EXPECT_EQ(outcome.events[0].reason, "FacetQuotaExceeded");
}

TEST_F(DeciderTest, DriftWithinQuotaIsAllowed) {
  seal(digest_of("base"), "os", files(4, "base"), true);
  auto entries = files(4, "base");
  entries[0] = file("/usr/lib/f0", "patched");
  const std::string digest = digest_of("patched");
  seal(digest, "os", std::move(entries));
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  EXPECT_TRUE(outcome.warnings.empty());
}

TEST_F(DeciderTest, DriftOverWarnQuotaIsAllowedWithWarning) {
  seal(digest_of("base"), "os", files(4, "base"), true);
  const std::string digest = digest_of("drifted");
  seal(digest, "os", files(4, "changed"));
  nlohmann::json document = base_policy();
  document["defaults"]["quotas"]["os"]["onExceed"] = "Warn";
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  EXPECT_TRUE(any_contains(outcome.warnings, "facet os: MaxChangedFiles 4 > limit 2 (Warn)"));
  EXPECT_TRUE(outcome.events.empty());
}

TEST_F(DeciderTest, ImageThatIsItsOwnBaselineHasNoDrift) {
  const std::string digest = digest_of("base");
  seal(digest, "os", files(4, "base"), true);
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  EXPECT_FALSE(any_contains(outcome.images[0].notes, "no baseline"));
}

TEST_F(DeciderTest, PinnedBaselineIsUsedInsteadOfLatestApproved) {
  const std::string pinned = digest_of("pinned");
  seal(pinned, "os", files(4, "changed"));  // not approved, but pinned
  seal(digest_of("approved"), "os", files(4, "base"), true);
  const std::string digest = digest_of("drifted");
  seal(digest, "os", files(4, "changed"));  // identical to the pinned one
  nlohmann::json document = base_policy();
  document["defaults"]["baseline"] = {{"rule", "pinned"}, {"pinnedImageDigest", pinned}};
  EXPECT_TRUE(decide(compile(document), pod_request({{"api", image_at(digest)}})).allowed);
  // Against the latest approved seal the same image drifts over quota.
  EXPECT_FALSE(decide(compile(base_policy()), pod_request({{"api", image_at(digest)}})).allowed);
}

class RequireVexTest : public DeciderTest {
 protected:
  std::string drifted_image() {
    seal(digest_of("base"), "os", files(4, "base"), true);
    const std::string digest = digest_of("drifted");
    seal(digest, "os", files(4, "changed"));
    return digest;
  }
  policy::CompiledPolicy require_vex_policy() {
    nlohmann::json document = base_policy();
    document["defaults"]["quotas"]["os"]["onExceed"] = "RequireVex";
    return compile(document);
  }
};

TEST_F(RequireVexTest, WithoutVexIsDeniedAndEmitsAnEvent) {
  const std::string digest = drifted_image();
  const AdmissionOutcome outcome =
      decide(require_vex_policy(), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("MaxChangedFiles 4 > limit 2 (RequireVex): no signed VEX"),
            std::string::npos)
      << outcome.denial_message;
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.events[0].reason, "FacetQuotaExceeded");
}

TEST_F(RequireVexTest, NotAffectedWithJustificationAllows) {
  const std::string digest = drifted_image();
  put_statement(store::ArtifactKind::kVex, digest,
                vex_document(digest, "not_affected", "component_not_present"));
  const AdmissionOutcome outcome =
      decide(require_vex_policy(), pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  EXPECT_TRUE(any_contains(outcome.warnings, "accepted by VEX statement"));
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_NE(outcome.events[0].note.find("not_affected"), std::string::npos);
}

TEST_F(RequireVexTest, FixedWithoutProductAllows) {
  const std::string digest = drifted_image();
  put_statement(store::ArtifactKind::kVex, digest, vex_document(digest, "fixed", "", false));
  EXPECT_TRUE(decide(require_vex_policy(), pod_request({{"api", image_at(digest)}})).allowed);
}

TEST_F(RequireVexTest, NotAffectedWithoutJustificationIsDenied) {
  const std::string digest = drifted_image();
  put_statement(store::ArtifactKind::kVex, digest, vex_document(digest, "not_affected", ""));
  EXPECT_FALSE(decide(require_vex_policy(), pod_request({{"api", image_at(digest)}})).allowed);
}

TEST_F(RequireVexTest, AffectedOrUnderInvestigationIsDenied) {
  const std::string digest = drifted_image();
  put_statement(store::ArtifactKind::kVex, digest, vex_document(digest, "under_investigation", ""));
  EXPECT_FALSE(decide(require_vex_policy(), pod_request({{"api", image_at(digest)}})).allowed);
}

TEST_F(RequireVexTest, VexSignedByUntrustedKeyIsIgnored) {
  const std::string digest = drifted_image();
  put_statement(store::ArtifactKind::kVex, digest,
                vex_document(digest, "not_affected", "component_not_present"), &*other_key_);
  const AdmissionOutcome outcome =
      decide(require_vex_policy(), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_TRUE(any_contains(outcome.images[0].notes, "vex"));
}

TEST_F(RequireVexTest, VexForAnotherImageDoesNotApply) {
  const std::string digest = drifted_image();
  const std::string other = digest_of("other");
  // Stored under this image, but the statement's product is another image.
  put_statement(store::ArtifactKind::kVex, digest,
                vex_document(other, "not_affected", "component_not_present"));
  EXPECT_FALSE(decide(require_vex_policy(), pod_request({{"api", image_at(digest)}})).allowed);
}

// --- Modes -----------------------------------------------------------------

TEST_F(DeciderTest, WarnModeTurnsViolationsIntoWarnings) {
  nlohmann::json document = base_policy();
  document["defaults"]["mode"] = "Warn";
  const AdmissionOutcome outcome = decide(compile(document), pod_request({{"web", "nginx"}}));
  EXPECT_TRUE(outcome.allowed);
  EXPECT_TRUE(any_contains(outcome.warnings, "DigestRequired"));
  EXPECT_TRUE(outcome.events.empty());
  EXPECT_EQ(annotation(outcome, "image-0-decision"), "warn");
}

TEST_F(DeciderTest, AuditModeOnlyRecords) {
  nlohmann::json document = base_policy();
  document["defaults"]["mode"] = "Audit";
  const AdmissionOutcome outcome = decide(compile(document), pod_request({{"web", "nginx"}}));
  EXPECT_TRUE(outcome.allowed);
  EXPECT_TRUE(outcome.warnings.empty());
  EXPECT_TRUE(outcome.events.empty());
  EXPECT_EQ(annotation(outcome, "image-0-decision"), "audit");
  EXPECT_NE(outcome.audit_record_json.find("DigestRequired"), std::string::npos);
}

TEST_F(DeciderTest, ScopeModeAppliesPerImage) {
  nlohmann::json document = base_policy();
  document["scopes"] =
      nlohmann::json::array({{{"name", "lenient"},
                              {"images", nlohmann::json::array({"docker.io/library/**"})},
                              {"mode", "Warn"}}});
  const AdmissionOutcome outcome = decide(
      compile(document), pod_request({{"web", "nginx"}, {"api", "registry.example.com/app:1"}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("container \"api\""), std::string::npos);
  EXPECT_EQ(outcome.denial_message.find("container \"web\""), std::string::npos);
  EXPECT_TRUE(any_contains(outcome.warnings, "container \"web\""));
  EXPECT_EQ(outcome.images[0].scope, "lenient");
  EXPECT_EQ(outcome.images[1].scope, "defaults");
}

TEST_F(DeciderTest, NamespaceLabelsSelectTheScope) {
  nlohmann::json document = base_policy();
  document["scopes"] = nlohmann::json::array(
      {{{"name", "sandbox"},
        {"namespaces", {{"selector", {{"matchLabels", {{"env", "sandbox"}}}}}}},
        {"mode", "Audit"}}});
  const policy::CompiledPolicy policy = compile(document);
  EXPECT_FALSE(decide(policy, pod_request({{"web", "nginx"}}, "play")).allowed);
  labels_.set("play", policy::Labels{{"env", "sandbox"}});
  EXPECT_TRUE(decide(policy, pod_request({{"web", "nginx"}}, "play")).allowed);
}

TEST_F(DeciderTest, UpdateChecksOnlyChangedImages) {
  admission::AdmissionRequest request =
      pod_request({{"old", "nginx:1.0"}, {"new", image_at(sealed_image("app"))}});
  request.operation = admission::Operation::kUpdate;
  request.workload->containers[0].image_changed = false;
  const AdmissionOutcome outcome = decide(compile(base_policy()), request);
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  ASSERT_EQ(outcome.images.size(), 1u);
  EXPECT_EQ(outcome.images[0].container, "new");
}

TEST_F(DeciderTest, OneLinePerViolationAcrossContainers) {
  const AdmissionOutcome outcome = decide(
      compile(base_policy()),
      pod_request({{"a", "nginx"}, {"b", image_at(digest_of("unsealed"))}, {"c", "BAD IMAGE"}}));
  EXPECT_FALSE(outcome.allowed);
  std::size_t lines = 1;
  for (char c : outcome.denial_message) lines += c == '\n' ? 1u : 0u;
  EXPECT_EQ(lines, 3u) << outcome.denial_message;
  EXPECT_EQ(outcome.events.size(), 3u);
  const auto record = nlohmann::json::parse(outcome.audit_record_json);
  EXPECT_EQ(record["verdict"], "deny");
  EXPECT_EQ(record["user"]["username"], "alice@example.com");
  EXPECT_EQ(record["policy"]["version"], "v1");
  ASSERT_EQ(record["images"].size(), 3u);
  EXPECT_EQ(record["images"][1]["decision"], "deny");
}

// --- Provcache -------------------------------------------------------------

TEST_F(DeciderTest, EvaluatedMissIsCachedAndThenHit) {
  const std::string digest = sealed_image("app");
  const policy::CompiledPolicy policy = compile(base_policy());
  const AdmissionOutcome first = decide(policy, pod_request({{"api", image_at(digest)}}));
  ASSERT_TRUE(first.allowed) << first.denial_message;
  EXPECT_EQ(first.images[0].provcache, ProvcacheResult::kEvaluated);
  auto count = provcache_->count();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1u);
  const AdmissionOutcome second = decide(policy, pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(second.images[0].provcache, ProvcacheResult::kHit);
  EXPECT_EQ(second.images[0].veri_key, first.images[0].veri_key);
  EXPECT_EQ(second.images[0].trust_score, first.images[0].trust_score);
}

TEST_F(DeciderTest, DryRunEvaluatesWithoutCaching) {
  const std::string digest = sealed_image("app");
  admission::AdmissionRequest request = pod_request({{"api", image_at(digest)}});
  request.dry_run = true;
  const AdmissionOutcome outcome = decide(compile(base_policy()), request);
  EXPECT_TRUE(outcome.allowed) << outcome.denial_message;
  EXPECT_EQ(outcome.images[0].provcache, ProvcacheResult::kEvaluated);
  auto count = provcache_->count();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0u);
}

TEST_F(DeciderTest, CriticalFindingMakesADenyVerdictThatIsCachedAndServed) {
  const std::string digest = sealed_image("vulnerable");
  put_statement(store::ArtifactKind::kFindings, digest,
                nlohmann::json::object(
                    {{"findings", nlohmann::json::array({{{"id", "CVE-2026-0001"},
                                                          {"purl", "pkg:generic/zlib0@1.0"},
                                                          {"severity", "CRITICAL"},
                                                          {"status", "affected"}}})}}));
  const policy::CompiledPolicy policy = compile(base_policy());
  const AdmissionOutcome first = decide(policy, pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(first.allowed);
  EXPECT_NE(first.denial_message.find("ProvcacheDenied: provcache verdict deny"), std::string::npos)
      << first.denial_message;
  EXPECT_NE(first.denial_message.find("CVE-2026-0001"), std::string::npos);
  const AdmissionOutcome second = decide(policy, pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.images[0].provcache, ProvcacheResult::kHit);
  ASSERT_FALSE(second.events.empty());
  EXPECT_EQ(second.events.back().reason, "ProvcacheDenied");
}

TEST_F(DeciderTest, TrustScoreBelowMinimumIsDeniedWithBreakdown) {
  const std::string digest = sealed_image("app");
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["minTrustScore"] = 95;
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("below minTrustScore 95 (reachability 0/25"),
            std::string::npos)
      << outcome.denial_message;
}

TEST_F(DeciderTest, OnMissDenyDenies) {
  const std::string digest = sealed_image("app");
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["onMiss"] = "deny";
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("no provcache decision for VeriKey sha256:"),
            std::string::npos);
  EXPECT_EQ(outcome.images[0].provcache, ProvcacheResult::kMiss);
  auto count = provcache_->count();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0u);
}

TEST_F(DeciderTest, OnMissWarnAllowsWithWarning) {
  const std::string digest = sealed_image("app");
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["onMiss"] = "warn";
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(outcome.allowed);
  EXPECT_TRUE(any_contains(outcome.warnings, "no provcache decision yet (onMiss warn)"));
}

TEST_F(DeciderTest, RevokedSignerSetNeverAllows) {
  const std::string digest = sealed_image("app");
  const policy::CompiledPolicy before = compile(base_policy());
  ASSERT_TRUE(decide(before, pod_request({{"api", image_at(digest)}})).allowed);  // cached allow
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["revokedSigners"] = nlohmann::json::array(
      {{{"signerSetHash", before.defaults.signer_set_hash}, {"reason", "key-compromise"}}});
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("is revoked: key-compromise"), std::string::npos);
}

TEST_F(DeciderTest, ProvcacheDisabledSkipsTheLookup) {
  const std::string digest = sealed_image("app");
  nlohmann::json document = base_policy();
  document["defaults"]["provcache"]["enabled"] = false;
  const AdmissionOutcome outcome =
      decide(compile(document), pod_request({{"api", image_at(digest)}}));
  EXPECT_TRUE(outcome.allowed);
  EXPECT_TRUE(outcome.images[0].veri_key.empty());
}

// --- Failure policy and deadline -----------------------------------------

class FailureTest : public DeciderTest {
 protected:
  AdmissionOutcome decide_with(store::ProvcacheStore& store, const policy::CompiledPolicy& policy,
                               const admission::AdmissionRequest& request, DeciderOptions options,
                               SteadyClock::time_point deadline = SteadyClock::time_point::max()) {
    Decider decider(*artifacts_, store, labels_, std::move(options));
    DecisionTime time;
    time.now_seconds = kNow;
    time.deadline = deadline;
    return decider.decide(request, policy, time);
  }
  UnavailableStore down_;
};

TEST_F(FailureTest, StoreErrorUnderFailPolicyDenies) {
  const std::string digest = sealed_image("app");
  const AdmissionOutcome outcome =
      decide_with(down_, compile(base_policy()), pod_request({{"api", image_at(digest)}}), {});
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("provcache store unavailable: valkey 10.0.0.9:6379: "
                                        "connection refused"),
            std::string::npos)
      << outcome.denial_message;
  EXPECT_EQ(outcome.images[0].provcache, ProvcacheResult::kUnavailable);
}

TEST_F(FailureTest, StoreErrorUnderIgnorePolicyAllowsWithWarning) {
  const std::string digest = sealed_image("app");
  nlohmann::json document = base_policy();
  document["defaults"]["failurePolicy"] = "Ignore";
  const AdmissionOutcome outcome =
      decide_with(down_, compile(document), pod_request({{"api", image_at(digest)}}), {});
  EXPECT_TRUE(outcome.allowed);
  EXPECT_TRUE(any_contains(outcome.warnings, "provcache store unavailable"));
  EXPECT_TRUE(any_contains(outcome.warnings, "failurePolicy Ignore"));
}

TEST_F(FailureTest, StoreErrorStillReportsPolicyViolationsFoundBefore) {
  const std::string digest = digest_of("unsealed");
  const AdmissionOutcome outcome =
      decide_with(down_, compile(base_policy()), pod_request({{"api", image_at(digest)}}), {});
  EXPECT_NE(outcome.denial_message.find("SealMissing"), std::string::npos);
  EXPECT_NE(outcome.denial_message.find("provcache store unavailable"), std::string::npos);
}

TEST_F(FailureTest, DeadlineFollowsFailurePolicy) {
  const std::string digest = sealed_image("app");
  // A clock that moves 10 ms every time it is read: the 25 ms budget runs
  // out during the pipeline, deterministically.
  auto ticks = std::make_shared<int>(0);
  const SteadyClock::time_point start{};
  DeciderOptions options;
  options.steady_now = [ticks, start] { return start + std::chrono::milliseconds(10 * ++*ticks); };
  const AdmissionOutcome denied =
      decide_with(*provcache_, compile(base_policy()), pod_request({{"api", image_at(digest)}}),
                  options, start + std::chrono::milliseconds(25));
  EXPECT_FALSE(denied.allowed);
  EXPECT_NE(denied.denial_message.find("deadline exceeded before"), std::string::npos)
      << denied.denial_message;

  nlohmann::json document = base_policy();
  document["defaults"]["failurePolicy"] = "Ignore";
  *ticks = 0;
  const AdmissionOutcome allowed =
      decide_with(*provcache_, compile(document), pod_request({{"api", image_at(digest)}}), options,
                  start + std::chrono::milliseconds(25));
  EXPECT_TRUE(allowed.allowed);
  EXPECT_TRUE(any_contains(allowed.warnings, "deadline exceeded"));
}

TEST_F(FailureTest, PastDeadlineStopsBeforeAnyStoreCall) {
  const std::string digest = sealed_image("app");
  const SteadyClock::time_point past = SteadyClock::now() - std::chrono::seconds(1);
  const AdmissionOutcome outcome = decide_with(down_, compile(base_policy()),
                                               pod_request({{"api", image_at(digest)}}), {}, past);
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("deadline exceeded before reading the artifact store"),
            std::string::npos)
      << outcome.denial_message;
}

TEST_F(DeciderTest, SealStoredUnderAnotherImageIsSealInvalid) {
  // A valid seal of image A stored as if it were image B's.
  const std::string a = digest_of("a");
  const std::string b = digest_of("b");
  seal(a, "os", files(3, "a"));
  auto stored = artifacts_->for_image(a);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  store::StoredArtifact moved = (*stored)[0];
  // The store is content-addressed, so the same envelope cannot be stored
  // twice: sign the same payload again, adding a second (untrusted) signer.
  auto envelope = dsse::parse_envelope(moved.envelope_json);
  ASSERT_TRUE(envelope);
  const crypto::PrivateKey* keys[] = {&*key_, &*other_key_};
  auto resigned = dsse::sign_envelope(envelope->payload_type, envelope->payload, keys);
  ASSERT_TRUE(resigned);
  auto text = dsse::serialize(*resigned);
  ASSERT_TRUE(text);
  moved.envelope_json = *text;
  moved.id = store::artifact_id(*text);
  moved.image_digest = b;
  moved.seal_id = "00000000-0000-4000-8000-000000000001";  // a seal id is stored once
  const Status put = artifacts_->put(moved);
  ASSERT_TRUE(put) << put.error().message;
  const AdmissionOutcome outcome =
      decide(compile(base_policy()), pod_request({{"api", image_at(b)}}));
  EXPECT_FALSE(outcome.allowed);
  EXPECT_NE(outcome.denial_message.find("SealInvalid: facet seal"), std::string::npos)
      << outcome.denial_message;
  EXPECT_NE(outcome.denial_message.find("is for image " + a), std::string::npos)
      << outcome.denial_message;
}

TEST_F(DeciderTest, ConcurrentDecisionsAgree) {
  const std::string digest = sealed_image("app");
  const policy::CompiledPolicy policy = compile(base_policy());
  const auto request = pod_request({{"api", image_at(digest)}, {"web", "nginx"}});
  const AdmissionOutcome expected = decide(policy, request);  // caches the sealed image's decision
  ASSERT_FALSE(expected.allowed);                             // the tag-only image
  std::atomic<int> same{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        const AdmissionOutcome outcome = decide(policy, request);
        if (!outcome.allowed && outcome.denial_message == expected.denial_message &&
            outcome.images[0].provcache == ProvcacheResult::kHit) {
          same.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(same.load(), 100);
  const AdmissionOutcome outcome = decide(policy, request);
  EXPECT_EQ(outcome.denial_message.find("container \"api\""), std::string::npos);
}

// --- Memo tables -----------------------------------------------------------

TEST_F(DeciderTest, VerificationAndDriftResultsAreMemoized) {
  seal(digest_of("base"), "os", files(4, "base"), true);
  auto entries = files(4, "base");
  entries[1] = file("/usr/lib/f1", "patched");
  const std::string digest = digest_of("patched");
  seal(digest, "os", std::move(entries));
  const policy::CompiledPolicy policy = compile(base_policy());
  ASSERT_TRUE(decide(policy, pod_request({{"api", image_at(digest)}})).allowed);
  EXPECT_EQ(decider_->verifier().cached_seals(), 2u);  // the image's seal and its baseline
  EXPECT_EQ(decider_->cached_drifts(), 1u);
  ASSERT_TRUE(decide(policy, pod_request({{"api", image_at(digest)}})).allowed);
  EXPECT_EQ(decider_->verifier().cached_seals(), 2u);
  EXPECT_EQ(decider_->cached_drifts(), 1u);
  // Another trust set is another verification.
  nlohmann::json document = base_policy();
  document["defaults"]["trustedKeys"].push_back(other_key_->public_key().to_pem());
  ASSERT_TRUE(decide(compile(document), pod_request({{"api", image_at(digest)}})).allowed);
  EXPECT_EQ(decider_->verifier().cached_seals(), 4u);
}

}  // namespace
}  // namespace zastava::decision::testing
