// The provcache API's handlers as pure functions over an in-memory store
// double (no sockets): every endpoint, idempotency, authentication and the
// mapping of store errors.
#include "api/provcache_api.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "api_fixtures.hpp"
#include "base/base64.hpp"
#include "metrics/registry.hpp"

namespace zastava::api {
namespace {

using http::Request;
using http::Response;
using testing::make_entry;
using testing::make_evidence;

constexpr std::int64_t kNow = 1'800'000'000;

// A ProvcacheStore in a few maps, counting writes, with injectable failures.
class MemoryStore final : public store::ProvcacheStore {
 public:
  std::string_view name() const noexcept override { return "memory-double"; }

  Result<store::Lookup> get(std::string_view veri_key, std::int64_t now) override {
    if (failure) return *failure;
    store::Lookup lookup;
    const auto it = entries.find(std::string(veri_key));
    if (it != entries.end() && it->second.expires_at() > now) {
      lookup.entry = it->second;
      lookup.source = store::LookupSource::kMemory;
    }
    return lookup;
  }
  Status put(const provcache::ProvcacheEntry& entry) override {
    if (failure) return *failure;
    ++writes;
    entries[entry.veri_key()] = entry;
    return ok_status();
  }
  Result<provcache::InvalidationResult> remove_matching(
      const provcache::InvalidationRequest& request, std::int64_t now) override {
    if (failure) return *failure;
    ++writes;
    provcache::InvalidationResult result;
    for (auto it = entries.begin(); it != entries.end();) {
      if (provcache::matches(request, it->second, now)) {
        result.veri_keys.push_back(it->first);
        it = entries.erase(it);
      } else {
        ++it;
      }
    }
    return result;
  }
  Status record_revocation(const provcache::RevocationRecord& record) override {
    ++writes;
    revocation_log.push_back(record);
    return ok_status();
  }
  Result<std::vector<provcache::RevocationRecord>> revocations(std::size_t) override {
    return revocation_log;
  }
  Status put_evidence(const provcache::EvidenceManifest& manifest,
                      std::span<const Bytes> chunk_bytes) override {
    if (failure) return *failure;
    if (chunk_bytes.size() != manifest.chunks.size()) {
      return make_error(ErrorCode::kInvalidArgument, "chunk count mismatch");
    }
    ++writes;
    manifests[manifest.proof_root] = manifest;
    chunks[manifest.proof_root].assign(chunk_bytes.begin(), chunk_bytes.end());
    return ok_status();
  }
  Result<std::optional<provcache::EvidenceManifest>> get_evidence(std::string_view root) override {
    if (failure) return *failure;
    const auto it = manifests.find(std::string(root));
    if (it == manifests.end()) return std::optional<provcache::EvidenceManifest>();
    return std::optional(it->second);
  }
  Result<std::optional<Bytes>> get_chunk(std::string_view root, std::uint64_t index) override {
    if (failure) return *failure;
    const auto it = chunks.find(std::string(root));
    if (it == chunks.end() || index >= it->second.size()) return std::optional<Bytes>();
    return std::optional(it->second[index]);
  }
  Result<std::uint64_t> count() override { return entries.size(); }

  std::map<std::string, provcache::ProvcacheEntry> entries;
  std::map<std::string, provcache::EvidenceManifest> manifests;
  std::map<std::string, std::vector<Bytes>> chunks;
  std::vector<provcache::RevocationRecord> revocation_log;
  std::optional<Error> failure;
  int writes = 0;
};

Request request(std::string method, std::string path, std::string body = {},
                bool authenticated = true) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  r.body = std::move(body);
  if (authenticated) r.identity = http::Identity{true, "CN=operator"};
  return r;
}

std::string entry_json(const provcache::ProvcacheEntry& entry) {
  return provcache::entry_to_json(entry).value();
}

std::string upload_json(const provcache::ChunkedEvidence& evidence) {
  nlohmann::json upload;
  upload["manifest"] =
      nlohmann::json::parse(provcache::manifest_to_json(provcache::manifest_of(evidence)).value());
  upload["chunks"] = nlohmann::json::array();
  for (const Bytes& chunk : evidence.chunks())
    upload["chunks"].push_back(encoding::base64_encode(chunk));
  return upload.dump();
}

class ProvcacheApiTest : public ::testing::Test {
 protected:
  MemoryStore store_;
  metrics::Registry registry_;
  ProvcacheApi api_{store_, [] { return kNow; }, &registry_};
  http::Handler handler_ = api_.handler();
};

TEST_F(ProvcacheApiTest, GetEntryReturnsEntryAndSource) {
  const auto entry = make_entry("app", kNow);
  store_.entries[entry.veri_key()] = entry;
  const Response response = handler_(request("GET", "/v1/provcache/" + entry.veri_key()));
  ASSERT_EQ(response.status, 200u) << response.body;
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["source"], "memory");
  EXPECT_EQ(provcache::parse_entry(body["entry"].dump()).value(), entry);
}

TEST_F(ProvcacheApiTest, GetUnknownOrExpiredEntryIs404) {
  EXPECT_EQ(handler_(request("GET", "/v1/provcache/sha256:00")).status, 404u);
  const auto expired = make_entry("old", kNow - 7200);
  store_.entries[expired.veri_key()] = expired;
  EXPECT_EQ(handler_(request("GET", "/v1/provcache/" + expired.veri_key())).status, 404u);
}

TEST_F(ProvcacheApiTest, PostEntryIsCreatedThenIdempotent) {
  const auto entry = make_entry("app", kNow);
  const Response first = handler_(request("POST", "/v1/provcache", entry_json(entry)));
  EXPECT_EQ(first.status, 201u) << first.body;
  EXPECT_EQ(nlohmann::json::parse(first.body)["veriKey"], entry.veri_key());
  EXPECT_EQ(store_.entries.at(entry.veri_key()), entry);
  const Response again = handler_(request("POST", "/v1/provcache", entry_json(entry)));
  EXPECT_EQ(again.status, 200u);
  EXPECT_FALSE(nlohmann::json::parse(again.body)["created"].get<bool>());
  EXPECT_EQ(store_.writes, 1);  // the second POST wrote nothing
  // The same decision with other bookkeeping is still the same entry.
  auto touched = entry;
  touched.hit_count = 7;
  touched.updated_at_seconds += 5;
  EXPECT_EQ(handler_(request("POST", "/v1/provcache", entry_json(touched))).status, 200u);
  EXPECT_EQ(store_.writes, 1);
  // Another decision under the same VeriKey replaces it (200, not created).
  auto changed = entry;
  changed.feed_epoch = "2026-11-22";
  EXPECT_EQ(handler_(request("POST", "/v1/provcache", entry_json(changed))).status, 200u);
  EXPECT_EQ(store_.entries.at(entry.veri_key()).feed_epoch, "2026-11-22");
}

TEST_F(ProvcacheApiTest, UnauthenticatedPostsAre401AndWriteNothing) {
  const auto entry = make_entry("app", kNow);
  const std::vector<Request> posts = {
      request("POST", "/v1/provcache", entry_json(entry), false),
      request("POST", "/v1/provcache/invalidate",
              R"({"by":"policy_hash","value":")" + entry.policy_hash + R"("})", false),
      request("POST", "/v1/proofs", upload_json(make_evidence()), false)};
  store_.entries[entry.veri_key()] = entry;
  for (const Request& post : posts) {
    const Response response = handler_(post);
    EXPECT_EQ(response.status, 401u) << post.path;
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(response.headers[0].second, "Bearer");
  }
  EXPECT_EQ(store_.writes, 0);
  EXPECT_EQ(store_.entries.size(), 1u);
  EXPECT_TRUE(store_.manifests.empty());
}

TEST_F(ProvcacheApiTest, MalformedBodiesAre400) {
  auto tampered = nlohmann::json::parse(entry_json(make_entry("app", kNow)));
  tampered["verdict"]["verdict"] = "deny";  // no longer hashes to verdictHash
  for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/provcache", "not json"},
           {"/v1/provcache", R"({"decision":{}})"},
           {"/v1/provcache", tampered.dump()},
           {"/v1/provcache/invalidate", R"({"by":"everything","value":"x"})"},
           {"/v1/provcache/invalidate", R"({"by":"policy_hash","value":"not-a-hash"})"},
           {"/v1/provcache/invalidate", "[]"},
           {"/v1/proofs", R"({"manifest":{}})"},
           {"/v1/proofs", R"({"manifest":{},"chunks":[]})"},
           {"/v1/proofs", R"({"manifest":{},"chunks":"x","extra":1})"}}) {
    const Response response = handler_(request("POST", path, body));
    EXPECT_EQ(response.status, 400u) << path << " " << body << " -> " << response.body;
    EXPECT_FALSE(
        nlohmann::json::parse(response.body)["error"]["message"].get<std::string>().empty());
  }
  EXPECT_EQ(store_.writes, 0);
}

TEST_F(ProvcacheApiTest, ExpiredEntryAndWrongContentTypeAreRefused) {
  EXPECT_EQ(
      handler_(request("POST", "/v1/provcache", entry_json(make_entry("old", kNow - 7200)))).status,
      400u);
  Request form = request("POST", "/v1/provcache", entry_json(make_entry("app", kNow)));
  form.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  EXPECT_EQ(handler_(form).status, 415u);
  EXPECT_EQ(store_.writes, 0);
}

TEST_F(ProvcacheApiTest, InvalidateRemovesMatchesAndRecordsTheCaller) {
  const auto a = make_entry("a", kNow, "old-policy");
  const auto b = make_entry("b", kNow, "old-policy");
  const auto c = make_entry("c", kNow, "new-policy");
  for (const auto& entry : {a, b, c}) store_.entries[entry.veri_key()] = entry;
  const Response response = handler_(request(
      "POST", "/v1/provcache/invalidate",
      R"({"by":"policy_hash","value":")" + a.policy_hash + R"(","reason":"policy-update"})"));
  ASSERT_EQ(response.status, 200u) << response.body;
  const auto record =
      provcache::parse_revocation(nlohmann::json::parse(response.body)["revocation"].dump());
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_EQ(record->entries_affected, 2u);
  EXPECT_EQ(record->actor, "CN=operator");
  EXPECT_EQ(record->reason, "policy-update");
  EXPECT_EQ(record->revocation_type, "policy_hash");
  EXPECT_EQ(store_.entries.size(), 1u);
  EXPECT_EQ(store_.revocation_log.size(), 1u);
  // An explicit actor is kept.
  const Response named = handler_(
      request("POST", "/v1/provcache/invalidate",
              R"({"by":"policy_hash","value":")" + c.policy_hash + R"(","actor":"ci-bot"})"));
  ASSERT_EQ(named.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(named.body)["revocation"]["actor"], "ci-bot");
  EXPECT_TRUE(store_.entries.empty());
}

TEST_F(ProvcacheApiTest, ProofManifestAndChunks) {
  const auto evidence = make_evidence();
  ASSERT_EQ(evidence.chunk_count(), 3u);
  const Response posted = handler_(request("POST", "/v1/proofs", upload_json(evidence)));
  EXPECT_EQ(posted.status, 201u) << posted.body;
  EXPECT_EQ(handler_(request("POST", "/v1/proofs", upload_json(evidence))).status, 200u);
  EXPECT_EQ(store_.writes, 1);

  const std::string root = evidence.proof_root();
  const Response manifest = handler_(request("GET", "/v1/proofs/" + root));
  ASSERT_EQ(manifest.status, 200u);
  EXPECT_EQ(manifest.body, provcache::manifest_to_json(provcache::manifest_of(evidence)).value());

  for (std::size_t i = 0; i < 3; ++i) {
    const Response chunk =
        handler_(request("GET", "/v1/proofs/" + root + "/chunks/" + std::to_string(i)));
    ASSERT_EQ(chunk.status, 200u);
    EXPECT_EQ(chunk.content_type, "application/octet-stream");
    EXPECT_EQ(chunk.body, as_string(evidence.chunks()[i]));
    ASSERT_GE(chunk.headers.size(), 1u);
    EXPECT_EQ(chunk.headers[0].first, "X-Chunk-Hash");
    EXPECT_EQ(chunk.headers[0].second, evidence.metadata()[i].hash);
  }
  EXPECT_EQ(handler_(request("GET", "/v1/proofs/" + root + "/chunks/3")).status, 404u);
  EXPECT_EQ(handler_(request("GET", "/v1/proofs/" + root + "/chunks/-1")).status, 400u);
  EXPECT_EQ(handler_(request("GET", "/v1/proofs/" + root + "/chunks/1x")).status, 400u);
  EXPECT_EQ(handler_(request("GET", "/v1/proofs/" + root + "/other/1")).status, 404u);
  EXPECT_EQ(handler_(request("GET", "/v1/proofs/sha256:unknown")).status, 404u);
  EXPECT_EQ(handler_(request("GET", "/v1/proofs/sha256:unknown/chunks/0")).status, 404u);
}

TEST_F(ProvcacheApiTest, EvidenceWithTheWrongChunkCountIs400) {
  auto upload = nlohmann::json::parse(upload_json(make_evidence()));
  upload["chunks"].erase(upload["chunks"].begin());
  EXPECT_EQ(handler_(request("POST", "/v1/proofs", upload.dump())).status, 400u);
  EXPECT_TRUE(store_.manifests.empty());
}

TEST_F(ProvcacheApiTest, StoreErrorsMapToStatuses) {
  const auto entry = make_entry("app", kNow);
  store_.failure = make_error(ErrorCode::kIo, "valkey 127.0.0.1:6379: connection refused");
  const Response down = handler_(request("GET", "/v1/provcache/" + entry.veri_key()));
  EXPECT_EQ(down.status, 503u);
  EXPECT_NE(down.body.find("connection refused"), std::string::npos);
  EXPECT_EQ(handler_(request("POST", "/v1/provcache", entry_json(entry))).status, 503u);
  store_.failure = make_error(ErrorCode::kParse, "row 7: bad JSON at offset 3");
  const Response corrupt = handler_(request("GET", "/v1/proofs/" + entry.decision.proof_root));
  EXPECT_EQ(corrupt.status, 500u);
  EXPECT_EQ(corrupt.body.find("offset 3"), std::string::npos);  // internals stay in the log
}

TEST_F(ProvcacheApiTest, RoutesAnswer404And405AndCountRequests) {
  EXPECT_EQ(handler_(request("DELETE", "/v1/provcache")).status, 405u);
  EXPECT_EQ(handler_(request("GET", "/v2/provcache/x")).status, 404u);
  (void)handler_(request("GET", "/v1/provcache/sha256:00"));
  EXPECT_NE(registry_.render().find(
                "provcache_api_requests_total{code=\"404\",endpoint=\"get_entry\"} 1"),
            std::string::npos)
      << registry_.render();
}

}  // namespace
}  // namespace zastava::api
