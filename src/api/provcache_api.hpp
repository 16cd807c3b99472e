#pragma once
// The provcache HTTP API (seed 000 "API Reference"), pure over a
// store::ProvcacheStore: each endpoint is a function of the request, so it
// is unit-tested without sockets and served by http::Server.
//
//   GET  /v1/provcache/{veriKey}                200
//   {"entry":{..},"source":"memory|valkey|postgres|embedded"}, 404 POST /v1/provcache body: entry
//   JSON (provcache::parse_entry);
//                                               201 {"created":true,"veriKey":..}, or 200
//                                               {"created":false,..} when the same decision is
//                                               already there (idempotent); 400 parse error
//   POST /v1/provcache/invalidate               body: provcache::parse_invalidation (actor: the
//                                               caller's identity unless given);
//                                               200 {"revocation":{..}}
//   GET  /v1/proofs/{proofRoot}                 200 the EvidenceManifest JSON, 404
//   GET  /v1/proofs/{proofRoot}/chunks/{index}  200 application/octet-stream + X-Chunk-Hash,
//                                               X-Chunk-Count; 404
//   POST /v1/proofs                             body {"manifest":{..},"chunks":["base64",..]};
//                                               201 / 200 as POST /v1/provcache
//
// Every POST needs an authenticated caller (mTLS client certificate or
// bearer token, see http/server.hpp): otherwise 401 with
// WWW-Authenticate: Bearer, and nothing is written. POST bodies must be JSON
// (Content-Type application/json or none: else 415). Store errors map as
// api/error_status.hpp says (kIo 503, corrupt stored data 500).
//
// Metrics (with a registry): provcache_api_requests_total{endpoint,code}.

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "http/message.hpp"
#include "http/router.hpp"
#include "store/provcache_store.hpp"

namespace spdlog {
class logger;
}
namespace zastava::metrics {
class Registry;
}

namespace zastava::api {

// Unix seconds now; injected so tests control expiry.
using Clock = std::function<std::int64_t()>;

class ProvcacheApi {
 public:
  // `store` and `registry` must outlive the API and every handler it made.
  ProvcacheApi(store::ProvcacheStore& store, Clock now, metrics::Registry* registry = nullptr,
               std::shared_ptr<spdlog::logger> logger = nullptr);

  // Adds the six routes; they call this object, which must outlive `router`'s handlers.
  void add_routes(http::Router& router);
  // A handler serving only these routes (404/405 for the rest).
  [[nodiscard]] http::Handler handler();

  // The endpoints, each a function of the request.
  http::Response get_entry(const http::Request& request, std::string_view veri_key);
  http::Response post_entry(const http::Request& request);
  http::Response post_invalidation(const http::Request& request);
  http::Response get_proof(const http::Request& request, std::string_view rest);
  http::Response post_evidence(const http::Request& request);

 private:
  http::Response get_manifest(std::string_view proof_root);
  http::Response get_chunk(std::string_view proof_root, std::string_view index_text);
  http::Response store_failure(const Error& error);
  http::Response counted(std::string_view endpoint, http::Response response);

  store::ProvcacheStore& store_;
  Clock now_;
  metrics::Registry* registry_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace zastava::api
