#include "provcache/entry.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "merkle/merkle_tree.hpp"
#include "provcache/json_fields.hpp"

namespace zastava::provcache {
namespace {

// Integers above 2^53 do not survive RFC 8785 (every number is a double).
constexpr std::uint64_t kMaxExactInteger = std::uint64_t{1} << 53;

Status check_content_id(std::string_view where, std::string_view field, std::string_view text) {
  auto parsed = digest::ContentId::parse(text);
  if (!parsed) {
    return make_error(ErrorCode::kInvalidArgument, std::string(where) + ": " + std::string(field) +
                                                       ": " + parsed.error().message);
  }
  return ok_status();
}

Status check_sha256_root(std::string_view where, std::string_view text) {
  if (auto root = merkle::parse_hash(text); !root) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(where) + ": proofRoot: " + root.error().message);
  }
  return ok_status();
}

// The canonical form of a verdict document and a check that it hashes to
// `expected_hash`.
Result<std::string> canonical_verdict(const nlohmann::json& verdict,
                                      std::string_view expected_hash) {
  if (!verdict.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "provcache entry: verdict must be an object");
  }
  auto canonical = json::canonicalize(verdict);
  if (!canonical) return canonical.error().with_context("provcache entry: verdict");
  const std::string actual = digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
  if (actual != expected_hash) {
    return make_error(ErrorCode::kVerification, "provcache entry: the verdict hashes to " + actual +
                                                    ", not the decision's verdictHash " +
                                                    std::string(expected_hash));
  }
  return canonical;
}

Status validate_entry_fields(const ProvcacheEntry& entry) {
  constexpr std::string_view kWhere = "provcache entry";
  const std::pair<std::string_view, const std::string*> ids[] = {
      {"sourceHash", &entry.source_hash},
      {"policyHash", &entry.policy_hash},
      {"signerSetHash", &entry.signer_set_hash}};
  for (const auto& [field, value] : ids) {
    if (Status status = check_content_id(kWhere, field, *value); !status) return status;
  }
  if (entry.hit_count > kMaxExactInteger) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "provcache entry: hitCount " + std::to_string(entry.hit_count) + " is above 2^53");
  }
  if (auto updated = format_utc_time(entry.updated_at_seconds); !updated) {
    return updated.error().with_context("provcache entry: updatedAt");
  }
  return ok_status();
}

nlohmann::json manifest_document(const EvidenceManifest& manifest) {
  nlohmann::json chunks = nlohmann::json::array();
  for (const ChunkMetadata& chunk : manifest.chunks) {
    chunks.push_back({{"hash", chunk.hash}, {"index", chunk.index}, {"size", chunk.size}});
  }
  return nlohmann::json{{"chunkCount", manifest.chunks.size()},
                        {"chunks", std::move(chunks)},
                        {"contentType", manifest.content_type},
                        {"proofRoot", manifest.proof_root},
                        {"totalSize", manifest.total_size}};
}

Status validate_manifest(const EvidenceManifest& manifest) {
  constexpr std::string_view kWhere = "evidence manifest";
  if (Status status = check_sha256_root(kWhere, manifest.proof_root); !status) return status;
  if (manifest.content_type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "evidence manifest: contentType is empty");
  }
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < manifest.chunks.size(); ++i) {
    const ChunkMetadata& chunk = manifest.chunks[i];
    const std::string where = "evidence manifest: chunks[" + std::to_string(i) + "]";
    if (chunk.index != i) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": index " + std::to_string(chunk.index) + " is out of order");
    }
    if (auto hash = merkle::parse_hash(chunk.hash); !hash) {
      return make_error(ErrorCode::kInvalidArgument, where + ": hash: " + hash.error().message);
    }
    if (chunk.size == 0) return make_error(ErrorCode::kInvalidArgument, where + ": size is 0");
    if (!chunk.content_type.empty() && chunk.content_type != manifest.content_type) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": content type differs from the manifest's");
    }
    total += chunk.size;
  }
  if (total != manifest.total_size) {
    return make_error(ErrorCode::kInvalidArgument, "evidence manifest: chunk sizes add up to " +
                                                       std::to_string(total) + ", not totalSize " +
                                                       std::to_string(manifest.total_size));
  }
  if (manifest.total_size > kMaxExactInteger) {
    return make_error(ErrorCode::kInvalidArgument, "evidence manifest: totalSize is above 2^53");
  }
  return ok_status();
}

ProvcacheEntry entry_from_fields(const nlohmann::json& root) {
  const JsonFields fields(root, "provcache entry");
  fields.allow_only({"decision", "feedEpoch", "hitCount", "policyHash", "signerSetHash",
                     "sourceHash", "updatedAt", "verdict"});
  ProvcacheEntry entry;
  auto decision = parse_decision_digest(fields.object("decision").dump());
  if (!decision) fields.fail("decision: " + decision.error().message);
  entry.decision = std::move(*decision);
  entry.feed_epoch = fields.string("feedEpoch");
  entry.hit_count = fields.unsigned_integer("hitCount");
  entry.policy_hash = fields.string("policyHash");
  entry.signer_set_hash = fields.string("signerSetHash");
  entry.source_hash = fields.string("sourceHash");
  entry.updated_at_seconds = fields.time("updatedAt");
  static_cast<void>(fields.object("verdict"));  // type check; hashed by the caller
  return entry;
}

EvidenceManifest manifest_from_fields(const nlohmann::json& root) {
  const JsonFields fields(root, "evidence manifest");
  fields.allow_only({"chunkCount", "chunks", "contentType", "proofRoot", "totalSize"});
  EvidenceManifest manifest;
  manifest.proof_root = fields.string("proofRoot");
  manifest.content_type = fields.string("contentType");
  manifest.total_size = fields.unsigned_integer("totalSize");
  const nlohmann::json& chunks = fields.array("chunks");
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const JsonFields chunk(chunks[i], "evidence manifest: chunks[" + std::to_string(i) + "]");
    chunk.allow_only({"hash", "index", "size"});
    manifest.chunks.push_back(ChunkMetadata{chunk.unsigned_integer("index"), chunk.string("hash"),
                                            chunk.unsigned_integer("size"), manifest.content_type});
  }
  if (fields.unsigned_integer("chunkCount") != manifest.chunks.size()) {
    fields.fail("chunkCount " + std::to_string(fields.unsigned_integer("chunkCount")) +
                " does not match the " + std::to_string(manifest.chunks.size()) + " chunks");
  }
  return manifest;
}

}  // namespace

std::string ProvcacheEntry::verdict() const {
  const nlohmann::json document = nlohmann::json::parse(verdict_json, nullptr, false);
  if (!document.is_object()) return {};
  const auto it = document.find("verdict");
  if (it == document.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Result<std::string> entry_to_json(const ProvcacheEntry& entry) {
  auto decision = to_canonical_json(entry.decision);
  if (!decision) return decision.error().with_context("provcache entry");
  if (Status status = validate_entry_fields(entry); !status) return status.error();
  auto verdict = json::parse_strict(entry.verdict_json);
  if (!verdict) return verdict.error().with_context("provcache entry: verdict");
  if (auto canonical = canonical_verdict(*verdict, entry.decision.verdict_hash); !canonical) {
    return canonical.error();
  }
  const nlohmann::json document{
      {"decision", nlohmann::json::parse(*decision)},
      {"feedEpoch", entry.feed_epoch},
      {"hitCount", entry.hit_count},
      {"policyHash", entry.policy_hash},
      {"signerSetHash", entry.signer_set_hash},
      {"sourceHash", entry.source_hash},
      {"updatedAt", format_utc_time(entry.updated_at_seconds).value()},
      {"verdict", std::move(*verdict)},
  };
  auto canonical = json::canonicalize(document);
  if (!canonical) return canonical.error().with_context("provcache entry");
  return canonical;
}

Result<ProvcacheEntry> parse_entry(std::string_view json_text) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) return parsed.error().with_context("provcache entry");
  try {
    ProvcacheEntry entry = entry_from_fields(*parsed);
    if (Status status = validate_entry_fields(entry); !status) {
      return make_error(ErrorCode::kParse, status.error().message);
    }
    auto verdict = canonical_verdict(parsed->at("verdict"), entry.decision.verdict_hash);
    if (!verdict) return verdict.error();
    entry.verdict_json = std::move(*verdict);
    return entry;
  } catch (const FieldError& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
}

EvidenceManifest manifest_of(const ChunkedEvidence& evidence) {
  return EvidenceManifest{evidence.proof_root(), evidence.content_type(), evidence.total_size(),
                          evidence.metadata()};
}

Result<std::string> manifest_to_json(const EvidenceManifest& manifest) {
  if (Status status = validate_manifest(manifest); !status) return status.error();
  auto canonical = json::canonicalize(manifest_document(manifest));
  if (!canonical) return canonical.error().with_context("evidence manifest");
  return canonical;
}

Result<EvidenceManifest> parse_manifest(std::string_view json_text) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) return parsed.error().with_context("evidence manifest");
  try {
    EvidenceManifest manifest = manifest_from_fields(*parsed);
    if (Status status = validate_manifest(manifest); !status) {
      return make_error(ErrorCode::kParse, status.error().message);
    }
    return manifest;
  } catch (const FieldError& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
}

}  // namespace zastava::provcache
