// The admission decision with every cache warm: a ~6 KB Pod AdmissionReview
// (tests/data/admission/pod_create.json without its init container) whose 3
// containers run digest-pinned images, each sealed (os facet, 200 files)
// against an approved baseline seal with a few changed files, with an SBOM,
// over the embedded stores, and provcache entries already cached.
//
//   BM_Decision_Warm               Decider::decide only
//   BM_Decision_WarmEndToEnd       parse the review + decide + write the response
//
// Run: build/bench/zastava_bench --benchmark_filter=Decision

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "admission/admission_response.hpp"
#include "admission/admission_review.hpp"
#include "base/hex.hpp"
#include "base/utc_time.hpp"
#include "crypto/private_key.hpp"
#include "decision/decider.hpp"
#include "digest/sha2.hpp"
#include "dsse/envelope.hpp"
#include "dsse/in_toto.hpp"
#include "dsse/signing.hpp"
#include "facet/manifest.hpp"
#include "facet/seal.hpp"
#include "json/canonical_json.hpp"
#include "policy/policy_document.hpp"
#include "store/embedded_artifact_store.hpp"
#include "store/embedded_store.hpp"

namespace {

namespace zd = zastava::decision;
using zastava::Result;

constexpr std::int64_t kNow = 1795000000;

template <typename T>
T must(Result<T> result, const char* what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

std::string sha256_id(std::string_view text) {
  const auto digest = zastava::digest::sha256(zastava::as_bytes(text));
  return "sha256:" + zastava::encoding::hex_encode(zastava::ByteView(digest.data(), digest.size()));
}

// Everything one warm admission needs, built once.
class World {
 public:
  World() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "zastava-decision-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = pattern;
    artifacts_ = must(zastava::store::EmbeddedArtifactStore::open(dir_ / "a"), "artifacts");
    provcache_ = must(zastava::store::EmbeddedStore::open(dir_ / "p"), "provcache");
    key_.emplace(
        must(zastava::crypto::PrivateKey::generate(zastava::crypto::KeyType::kEd25519), "key"));
    policy_ = must(zastava::policy::compile_policy(policy_document()), "policy");
    decider_ = std::make_unique<zd::Decider>(*artifacts_, *provcache_, labels_);
    review_ = review_with_images();
    request_ = must(zastava::admission::parse_admission_review(review_), "review");
    const zd::AdmissionOutcome warmup = decide();
    if (!warmup.allowed) throw std::runtime_error("warm-up denied: " + warmup.denial_message);
  }
  ~World() {
    decider_.reset();
    artifacts_.reset();
    provcache_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  zd::AdmissionOutcome decide() { return decide(request_); }
  zd::AdmissionOutcome decide(const zastava::admission::AdmissionRequest& request) {
    zd::DecisionTime time;
    time.now_seconds = kNow;
    time.deadline = zd::SteadyClock::now() + std::chrono::seconds(5);
    return decider_->decide(request, policy_, time);
  }
  const std::string& review() const { return review_; }

 private:
  nlohmann::json policy_document() const {
    return {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
            {"kind", "CompiledPolicy"},
            {"metadata", {{"name", "bench"}, {"version", "v1"}}},
            {"defaults",
             {{"trustedKeys", nlohmann::json::array({key_->public_key().to_pem()})},
              {"quotas", {{"os", {{"maxChangedFiles", 20}, {"onExceed", "Block"}}}}},
              {"provcache", {{"minTrustScore", 0}, {"onMiss", "evaluate"}}}}}};
  }

  std::vector<zastava::facet::FileEntry> manifest_files(int changed) const {
    std::vector<zastava::facet::FileEntry> out;
    for (int i = 0; i < 200; ++i) {
      zastava::facet::FileEntry entry;
      entry.path = "/usr/lib/x86_64-linux-gnu/lib" + std::to_string(i) + ".so";
      entry.content_hash = sha256_id(std::to_string(i) + (i < changed ? "-new" : ""));
      entry.size = 1000 + static_cast<std::uint64_t>(i);
      entry.mode = 0644;
      out.push_back(std::move(entry));
    }
    return out;
  }

  void put(zastava::store::StoredArtifact artifact, const std::string& envelope_json) {
    artifact.id = zastava::store::artifact_id(envelope_json);
    artifact.envelope_json = envelope_json;
    if (!artifacts_->put(artifact)) throw std::runtime_error("put artifact");
  }

  void seal_image(const std::string& repository, const std::string& digest, int changed,
                  bool approved) {
    zastava::facet::FacetSeal seal;
    seal.seal_id = zastava::facet::new_seal_id();
    seal.image_ref = repository + "@" + digest;
    seal.image_digest = digest;
    seal.sealed_at = zastava::format_rfc3339_utc(kNow - 7200, true);
    seal.sealed_by = "bench";
    seal.manifest = must(zastava::facet::build_manifest("os", zastava::facet::FacetType::kOs,
                                                        manifest_files(changed), seal.sealed_at),
                         "manifest");
    const zastava::crypto::PrivateKey* keys[] = {&*key_};
    const auto envelope = must(zastava::facet::sign_seal(seal, keys), "seal");
    zastava::store::StoredArtifact artifact;
    artifact.kind = zastava::store::ArtifactKind::kSeal;
    artifact.image_digest = digest;
    artifact.repository = repository;
    artifact.facet_id = "os";
    artifact.seal_id = seal.seal_id;
    artifact.approved = approved;
    artifact.created_at_seconds = kNow - 7200 + (approved ? 0 : 1);
    put(std::move(artifact), must(zastava::dsse::serialize(envelope), "serialize"));
  }

  void sbom_for(const std::string& digest) {
    zastava::dsse::Statement statement;
    statement.subject.push_back({"", {{"sha256", digest.substr(7)}}});
    statement.predicate_type = "https://cyclonedx.org/bom";
    statement.predicate_json = R"({"bomFormat":"CycloneDX","components":[{"name":"zlib",)"
                               R"("purl":"pkg:deb/debian/zlib@1.2.13","type":"library",)"
                               R"("version":"1.2.13"}],"specVersion":"1.6","version":1})";
    const auto payload = must(zastava::dsse::to_canonical_json(statement), "statement");
    const zastava::crypto::PrivateKey* keys[] = {&*key_};
    const auto envelope = must(zastava::dsse::sign_envelope(zastava::dsse::kInTotoPayloadType,
                                                            zastava::as_bytes(payload), keys),
                               "sign");
    zastava::store::StoredArtifact artifact;
    artifact.kind = zastava::store::ArtifactKind::kSbom;
    artifact.image_digest = digest;
    artifact.created_at_seconds = kNow - 3600;
    put(std::move(artifact), must(zastava::dsse::serialize(envelope), "serialize"));
  }

  // pod_create.json with 3 containers on sealed, digest-pinned images.
  std::string review_with_images() {
    const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" /
                      "data" / "admission" / "pod_create.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    nlohmann::json review = nlohmann::json::parse(text.str());
    auto& spec = review["request"]["object"]["spec"];
    spec.erase("initContainers");
    const char* names[] = {"checkout", "envoy", "fluent-bit"};
    for (std::size_t i = 0; i < spec["containers"].size() && i < 3; ++i) {
      const std::string repository = "registry.example.com/shop/" + std::string(names[i]);
      const std::string digest = sha256_id(repository + "-v2");
      seal_image(repository, sha256_id(repository + "-v1"), 0, true);  // the baseline
      seal_image(repository, digest, 3, false);                        // 3 files drifted
      sbom_for(digest);
      spec["containers"][i]["image"] = repository + "@" + digest;
    }
    return review.dump();
  }

  std::filesystem::path dir_;
  std::unique_ptr<zastava::store::EmbeddedArtifactStore> artifacts_;
  std::unique_ptr<zastava::store::EmbeddedStore> provcache_;
  zd::NamespaceLabelTable labels_;
  std::optional<zastava::crypto::PrivateKey> key_;
  zastava::policy::CompiledPolicy policy_;
  std::unique_ptr<zd::Decider> decider_;
  std::string review_;
  zastava::admission::AdmissionRequest request_;
};

World& world() {
  static World instance;
  return instance;
}

void BM_Decision_Warm(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    zd::AdmissionOutcome outcome = w.decide();
    if (!outcome.allowed || outcome.images.size() != 3) state.SkipWithError("not allowed");
    benchmark::DoNotOptimize(outcome);
  }
  state.counters["review_bytes"] = static_cast<double>(w.review().size());
}
BENCHMARK(BM_Decision_Warm);

void BM_Decision_WarmEndToEnd(benchmark::State& state) {
  World& w = world();
  zastava::admission::ReviewParser parser;
  std::string out;
  for (auto _ : state) {
    auto request = parser.parse(w.review());
    if (!request) state.SkipWithError("parse");
    const zd::AdmissionOutcome outcome = w.decide(*request);
    out.clear();
    const auto response = outcome.to_response(request->uid);
    if (!zastava::admission::append_admission_review(out, request->version, response)) {
      state.SkipWithError("write");
    }
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Decision_WarmEndToEnd);

}  // namespace
