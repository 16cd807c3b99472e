#include "prov_fetch.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/base64.hpp"
#include "cli_io.hpp"
#include "http/client.hpp"
#include "http/url.hpp"
#include "json/canonical_json.hpp"

namespace zastava::cli {
namespace {

constexpr std::size_t kMaxTokenBytes = 64 << 10;

Result<std::string> read_token(const std::string& path) {
  auto text = read_text_file(path, kMaxTokenBytes);
  if (!text) return text.error();
  std::string token = text->substr(0, text->find_first_of("\r\n"));
  if (token.empty()) return make_error(ErrorCode::kInvalidArgument, path + ": the token is empty");
  return token;
}

// A chunk as the backend sends it: the raw bytes (application/octet-stream),
// or a JSON object whose "data" is the bytes in base64.
Result<Bytes> chunk_from_response(const http::ClientResponse& response) {
  const auto type = response.header("content-type");
  if (!type || !type->starts_with("application/json")) return to_bytes(response.body);
  auto document = json::parse_strict(response.body);
  if (!document) return document.error();
  if (!document->is_object() || !document->contains("data") || !(*document)["data"].is_string()) {
    return make_error(ErrorCode::kParse, "a JSON chunk response without a string \"data\"");
  }
  return encoding::base64_decode_any((*document)["data"].get<std::string>());
}

Result<Bytes> fetch_chunk(http::Client& client, const std::string& proof_root,
                          std::uint64_t index) {
  const std::string target = "/v1/proofs/" + proof_root + "/chunks/" + std::to_string(index);
  auto response = client.get(target);
  if (!response) return response.error();
  if (response->status != 200) {
    return make_error(ErrorCode::kNotFound,
                      "GET " + target + " answered " + std::to_string(response->status));
  }
  return chunk_from_response(*response);
}

}  // namespace

Result<LazyFetchOptions> lazy_fetch_options_from(const Args& args) {
  LazyFetchOptions options;
  options.enabled = args.has("lazy-fetch");
  const auto backend = args.value("backend");
  const auto ca = args.value("ca");
  options.token_path = args.value("token-file");
  if (!options.enabled) {
    if (backend || ca || options.token_path) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--backend, --ca and --token-file are for --lazy-fetch");
    }
    return options;
  }
  if (!backend || !ca) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--lazy-fetch needs --backend URL and --ca CA.pem");
  }
  auto url = http::parse_url(*backend);
  if (!url) return url.error().with_context("--backend");
  if (!url->tls) {
    return make_error(ErrorCode::kInvalidArgument, "--backend must be an https:// URL");
  }
  options.backend = *backend;
  options.ca_path = *ca;
  return options;
}

Status fetch_missing_chunks(const LazyFetchOptions& options, provcache::ProofBundle& bundle) {
  http::ClientOptions client_options;
  client_options.ca_file = options.ca_path;
  if (options.token_path) {
    auto token = read_token(*options.token_path);
    if (!token) return token.error();
    client_options.bearer_token = std::move(*token);
  }
  auto client = http::Client::connect(options.backend, client_options);
  if (!client) return client.error().with_context(options.backend);

  std::vector<provcache::BundleChunk> chunks(bundle.manifest.chunks.size());
  std::vector<bool> present(chunks.size(), false);
  for (provcache::BundleChunk& chunk : bundle.chunks) {
    present[chunk.index] = true;
    chunks[chunk.index] = std::move(chunk);
  }
  for (std::uint64_t index = 0; index < chunks.size(); ++index) {
    if (present[index]) continue;
    auto data = fetch_chunk(**client, bundle.manifest.proof_root, index);
    if (!data) return data.error().with_context("chunk " + std::to_string(index));
    if (Status ok = provcache::verify_manifest_chunk(bundle.manifest, index, *data); !ok) {
      return ok.error();
    }
    chunks[index] = provcache::BundleChunk{index, std::move(*data)};
  }
  bundle.chunks = std::move(chunks);
  return provcache::verify_complete_evidence(bundle.manifest, provcache::chunk_bytes(bundle));
}

}  // namespace zastava::cli
