// Tests for api/ingestion_api: real facet seals (facet::sign_seal) and real
// in-toto envelopes signed by keys made here, verified against a compiled
// policy, stored in a real embedded artifact store. Every refusal is checked
// to leave the store untouched.
#include "api/ingestion_api.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dsse/in_toto.hpp"
#include "dsse/signing.hpp"
#include "facet/manifest.hpp"
#include "facet/seal.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "json/canonical_json.hpp"
#include "metrics/registry.hpp"
#include "policy/policy_document.hpp"
#include "store/embedded_artifact_store.hpp"
#include "store/embedded_store.hpp"
#include "test_pki.hpp"

namespace zastava::api {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kHex = std::string(63, '1') + "2";
const std::string kDigest = "sha256:" + kHex;
const std::string kOtherDigest = "sha256:" + std::string(64, '9');
const std::string kImage = "registry.example.com/app@" + kDigest;
const std::string kFileA = "sha256:" + std::string(64, 'a');
const std::string kFileB = "sha256:" + std::string(64, 'b');
constexpr std::int64_t kNow = 1'767'700'000;
constexpr std::int64_t kJan1 = 1'767'225'600;

crypto::PrivateKey generate(crypto::KeyType type) {
  auto key = crypto::PrivateKey::generate(type);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

facet::FacetSeal make_seal(const std::string& facet_id, facet::FacetType type,
                           const std::string& image_digest) {
  auto manifest = facet::build_manifest(facet_id, type,
                                        {facet::FileEntry{"/etc/hosts", kFileA, 20, 0644, kJan1},
                                         facet::FileEntry{"/etc/hostname", kFileB, 8, 0644, kJan1}},
                                        "2026-01-05T10:00:00.000Z");
  EXPECT_TRUE(manifest.ok()) << manifest.error().describe();
  facet::FacetSeal seal;
  seal.seal_id = facet::new_seal_id();
  seal.image_ref = "registry.example.com/app:v1";
  seal.image_digest = image_digest;
  seal.manifest = std::move(manifest).value();
  seal.sealed_at = "2026-01-05T10:05:00.000Z";
  seal.sealed_by = "ci@example.com";
  return seal;
}

// The seals file `stella seal --output` writes, as JSON, every seal signed by `key`.
Json seals_file(const crypto::PrivateKey& key, const std::string& image_digest = kDigest) {
  facet::SealsFile file;
  file.image_ref = "registry.example.com/app:v1";
  file.image_digest = image_digest;
  const std::vector<const crypto::PrivateKey*> keys = {&key};
  for (const auto& [id, type] : {std::pair{"config", facet::FacetType::kConfig},
                                 std::pair{"binary", facet::FacetType::kBinary}}) {
    file.seals.push_back(facet::sign_seal(make_seal(id, type, image_digest), keys).value());
  }
  return Json::parse(facet::serialize_seals_file(file).value());
}

std::string seals_body(const Json& file, const std::string& image = kImage, bool approve = false) {
  return Json{{"image", image}, {"approve", approve}, {"sealsFile", file}}.dump();
}

// A DSSE envelope of an in-toto statement about `subject_name` / `digest_hex`.
std::string attestation(const crypto::PrivateKey& key, std::string_view predicate_type,
                        const Json& predicate, const std::string& subject_name,
                        const std::string& digest_hex = kHex) {
  dsse::Statement statement;
  statement.subject = {dsse::Subject{subject_name, {{"sha256", digest_hex}}}};
  statement.predicate_type = std::string(predicate_type);
  statement.predicate_json = json::canonicalize(predicate).value();
  const std::string payload = dsse::to_canonical_json(statement).value();
  const std::vector<const crypto::PrivateKey*> keys = {&key};
  auto envelope = dsse::sign_envelope(dsse::kInTotoPayloadType, as_bytes(payload), keys).value();
  return dsse::serialize(envelope).value();
}

const Json kVex = Json::parse(R"({"@context":"https://openvex.dev/ns/v0.2.0","statements":[
  {"vulnerability":{"name":"CVE-2025-0001"},"status":"not_affected",
   "justification":"component_not_present","products":["pkg:oci/app"]}]})");
const Json kSbom = Json::parse(
    R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
        "components":[{"type":"library","name":"openssl","version":"3.0.15"}]})");
const Json kFindings = Json::parse(
    R"({"feedId":"scanner","findings":[{"id":"CVE-2025-0002","purl":"pkg:deb/debian/openssl@3.0.15",
        "severity":"high"}]})");

http::Request post(std::string path, std::string body, bool authenticated = true) {
  http::Request request;
  request.method = "POST";
  request.target = path;
  request.path = std::move(path);
  request.body = std::move(body);
  request.headers.emplace_back("content-type", "application/json");
  request.identity.authenticated = authenticated;
  request.identity.subject = authenticated ? "bearer-token" : "";
  return request;
}

http::Request get(std::string path) {
  http::Request request;
  request.method = "GET";
  request.target = path;
  request.path = std::move(path);
  return request;
}

class IngestionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "zastava-ingestion-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    store_ = store::EmbeddedArtifactStore::open(root_ / "artifacts").value();
    // The defaults trust `trusted_`; the payments scope trusts only `payments_`.
    const Json document = {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
                           {"kind", "CompiledPolicy"},
                           {"metadata", {{"name", "test"}}},
                           {"defaults", {{"trustedKeys", {trusted_.public_key().to_pem()}}}},
                           {"scopes",
                            {{{"name", "payments"},
                              {"images", {"registry.example.com/payments/**"}},
                              {"trustedKeys", {payments_.public_key().to_pem()}}}}}};
    auto compiled = policy::compile_policy(document);
    ASSERT_TRUE(compiled.ok()) << compiled.error().describe();
    policy_ = std::make_shared<const policy::CompiledPolicy>(std::move(*compiled));
    api_ = std::make_unique<IngestionApi>(
        *store_, [this] { return policy_; }, [] { return kNow; }, &registry_);
    handler_ = api_->handler();
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  std::size_t stored(const std::string& digest = kDigest) {
    return store_->for_image(digest).value().size();
  }

  fs::path root_;
  crypto::PrivateKey trusted_ = generate(crypto::KeyType::kEcdsaP256);
  crypto::PrivateKey payments_ = generate(crypto::KeyType::kEd25519);
  crypto::PrivateKey stranger_ = generate(crypto::KeyType::kEcdsaP256);
  std::unique_ptr<store::EmbeddedArtifactStore> store_;
  std::shared_ptr<const policy::CompiledPolicy> policy_;
  metrics::Registry registry_;
  std::unique_ptr<IngestionApi> api_;
  http::Handler handler_;
};

TEST_F(IngestionApiTest, AcceptsVerifiedSealsOneArtifactEach) {
  const Json file = seals_file(trusted_);
  const http::Response response = handler_(post("/v1/seals", seals_body(file)));
  ASSERT_EQ(response.status, 201U) << response.body;
  const Json body = Json::parse(response.body);
  EXPECT_EQ(body.at("imageDigest"), kDigest);
  EXPECT_EQ(body.at("repository"), "registry.example.com/app");
  EXPECT_EQ(body.at("scope"), "defaults");
  ASSERT_EQ(body.at("seals").size(), 2U);

  auto artifacts = store_->for_image(kDigest).value();
  ASSERT_EQ(artifacts.size(), 2U);
  for (const store::StoredArtifact& artifact : artifacts) {
    EXPECT_EQ(artifact.kind, store::ArtifactKind::kSeal);
    EXPECT_EQ(artifact.repository, "registry.example.com/app");
    EXPECT_FALSE(artifact.approved);
    EXPECT_EQ(artifact.created_at_seconds, 1767607500);  // 2026-01-05T10:05:00Z
    // The stored envelope is a verifiable seal.
    auto envelope = dsse::parse_envelope(artifact.envelope_json).value();
    auto verified = facet::verify_seal(envelope, policy_->defaults.trust_set);
    ASSERT_TRUE(verified.ok()) << verified.error().describe();
    EXPECT_EQ(verified->seal.seal_id, artifact.seal_id);
    EXPECT_EQ(verified->seal.manifest.facet_id, artifact.facet_id);
  }

  // The same upload again: nothing new, 200.
  const http::Response again = handler_(post("/v1/seals", seals_body(file)));
  EXPECT_EQ(again.status, 200U) << again.body;
  EXPECT_EQ(stored(), 2U);
}

TEST_F(IngestionApiTest, ApproveAtIngestionAndLater) {
  const Json approved_file = seals_file(trusted_);
  ASSERT_EQ(handler_(post("/v1/seals", seals_body(approved_file, kImage, true))).status, 201U);
  auto baseline = store_->latest_approved_seal("registry.example.com/app", "config").value();
  ASSERT_TRUE(baseline.has_value());

  const Json later_file = seals_file(trusted_, kOtherDigest);
  const std::string other_image = "registry.example.com/app@" + kOtherDigest;
  ASSERT_EQ(handler_(post("/v1/seals", seals_body(later_file, other_image))).status, 201U);
  const std::string seal_id = store_->for_image(kOtherDigest).value().front().seal_id;
  EXPECT_FALSE(store_->seal_by_id(seal_id).value()->approved);

  const http::Response unauthenticated =
      handler_(post("/v1/seals/" + seal_id + "/approve", "", false));
  EXPECT_EQ(unauthenticated.status, 401U);
  EXPECT_FALSE(store_->seal_by_id(seal_id).value()->approved);

  const http::Response approved = handler_(post("/v1/seals/" + seal_id + "/approve", ""));
  ASSERT_EQ(approved.status, 200U) << approved.body;
  EXPECT_TRUE(store_->seal_by_id(seal_id).value()->approved);

  const http::Response missing =
      handler_(post("/v1/seals/00000000-0000-4000-8000-000000000000/approve", ""));
  EXPECT_EQ(missing.status, 404U);
}

TEST_F(IngestionApiTest, SealsSignedByAnUntrustedKeyAre422AndNotStored) {
  const http::Response response = handler_(post("/v1/seals", seals_body(seals_file(stranger_))));
  EXPECT_EQ(response.status, 422U);
  EXPECT_NE(response.body.find("scope \\\"defaults\\\""), std::string::npos) << response.body;
  EXPECT_EQ(stored(), 0U);
}

TEST_F(IngestionApiTest, ScopeKeysApplyByImage) {
  // payments images are governed by the payments scope (every namespace):
  // its key is accepted, the defaults' key is not.
  const std::string payments = "registry.example.com/payments/api@" + kDigest;
  EXPECT_EQ(handler_(post("/v1/seals", seals_body(seals_file(trusted_), payments))).status, 422U);
  EXPECT_EQ(stored(), 0U);
  const http::Response accepted =
      handler_(post("/v1/seals", seals_body(seals_file(payments_), payments)));
  ASSERT_EQ(accepted.status, 201U) << accepted.body;
  EXPECT_EQ(Json::parse(accepted.body).at("scope"), "payments");
  // And the payments key does not vouch for other images.
  EXPECT_EQ(handler_(post("/v1/seals", seals_body(seals_file(payments_), kImage))).status, 422U);
  EXPECT_EQ(stored(), 2U);
}

TEST_F(IngestionApiTest, DigestMismatchAndTagOnlyAre422) {
  const Json file = seals_file(trusted_);
  const http::Response mismatch =
      handler_(post("/v1/seals", seals_body(file, "registry.example.com/app@" + kOtherDigest)));
  EXPECT_EQ(mismatch.status, 422U);
  EXPECT_NE(mismatch.body.find("imageDigest"), std::string::npos);
  const http::Response tag_only =
      handler_(post("/v1/seals", seals_body(file, "registry.example.com/app:v1")));
  EXPECT_EQ(tag_only.status, 422U);
  EXPECT_EQ(stored(), 0U);
  EXPECT_EQ(stored(kOtherDigest), 0U);
}

TEST_F(IngestionApiTest, TamperedSealIs422) {
  Json file = seals_file(trusted_);
  // Swap the second seal's signature for the first's: a valid envelope
  // shape, a signature that does not verify.
  file["seals"][1]["signatures"] = file["seals"][0]["signatures"];
  const http::Response response = handler_(post("/v1/seals", seals_body(file)));
  EXPECT_EQ(response.status, 422U) << response.body;
  EXPECT_EQ(stored(), 0U);  // not even the good first seal
}

TEST_F(IngestionApiTest, UnauthenticatedMalformedAndWrongTypeWriteNothing) {
  const http::Response unauthenticated =
      handler_(post("/v1/seals", seals_body(seals_file(trusted_)), false));
  EXPECT_EQ(unauthenticated.status, 401U);
  ASSERT_FALSE(unauthenticated.headers.empty());
  EXPECT_EQ(unauthenticated.headers.front().first, "WWW-Authenticate");

  const http::Response attestation_401 = handler_(
      post("/v1/attestations",
           attestation(trusted_, kVexPredicateType, kVex, "registry.example.com/app"), false));
  EXPECT_EQ(attestation_401.status, 401U);

  EXPECT_EQ(handler_(post("/v1/seals", "{not json")).status, 400U);
  EXPECT_EQ(handler_(post("/v1/seals", R"({"image":"x","sealsFile":{},"extra":1})")).status, 400U);
  http::Request text = post("/v1/seals", seals_body(seals_file(trusted_)));
  text.headers = {{"content-type", "text/plain"}};
  EXPECT_EQ(handler_(text).status, 415U);
  EXPECT_EQ(stored(), 0U);
}

TEST_F(IngestionApiTest, NoPolicyLoadedIs503) {
  policy_.reset();
  EXPECT_EQ(handler_(post("/v1/seals", seals_body(seals_file(trusted_)))).status, 503U);
  EXPECT_EQ(stored(), 0U);
}

TEST_F(IngestionApiTest, AcceptsVexSbomAndFindingsAttestations) {
  const std::string subject = "registry.example.com/app";
  for (const auto& [type, predicate, kind] :
       {std::tuple{kVexPredicateType, kVex, "vex"}, std::tuple{kSbomPredicateType, kSbom, "sbom"},
        std::tuple{kFindingsPredicateType, kFindings, "findings"}}) {
    const std::string envelope = attestation(trusted_, type, predicate, subject);
    const http::Response response = handler_(post("/v1/attestations", envelope));
    ASSERT_EQ(response.status, 201U) << kind << ": " << response.body;
    EXPECT_EQ(Json::parse(response.body).at("kind"), kind);
    EXPECT_EQ(handler_(post("/v1/attestations", envelope)).status, 200U);  // idempotent
  }
  const auto artifacts = store_->for_image(kDigest).value();
  ASSERT_EQ(artifacts.size(), 3U);
  EXPECT_EQ(artifacts[0].kind, store::ArtifactKind::kVex);
  EXPECT_EQ(artifacts[0].created_at_seconds, kNow);
  EXPECT_EQ(artifacts[1].kind, store::ArtifactKind::kSbom);
  EXPECT_EQ(artifacts[2].kind, store::ArtifactKind::kFindings);

  const http::Response listing = handler_(get("/v1/images/" + kDigest + "/artifacts"));
  ASSERT_EQ(listing.status, 200U);
  const Json body = Json::parse(listing.body);
  ASSERT_EQ(body.at("artifacts").size(), 3U);
  EXPECT_EQ(body.at("artifacts")[0].at("kind"), "vex");
  EXPECT_EQ(body.at("artifacts")[0].at("id"), artifacts[0].id);
  EXPECT_EQ(handler_(get("/v1/images/latest/artifacts")).status, 400U);
}

TEST_F(IngestionApiTest, SarifFindingsAreAccepted) {
  const Json sarif = Json::parse(R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grype"}},
      "results":[{"ruleId":"CVE-2025-0003","properties":{"security-severity":"9.1"}}]}]})");
  const http::Response response =
      handler_(post("/v1/attestations", attestation(trusted_, kFindingsPredicateType, sarif,
                                                    "registry.example.com/app")));
  EXPECT_EQ(response.status, 201U) << response.body;
}

TEST_F(IngestionApiTest, RefusedAttestationsAre422AndNotStored) {
  const std::string subject = "registry.example.com/app";
  struct Case {
    const char* name;
    std::string envelope;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"wrong key", attestation(stranger_, kVexPredicateType, kVex, subject), "scope"},
      {"scope key elsewhere", attestation(payments_, kVexPredicateType, kVex, subject), "scope"},
      {"unknown predicate type",
       attestation(trusted_, "https://slsa.dev/provenance/v1", kVex, subject), "predicateType"},
      {"bad vex", attestation(trusted_, kVexPredicateType, Json{{"statements", 1}}, subject),
       "predicate"},
      {"sbom that is not CycloneDX", attestation(trusted_, kSbomPredicateType, kVex, subject),
       "predicate"},
      {"bad findings", attestation(trusted_, kFindingsPredicateType, Json{{"x", 1}}, subject),
       "predicate"},
      {"no subject name", attestation(trusted_, kVexPredicateType, kVex, ""), "name"},
      {"subject digest mismatch",
       attestation(trusted_, kVexPredicateType, kVex, subject + "@" + kOtherDigest), "digest"},
  };
  for (const Case& c : cases) {
    const http::Response response = handler_(post("/v1/attestations", c.envelope));
    EXPECT_EQ(response.status, 422U) << c.name << ": " << response.body;
    EXPECT_NE(response.body.find(c.reason), std::string::npos) << c.name << ": " << response.body;
  }
  EXPECT_EQ(stored(), 0U);
  EXPECT_EQ(stored(kOtherDigest), 0U);
  EXPECT_EQ(handler_(post("/v1/attestations", "{}")).status, 400U);

  // The payments scope's key vouches for payments images.
  const http::Response payments =
      handler_(post("/v1/attestations", attestation(payments_, kVexPredicateType, kVex,
                                                    "registry.example.com/payments/api")));
  EXPECT_EQ(payments.status, 201U) << payments.body;
  EXPECT_EQ(stored(), 1U);
}

TEST_F(IngestionApiTest, CountsRequestsByEndpointAndCode) {
  ASSERT_EQ(handler_(post("/v1/seals", seals_body(seals_file(trusted_)), false)).status, 401U);
  EXPECT_EQ(
      registry_
          .counter("ingestion_api_requests_total", "Ingestion API requests by endpoint and status",
                   {{"endpoint", "seals"}, {"code", "401"}})
          .value(),
      1U);
}

// End to end: the ingestion API beside the provcache API on one TLS port
// with a bearer token file, as the webhook hosts them.
TEST_F(IngestionApiTest, OverTlsBesideTheProvcacheApi) {
  auto pki = zastava::testing::TestPki::create();
  const std::string token = "ingestion-token-0123456789";
  const std::string token_file = (pki->dir() / "token").string();
  zastava::testing::write_file(token_file, token);
  auto provcache_store = store::EmbeddedStore::open(root_ / "provcache").value();
  ProvcacheApi provcache_api(*provcache_store, [] { return kNow; });
  http::Router router;
  provcache_api.add_routes(router);
  api_->add_routes(router);

  http::ListenerConfig listener;
  listener.name = "api";
  listener.address = "127.0.0.1";
  listener.tls = http::TlsFiles{pki->server1().cert, pki->server1().key, ""};
  listener.token_file = token_file;
  listener.handler = router.handler();
  http::ServerConfig config;
  config.threads = 2;
  config.listeners.push_back(std::move(listener));
  auto server = http::Server::start(std::move(config));
  ASSERT_TRUE(server.ok()) << server.error().describe();
  const auto connect = [&](const std::string& bearer) {
    http::ClientOptions options;
    options.ca_file = pki->ca_cert();
    options.bearer_token = bearer;
    return http::Client::connect("https://localhost:" + std::to_string((*server)->port("api")),
                                 options)
        .value();
  };

  const std::string body = seals_body(seals_file(trusted_), kImage, true);
  auto anonymous = connect("")->post("/v1/seals", body);
  ASSERT_TRUE(anonymous.ok()) << anonymous.error().describe();
  EXPECT_EQ(anonymous->status, 401U);
  EXPECT_EQ(stored(), 0U);

  auto writer = connect(token);
  auto accepted = writer->post("/v1/seals", body);
  ASSERT_TRUE(accepted.ok()) << accepted.error().describe();
  EXPECT_EQ(accepted->status, 201U) << accepted->body;
  auto vex = writer->post("/v1/attestations", attestation(trusted_, kVexPredicateType, kVex,
                                                          "registry.example.com/app"));
  ASSERT_TRUE(vex.ok());
  EXPECT_EQ(vex->status, 201U) << vex->body;

  auto listing = connect("")->get("/v1/images/" + kDigest + "/artifacts");
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->status, 200U);
  const Json artifacts = Json::parse(listing->body).at("artifacts");
  ASSERT_EQ(artifacts.size(), 3U);
  EXPECT_EQ(artifacts[0].at("kind"), "seal");
  EXPECT_EQ(artifacts[0].at("approved"), true);
  EXPECT_EQ(artifacts[2].at("kind"), "vex");
  // The provcache API still answers on the same port.
  EXPECT_EQ(connect("")->get("/v1/provcache/sha256:" + std::string(64, '0'))->status, 404U);
}

}  // namespace
}  // namespace zastava::api
