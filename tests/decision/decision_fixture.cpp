#include "decision_fixture.hpp"

#include <stdlib.h>

#include "base/hex.hpp"
#include "base/utc_time.hpp"
#include "digest/sha2.hpp"
#include "dsse/envelope.hpp"
#include "dsse/in_toto.hpp"
#include "dsse/signing.hpp"
#include "facet/manifest.hpp"
#include "facet/names.hpp"
#include "facet/seal.hpp"
#include "facet/vex.hpp"
#include "json/canonical_json.hpp"

namespace zastava::decision::testing {

std::string digest_of(std::string_view name) {
  const auto digest = digest::sha256(as_bytes(name));
  return "sha256:" + encoding::hex_encode(ByteView(digest.data(), digest.size()));
}

std::string image_at(std::string_view digest, std::string_view repository) {
  return std::string(repository) + "@" + std::string(digest);
}

facet::FileEntry file(std::string path, std::string_view content) {
  facet::FileEntry entry;
  entry.path = std::move(path);
  entry.content_hash = digest_of(content);
  entry.size = content.size();
  entry.mode = 0644;
  entry.mtime = 1700000000;
  return entry;
}

std::vector<facet::FileEntry> files(int count, std::string_view prefix) {
  std::vector<facet::FileEntry> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(file("/usr/lib/f" + std::to_string(i), std::string(prefix) + std::to_string(i)));
  }
  return out;
}

admission::AdmissionRequest pod_request(std::vector<std::pair<std::string, std::string>> containers,
                                        std::string namespace_name) {
  admission::AdmissionRequest request;
  request.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  request.kind = {"", "v1", "Pod"};
  request.resource = {"", "v1", "pods"};
  request.namespace_name = namespace_name;
  request.name = "web";
  request.operation = admission::Operation::kCreate;
  request.user_info.username = "alice@example.com";
  request.user_info.groups = {"system:authenticated"};
  admission::Workload workload;
  workload.kind = admission::WorkloadKind::kPod;
  workload.namespace_name = std::move(namespace_name);
  workload.name = "web";
  for (auto& [name, image] : containers) {
    admission::Container container;
    container.name = std::move(name);
    container.image = std::move(image);
    workload.containers.push_back(std::move(container));
  }
  request.workload = std::move(workload);
  return request;
}

void DecisionFixture::SetUp() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "zastava-decision-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
  auto artifacts = store::EmbeddedArtifactStore::open(dir_ / "artifacts");
  ASSERT_TRUE(artifacts) << artifacts.error().message;
  artifacts_ = std::move(*artifacts);
  auto provcache = store::EmbeddedStore::open(dir_ / "provcache");
  ASSERT_TRUE(provcache) << provcache.error().message;
  provcache_ = std::move(*provcache);
  auto key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(key);
  key_.emplace(std::move(*key));
  auto other = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(other);
  other_key_.emplace(std::move(*other));
  decider_ = std::make_unique<Decider>(*artifacts_, *provcache_, labels_);
}

void DecisionFixture::TearDown() {
  decider_.reset();
  artifacts_.reset();
  provcache_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

nlohmann::json DecisionFixture::base_policy() const {
  return nlohmann::json{{"apiVersion", "zastava.stellaops.io/v1alpha1"},
                        {"kind", "CompiledPolicy"},
                        {"metadata", {{"name", "test-policy"}, {"version", "v1"}}},
                        {"defaults",
                         {{"mode", "Enforce"},
                          {"failurePolicy", "Fail"},
                          {"requireDigest", true},
                          {"requireSeal", true},
                          {"trustedKeys", nlohmann::json::array({key_->public_key().to_pem()})},
                          {"signatureThreshold", 1},
                          {"quotas",
                           {{"os",
                             {{"maxChurnPercent", 100},
                              {"maxChangedFiles", 2},
                              {"maxAddedFiles", 100},
                              {"maxRemovedFiles", 100},
                              {"onExceed", "Block"}}}}},
                          {"provcache", {{"minTrustScore", 0}, {"onMiss", "evaluate"}}}}},
                        {"scopes", nlohmann::json::array()}};
}

policy::CompiledPolicy DecisionFixture::compile(const nlohmann::json& document) {
  auto policy = policy::compile_policy(document);
  if (!policy) ADD_FAILURE() << policy.error().message;
  return policy ? std::move(*policy) : policy::CompiledPolicy{};
}

std::string DecisionFixture::seal(std::string_view digest, std::string_view facet_id,
                                  std::vector<facet::FileEntry> entries, bool approved,
                                  const crypto::PrivateKey* key, std::string_view repository,
                                  std::int64_t sealed_at) {
  const crypto::PrivateKey* signer = key != nullptr ? key : &*key_;
  auto type = facet::facet_type_for_id(facet_id);
  EXPECT_TRUE(type);
  const std::string time = format_rfc3339_utc(sealed_at, true);
  auto manifest = facet::build_manifest(std::string(facet_id), *type, std::move(entries), time);
  EXPECT_TRUE(manifest) << manifest.error().message;
  facet::FacetSeal seal;
  seal.seal_id = facet::new_seal_id();
  seal.image_ref = image_at(digest, repository);
  seal.image_digest = std::string(digest);
  seal.manifest = std::move(*manifest);
  seal.sealed_at = time;
  seal.sealed_by = "test";
  const crypto::PrivateKey* keys[] = {signer};
  auto envelope = facet::sign_seal(seal, keys);
  EXPECT_TRUE(envelope) << envelope.error().message;
  auto text = dsse::serialize(*envelope);
  EXPECT_TRUE(text);
  store::StoredArtifact artifact;
  artifact.id = store::artifact_id(*text);
  artifact.kind = store::ArtifactKind::kSeal;
  artifact.image_digest = std::string(digest);
  artifact.repository = std::string(repository);
  artifact.facet_id = std::string(facet_id);
  artifact.seal_id = seal.seal_id;
  artifact.approved = approved;
  artifact.created_at_seconds = sealed_at;
  artifact.envelope_json = std::move(*text);
  const Status stored = artifacts_->put(artifact);
  EXPECT_TRUE(stored) << stored.error().message;
  return seal.seal_id;
}

void DecisionFixture::put_statement(store::ArtifactKind kind, std::string_view digest,
                                    const nlohmann::json& predicate, const crypto::PrivateKey* key,
                                    std::int64_t created_at) {
  const crypto::PrivateKey* signer = key != nullptr ? key : &*key_;
  dsse::Statement statement;
  dsse::Subject subject;
  subject.name = std::string(kRepo);
  subject.digest["sha256"] = std::string(digest.substr(7));
  statement.subject.push_back(subject);
  statement.predicate_type = kind == store::ArtifactKind::kVex ? "https://openvex.dev/ns/v0.2.0"
                             : kind == store::ArtifactKind::kSbom
                                 ? "https://cyclonedx.org/bom"
                                 : "https://stellaops.io/findings/v1";
  auto predicate_json = json::canonicalize(predicate);
  ASSERT_TRUE(predicate_json);
  statement.predicate_json = *predicate_json;
  auto payload = dsse::to_canonical_json(statement);
  ASSERT_TRUE(payload) << payload.error().message;
  const crypto::PrivateKey* keys[] = {signer};
  auto envelope = dsse::sign_envelope(dsse::kInTotoPayloadType, as_bytes(*payload), keys);
  ASSERT_TRUE(envelope);
  auto text = dsse::serialize(*envelope);
  ASSERT_TRUE(text);
  store::StoredArtifact artifact;
  artifact.id = store::artifact_id(*text);
  artifact.kind = kind;
  artifact.image_digest = std::string(digest);
  artifact.created_at_seconds = created_at;
  artifact.envelope_json = std::move(*text);
  const Status stored = artifacts_->put(artifact);
  ASSERT_TRUE(stored) << stored.error().message;
}

nlohmann::json DecisionFixture::vex_document(std::string_view digest, std::string_view status,
                                             std::string_view justification, bool name_product,
                                             std::string_view vulnerability) {
  nlohmann::json statement{{"vulnerability", {{"name", vulnerability}}}, {"status", status}};
  if (name_product) {
    auto purl = facet::oci_purl(kRepo, digest);
    EXPECT_TRUE(purl);
    statement["products"] = nlohmann::json::array({{{"@id", *purl}}});
  }
  if (!justification.empty()) statement["justification"] = justification;
  return nlohmann::json{{"@context", "https://openvex.dev/ns/v0.2.0"},
                        {"@id", "https://example.com/vex/" + std::string(digest.substr(7, 12)) +
                                    std::string(status) + std::string(vulnerability)},
                        {"author", "security@example.com"},
                        {"timestamp", "2026-11-17T00:00:00Z"},
                        {"version", 1},
                        {"statements", nlohmann::json::array({statement})}};
}

nlohmann::json DecisionFixture::sbom_document(int components, std::string_view name) {
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < components; ++i) {
    const std::string component = std::string(name) + std::to_string(i);
    list.push_back(
        {{"type", "library"},
         {"name", component},
         {"version", "1.0"},
         {"purl", "pkg:generic/" + component + "@1.0"},
         {"licenses", nlohmann::json::array({{{"license", {{"id", "MIT"}}}}})},
         {"hashes", nlohmann::json::array(
                        {{{"alg", "SHA-256"}, {"content", digest_of(component).substr(7)}}})}});
  }
  return nlohmann::json{
      {"bomFormat", "CycloneDX"}, {"specVersion", "1.6"}, {"version", 1}, {"components", list}};
}

AdmissionOutcome DecisionFixture::decide(const policy::CompiledPolicy& policy,
                                         const admission::AdmissionRequest& request,
                                         std::int64_t now) {
  DecisionTime time;
  time.now_seconds = now;
  return decider_->decide(request, policy, time);
}

bool any_contains(const std::vector<std::string>& lines, std::string_view needle) {
  for (const std::string& line : lines) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string annotation(const AdmissionOutcome& outcome, std::string_view key) {
  for (const auto& [name, value] : outcome.audit_annotations) {
    if (name == key) return value;
  }
  return {};
}

}  // namespace zastava::decision::testing
