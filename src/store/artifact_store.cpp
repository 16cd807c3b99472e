#include "store/artifact_store.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <tuple>

#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "provcache/json_fields.hpp"

namespace zastava::store {
namespace {

constexpr std::array kKindNames{std::string_view("seal"), std::string_view("vex"),
                                std::string_view("sbom"), std::string_view("findings")};

std::size_t kind_rank(ArtifactKind kind) noexcept {
  return static_cast<std::size_t>(kind);
}

bool is_sha256_id(std::string_view text) {
  auto id = digest::ContentId::parse(text);
  return id.ok() && id->algorithm() == digest::Algorithm::kSha256;
}

Error invalid(std::string_view field, std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument,
                    "artifact " + std::string(field) + ": " + std::string(why));
}

// The fields that name what an artifact is (everything but approval).
auto identity(const StoredArtifact& a) {
  return std::tie(a.id, a.kind, a.image_digest, a.repository, a.facet_id, a.seal_id,
                  a.created_at_seconds, a.envelope_json);
}

}  // namespace

std::string_view to_string(ArtifactKind kind) noexcept {
  return kKindNames.at(kind_rank(kind));
}

std::optional<ArtifactKind> parse_artifact_kind(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames.at(i) == text) return static_cast<ArtifactKind>(i);
  }
  return std::nullopt;
}

std::string artifact_id(std::string_view canonical_envelope_json) {
  return digest::ContentId::sha256_of(as_bytes(canonical_envelope_json)).to_string();
}

Status validate_artifact(const StoredArtifact& artifact) {
  if (!is_sha256_id(artifact.id)) return invalid("id", "must be \"sha256:<64 hex>\"");
  if (!is_sha256_id(artifact.image_digest)) {
    return invalid("imageDigest", "must be \"sha256:<64 hex>\"");
  }
  if (artifact.envelope_json.empty()) return invalid("envelope", "must not be empty");
  const bool seal = artifact.kind == ArtifactKind::kSeal;
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string*>{"repository", &artifact.repository},
        {"facetId", &artifact.facet_id},
        {"sealId", &artifact.seal_id}}) {
    if (seal && value->empty()) return invalid(name, "a seal needs one");
    if (!seal && !value->empty()) return invalid(name, "only seals have one");
  }
  if (!seal && artifact.approved) return invalid("approved", "only seals are approved");
  return ok_status();
}

Result<std::string> artifact_to_json(const StoredArtifact& artifact) {
  if (Status valid = validate_artifact(artifact); !valid) return valid.error();
  return json::canonicalize(nlohmann::json{{"approved", artifact.approved},
                                           {"createdAt", artifact.created_at_seconds},
                                           {"envelope", artifact.envelope_json},
                                           {"facetId", artifact.facet_id},
                                           {"id", artifact.id},
                                           {"imageDigest", artifact.image_digest},
                                           {"kind", std::string(to_string(artifact.kind))},
                                           {"repository", artifact.repository},
                                           {"sealId", artifact.seal_id}});
}

Result<StoredArtifact> parse_artifact(std::string_view json_text) {
  auto document = json::parse_strict(json_text);
  if (!document) return document.error();
  StoredArtifact artifact;
  try {
    const provcache::JsonFields fields(*document, "stored artifact");
    fields.allow_only({"approved", "createdAt", "envelope", "facetId", "id", "imageDigest", "kind",
                       "repository", "sealId"});
    const nlohmann::json& approved = fields.value("approved");
    if (!approved.is_boolean()) fields.fail("\"approved\" must be a boolean");
    artifact.approved = approved.get<bool>();
    const nlohmann::json& created = fields.value("createdAt");
    if (!created.is_number_integer()) fields.fail("\"createdAt\" must be an integer");
    artifact.created_at_seconds = created.get<std::int64_t>();
    artifact.envelope_json = fields.string("envelope");
    artifact.facet_id = fields.string("facetId");
    artifact.id = fields.string("id");
    artifact.image_digest = fields.string("imageDigest");
    const std::string kind = fields.string("kind");
    const auto parsed_kind = parse_artifact_kind(kind);
    if (!parsed_kind) fields.fail("unknown kind \"" + kind + "\"");
    artifact.kind = *parsed_kind;
    artifact.repository = fields.string("repository");
    artifact.seal_id = fields.string("sealId");
  } catch (const provcache::FieldError& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
  if (Status valid = validate_artifact(artifact); !valid) {
    return make_error(ErrorCode::kParse, valid.error().message);
  }
  return artifact;
}

bool listed_before(const StoredArtifact& a, const StoredArtifact& b) noexcept {
  return std::forward_as_tuple(kind_rank(a.kind), a.id) <
         std::forward_as_tuple(kind_rank(b.kind), b.id);
}

bool newer_baseline(const StoredArtifact& a, const StoredArtifact& b) noexcept {
  return std::tie(a.created_at_seconds, a.id) > std::tie(b.created_at_seconds, b.id);
}

Result<PutEffect> classify_put(const StoredArtifact* existing, const StoredArtifact* same_seal,
                               const StoredArtifact& incoming) {
  if (Status valid = validate_artifact(incoming); !valid) return valid.error();
  if (existing == nullptr) {
    if (same_seal != nullptr) {
      return make_error(ErrorCode::kInvalidArgument, "seal " + incoming.seal_id +
                                                         " is already stored as artifact " +
                                                         same_seal->id + " (a different envelope)");
    }
    return PutEffect::kInsert;
  }
  if (identity(*existing) != identity(incoming)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "artifact " + incoming.id + " is already stored with other metadata");
  }
  return incoming.approved && !existing->approved ? PutEffect::kApprove : PutEffect::kNothing;
}

}  // namespace zastava::store
