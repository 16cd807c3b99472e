#include "api/provcache_api.hpp"

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "api/error_status.hpp"
#include "api/mutation_guard.hpp"
#include "base/base64.hpp"
#include "json/canonical_json.hpp"
#include "metrics/registry.hpp"

namespace zastava::api {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kEntryPath = "/v1/provcache";
constexpr std::string_view kProofsPath = "/v1/proofs";

// Two entries hold the same decision when they differ at most in the
// bookkeeping a store changes on its own (hit count, update time).
bool same_decision(provcache::ProvcacheEntry a, const provcache::ProvcacheEntry& b) {
  a.hit_count = b.hit_count;
  a.updated_at_seconds = b.updated_at_seconds;
  return a == b;
}

Response created_response(bool created, std::string_view key_name, std::string_view key) {
  const nlohmann::json body = {{"created", created}, {std::string(key_name), key}};
  return http::json_response(created ? 201 : 200, body.dump());
}

Result<std::uint64_t> parse_index(std::string_view text) {
  std::uint64_t index = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return make_error(ErrorCode::kInvalidArgument, "chunk index must be a decimal integer");
  }
  return index;
}

struct EvidenceUpload {
  provcache::EvidenceManifest manifest;
  std::vector<Bytes> chunks;
};

// {"manifest":{..},"chunks":["base64",..]}, strictly.
Result<EvidenceUpload> parse_evidence_upload(std::string_view body) {
  auto document = json::parse_strict(body);
  if (!document) return document.error();
  if (!document->is_object() || document->size() != 2 || !document->contains("manifest") ||
      !document->contains("chunks")) {
    return make_error(ErrorCode::kParse,
                      "evidence upload: expected exactly {\"manifest\":{..},\"chunks\":[..]}");
  }
  const nlohmann::json& chunks = document->at("chunks");
  if (!chunks.is_array())
    return make_error(ErrorCode::kParse, "evidence upload: chunks: not an array");
  auto manifest_text = json::canonicalize(document->at("manifest"));
  if (!manifest_text) return manifest_text.error();
  auto manifest = provcache::parse_manifest(*manifest_text);
  if (!manifest) return manifest.error().with_context("evidence upload: manifest");
  EvidenceUpload upload{std::move(*manifest), {}};
  if (chunks.size() != upload.manifest.chunks.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "evidence upload: " + std::to_string(chunks.size()) +
                          " chunks for a manifest listing " +
                          std::to_string(upload.manifest.chunks.size()));
  }
  upload.chunks.reserve(chunks.size());
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (!chunks[i].is_string()) {
      return make_error(ErrorCode::kParse,
                        "evidence upload: chunks[" + std::to_string(i) + "]: not a string");
    }
    auto bytes = encoding::base64_decode_any(chunks[i].get<std::string>());
    if (!bytes) {
      return bytes.error().with_context("evidence upload: chunks[" + std::to_string(i) + "]");
    }
    upload.chunks.push_back(std::move(*bytes));
  }
  return upload;
}

}  // namespace

ProvcacheApi::ProvcacheApi(store::ProvcacheStore& store, Clock now, metrics::Registry* registry,
                           std::shared_ptr<spdlog::logger> logger)
    : store_(store),
      now_(std::move(now)),
      registry_(registry),
      logger_(logger != nullptr ? std::move(logger) : spdlog::default_logger()) {}

void ProvcacheApi::add_routes(http::Router& router) {
  router.add_prefix("GET", std::string(kEntryPath) + "/",
                    [this](const Request& request, std::string_view veri_key) {
                      return counted("get_entry", get_entry(request, veri_key));
                    });
  router.add("POST", std::string(kEntryPath),
             [this](const Request& request) { return counted("post_entry", post_entry(request)); });
  router.add("POST", std::string(kEntryPath) + "/invalidate", [this](const Request& request) {
    return counted("invalidate", post_invalidation(request));
  });
  router.add_prefix("GET", std::string(kProofsPath) + "/",
                    [this](const Request& request, std::string_view rest) {
                      return counted("get_proof", get_proof(request, rest));
                    });
  router.add("POST", std::string(kProofsPath), [this](const Request& request) {
    return counted("post_evidence", post_evidence(request));
  });
}

http::Handler ProvcacheApi::handler() {
  http::Router router;
  add_routes(router);
  return router.handler();
}

Response ProvcacheApi::get_entry(const Request& /*request*/, std::string_view veri_key) {
  auto lookup = store_.get(veri_key, now_());
  if (!lookup) return store_failure(lookup.error());
  if (!lookup->entry) return http::error_response(404, "no entry for " + std::string(veri_key));
  auto entry_json = provcache::entry_to_json(*lookup->entry);
  if (!entry_json) {
    return store_failure(make_error(ErrorCode::kParse, entry_json.error().message));
  }
  std::string body = "{\"entry\":" + *entry_json + ",\"source\":\"" +
                     std::string(store::to_string(lookup->source)) + "\"}";
  return http::json_response(200, std::move(body));
}

Response ProvcacheApi::post_entry(const Request& request) {
  if (auto refused = refuse_mutation(request)) return *refused;
  auto entry = provcache::parse_entry(request.body);
  if (!entry) return request_error_response(entry.error());
  const std::int64_t now = now_();
  if (entry->expires_at() <= now) {
    return http::error_response(400, "the entry expired at " + std::to_string(entry->expires_at()));
  }
  auto existing = store_.get(entry->veri_key(), now);
  if (!existing) return store_failure(existing.error());
  if (existing->entry && same_decision(*existing->entry, *entry)) {
    return created_response(false, "veriKey", entry->veri_key());
  }
  if (Status stored = store_.put(*entry); !stored) return store_failure(stored.error());
  return created_response(!existing->entry.has_value(), "veriKey", entry->veri_key());
}

Response ProvcacheApi::post_invalidation(const Request& request) {
  if (auto refused = refuse_mutation(request)) return *refused;
  auto invalidation = provcache::parse_invalidation(request.body);
  if (!invalidation) return request_error_response(invalidation.error());
  if (invalidation->actor.empty()) invalidation->actor = request.identity.subject;
  if (Status valid = provcache::validate(*invalidation); !valid) {
    return request_error_response(valid.error());
  }
  auto record = store::invalidate(store_, *invalidation, now_());
  if (!record) return store_failure(record.error());
  auto record_json = provcache::revocation_to_json(*record);
  if (!record_json) return store_failure(record_json.error());
  return http::json_response(200, "{\"revocation\":" + *record_json + "}");
}

Response ProvcacheApi::get_proof(const Request& /*request*/, std::string_view rest) {
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return get_manifest(rest);
  constexpr std::string_view kChunks = "/chunks/";
  if (rest.substr(slash, kChunks.size()) != kChunks) {
    return http::error_response(404, "no such resource");
  }
  return get_chunk(rest.substr(0, slash), rest.substr(slash + kChunks.size()));
}

Response ProvcacheApi::get_manifest(std::string_view proof_root) {
  auto manifest = store_.get_evidence(proof_root);
  if (!manifest) return store_failure(manifest.error());
  if (!*manifest) return http::error_response(404, "no evidence for " + std::string(proof_root));
  auto text = provcache::manifest_to_json(**manifest);
  if (!text) return store_failure(make_error(ErrorCode::kParse, text.error().message));
  return http::json_response(200, std::move(*text));
}

Response ProvcacheApi::get_chunk(std::string_view proof_root, std::string_view index_text) {
  auto index = parse_index(index_text);
  if (!index) return request_error_response(index.error());
  auto manifest = store_.get_evidence(proof_root);
  if (!manifest) return store_failure(manifest.error());
  if (!*manifest || *index >= (*manifest)->chunks.size()) {
    return http::error_response(
        404, "no chunk " + std::string(index_text) + " under " + std::string(proof_root));
  }
  auto chunk = store_.get_chunk(proof_root, *index);
  if (!chunk) return store_failure(chunk.error());
  if (!*chunk) return http::error_response(404, "chunk " + std::string(index_text) + " is missing");
  Response response;
  response.content_type = "application/octet-stream";
  response.headers.emplace_back("X-Chunk-Hash", (*manifest)->chunks[*index].hash);
  response.headers.emplace_back("X-Chunk-Count", std::to_string((*manifest)->chunks.size()));
  response.body.assign(as_string(**chunk));
  return response;
}

Response ProvcacheApi::post_evidence(const Request& request) {
  if (auto refused = refuse_mutation(request)) return *refused;
  auto upload = parse_evidence_upload(request.body);
  if (!upload) return request_error_response(upload.error());
  auto existing = store_.get_evidence(upload->manifest.proof_root);
  if (!existing) return store_failure(existing.error());
  if (*existing && **existing == upload->manifest) {
    return created_response(false, "proofRoot", upload->manifest.proof_root);
  }
  if (Status stored = store_.put_evidence(upload->manifest, upload->chunks); !stored) {
    return store_failure(stored.error());
  }
  return created_response(true, "proofRoot", upload->manifest.proof_root);
}

Response ProvcacheApi::store_failure(const Error& error) {
  std::string logged;
  Response response = store_error_response(error, &logged);
  if (!logged.empty()) logger_->error("provcache API: store {}: {}", store_.name(), logged);
  if (response.status == 503) logger_->warn("provcache API: {}", error.describe());
  return response;
}

Response ProvcacheApi::counted(std::string_view endpoint, Response response) {
  if (registry_ != nullptr) {
    registry_
        ->counter("provcache_api_requests_total", "Provcache API requests by endpoint and status",
                  {{"endpoint", std::string(endpoint)}, {"code", std::to_string(response.status)}})
        .inc();
  }
  return response;
}

}  // namespace zastava::api
