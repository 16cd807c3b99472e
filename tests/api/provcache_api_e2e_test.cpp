// The provcache API end to end: http::Server over real TLS with a bearer
// token file, store::EmbeddedStore in a temp directory, http::Client.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "api/provcache_api.hpp"
#include "api_fixtures.hpp"
#include "base/base64.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "store/embedded_store.hpp"
#include "test_pki.hpp"

namespace zastava::api {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::make_entry;
using testing::make_evidence;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr const char* kToken = "e2e-token-0123456789";

class ProvcacheApiEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = zastava::testing::TestPki::create();
    std::random_device random;
    data_dir_ = fs::temp_directory_path() / ("zastava-api-e2e-" + std::to_string(random()));
    auto opened = store::EmbeddedStore::open(data_dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    store_ = std::move(*opened);
    api_ = std::make_unique<ProvcacheApi>(*store_, [] { return kNow; });
    const std::string token_file = (pki_->dir() / "token").string();
    zastava::testing::write_file(token_file, kToken);

    http::ListenerConfig listener;
    listener.name = "provcache";
    listener.address = "127.0.0.1";
    listener.tls = http::TlsFiles{pki_->server1().cert, pki_->server1().key, ""};
    listener.token_file = token_file;
    listener.handler = api_->handler();
    http::ServerConfig config;
    config.threads = 2;
    config.listeners.push_back(std::move(listener));
    auto server = http::Server::start(std::move(config));
    ASSERT_TRUE(server.ok()) << server.error().describe();
    server_ = std::move(*server);
  }

  void TearDown() override {
    server_.reset();
    api_.reset();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(data_dir_, ignored);
  }

  std::unique_ptr<http::Client> client(const std::string& token) const {
    http::ClientOptions options;
    options.ca_file = pki_->ca_cert();
    options.bearer_token = token;
    auto connected = http::Client::connect(
        "https://localhost:" + std::to_string(server_->port("provcache")), options);
    EXPECT_TRUE(connected.ok()) << connected.error().describe();
    return connected.ok() ? std::move(*connected) : nullptr;
  }

  std::unique_ptr<zastava::testing::TestPki> pki_;
  fs::path data_dir_;
  std::unique_ptr<store::EmbeddedStore> store_;
  std::unique_ptr<ProvcacheApi> api_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(ProvcacheApiEndToEnd, EntriesEvidenceAndInvalidationOverTls) {
  auto writer = client(kToken);
  ASSERT_NE(writer, nullptr);
  const auto entry = make_entry("app", kNow);
  const std::string entry_text = provcache::entry_to_json(entry).value();
  EXPECT_EQ(writer->post("/v1/provcache", entry_text)->status, 201u);
  EXPECT_EQ(writer->post("/v1/provcache", entry_text)->status, 200u);

  auto reader = client("");
  auto found = reader->get("/v1/provcache/" + entry.veri_key());
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->status, 200u) << found->body;
  const auto body = nlohmann::json::parse(found->body);
  EXPECT_EQ(body["source"], "embedded");
  EXPECT_EQ(provcache::parse_entry(body["entry"].dump()).value(), entry);

  // Evidence: upload, manifest, every chunk with its hash.
  const auto evidence = make_evidence();
  nlohmann::json upload;
  upload["manifest"] =
      nlohmann::json::parse(provcache::manifest_to_json(provcache::manifest_of(evidence)).value());
  for (const Bytes& chunk : evidence.chunks())
    upload["chunks"].push_back(encoding::base64_encode(chunk));
  EXPECT_EQ(writer->post("/v1/proofs", upload.dump())->status, 201u);
  auto manifest = reader->get("/v1/proofs/" + evidence.proof_root());
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(manifest->status, 200u);
  EXPECT_EQ(provcache::parse_manifest(manifest->body).value(), provcache::manifest_of(evidence));
  std::vector<Bytes> fetched;
  for (std::size_t i = 0; i < evidence.chunk_count(); ++i) {
    auto chunk =
        reader->get("/v1/proofs/" + evidence.proof_root() + "/chunks/" + std::to_string(i));
    ASSERT_TRUE(chunk.ok());
    ASSERT_EQ(chunk->status, 200u);
    EXPECT_EQ(chunk->header("x-chunk-hash").value_or(""), evidence.metadata()[i].hash);
    EXPECT_EQ(chunk->header("content-type").value_or(""), "application/octet-stream");
    fetched.push_back(to_bytes(chunk->body));
  }
  // The fetched chunks rebuild evidence with the advertised Merkle root.
  auto whole = provcache::reassemble_evidence(fetched, evidence.proof_root(),
                                              provcache::ChunkingPolicy{16, 1000});
  ASSERT_TRUE(whole.ok()) << whole.error().describe();
  EXPECT_EQ(whole->size(), evidence.total_size());

  // Invalidation by the token holder removes the entry and names the caller.
  auto invalidated = writer->post("/v1/provcache/invalidate",
                                  R"({"by":"signer_set_hash","value":")" + entry.signer_set_hash +
                                      R"(","reason":"key-compromise"})");
  ASSERT_TRUE(invalidated.ok());
  ASSERT_EQ(invalidated->status, 200u) << invalidated->body;
  const auto revocation = nlohmann::json::parse(invalidated->body)["revocation"];
  EXPECT_EQ(revocation["actor"], "bearer-token");
  EXPECT_EQ(revocation["entriesAffected"], 1);
  EXPECT_EQ(reader->get("/v1/provcache/" + entry.veri_key())->status, 404u);
  auto audit = store_->revocations(10);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 1u);
}

TEST_F(ProvcacheApiEndToEnd, WithoutTheTokenNothingIsWritten) {
  const auto entry = make_entry("app", kNow);
  for (const std::string& token : {std::string(), std::string("wrong-token")}) {
    auto anonymous = client(token);
    auto refused = anonymous->post("/v1/provcache", provcache::entry_to_json(entry).value());
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->status, 401u);
    EXPECT_EQ(refused->header("www-authenticate").value_or(""), "Bearer");
    EXPECT_EQ(anonymous->get("/v1/provcache/" + entry.veri_key())->status, 404u);
  }
  EXPECT_EQ(store_->count().value(), 0u);
  EXPECT_EQ(client(kToken)->post("/v1/provcache", "{not json")->status, 400u);
}

}  // namespace
}  // namespace zastava::api
