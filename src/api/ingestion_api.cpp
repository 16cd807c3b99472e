#include "api/ingestion_api.hpp"

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "admission/image_reference.hpp"
#include "api/error_status.hpp"
#include "api/mutation_guard.hpp"
#include "digest/content_id.hpp"
#include "dsse/envelope.hpp"
#include "dsse/in_toto.hpp"
#include "dsse/verification.hpp"
#include "facet/names.hpp"
#include "facet/seal.hpp"
#include "json/canonical_json.hpp"
#include "metrics/registry.hpp"
#include "policy/policy_document.hpp"
#include "provcache/cyclonedx.hpp"
#include "provcache/evidence_evaluation.hpp"
#include "provcache/findings.hpp"
#include "provcache/openvex.hpp"

namespace zastava::api {
namespace {

using http::Request;
using http::Response;
using store::ArtifactKind;
using store::StoredArtifact;

constexpr std::string_view kSealsPath = "/v1/seals";
constexpr std::string_view kAttestationsPath = "/v1/attestations";
constexpr std::string_view kImagesPath = "/v1/images/";
constexpr std::string_view kApproveSuffix = "/approve";
constexpr std::string_view kArtifactsSuffix = "/artifacts";

Response refused(std::string_view reason) {
  return http::error_response(422, reason);
}

// Every scope that can govern `normalized` in some namespace (see the header).
std::vector<const policy::Scope*> scopes_for_image(const policy::CompiledPolicy& policy,
                                                   std::string_view normalized) {
  std::vector<const policy::Scope*> scopes;
  for (const policy::Scope& scope : policy.scopes) {
    if (!scope.matches_image(normalized)) continue;
    scopes.push_back(&scope);
    if (scope.namespaces.matches_everything()) return scopes;
  }
  scopes.push_back(&policy.defaults);
  return scopes;
}

// The first of `scopes` whose keys `verify` accepts, with its result; else
// kVerification listing why each refused.
template <typename T, typename Verify>
Result<std::pair<const policy::Scope*, T>> verify_in_scopes(
    const std::vector<const policy::Scope*>& scopes, const Verify& verify) {
  std::string reasons;
  for (const policy::Scope* scope : scopes) {
    if (!reasons.empty()) reasons += "; ";
    reasons += "scope \"" + scope->name + "\": ";
    if (scope->trust_set.empty()) {
      reasons += "no trusted keys";
      continue;
    }
    Result<T> verified = verify(*scope);
    if (verified) return std::pair<const policy::Scope*, T>{scope, std::move(*verified)};
    reasons += verified.error().message;
  }
  return make_error(ErrorCode::kVerification, reasons);
}

// A reference that carries a sha256 digest; 400/422 otherwise.
Result<admission::ImageReference> digest_reference(std::string_view text, bool* malformed) {
  auto reference = admission::parse_image_reference(text);
  *malformed = !reference.ok();
  if (!reference) return reference.error();
  if (!reference->digest.starts_with("sha256:")) {
    return make_error(ErrorCode::kVerification,
                      "the image reference must carry a sha256 digest (@sha256:...)");
  }
  return reference;
}

struct SealsUpload {
  std::string image;
  bool approve = false;
  facet::SealsFile file;
};

// {"image","approve"?,"sealsFile"} strictly; kParse otherwise.
Result<SealsUpload> parse_seals_upload(std::string_view body) {
  auto document = json::parse_strict(body);
  if (!document) return document.error();
  if (!document->is_object()) return make_error(ErrorCode::kParse, "the body must be an object");
  SealsUpload upload;
  for (const auto& [name, value] : document->items()) {
    if (name == "image" && value.is_string()) {
      upload.image = value.get<std::string>();
    } else if (name == "approve" && value.is_boolean()) {
      upload.approve = value.get<bool>();
    } else if (name != "sealsFile") {
      return make_error(ErrorCode::kParse, "unknown or mistyped member \"" + name + "\"");
    }
  }
  if (upload.image.empty() || !document->contains("sealsFile")) {
    return make_error(ErrorCode::kParse, "expected {\"image\",\"approve\"?,\"sealsFile\"}");
  }
  auto file_text = json::canonicalize(document->at("sealsFile"));
  if (!file_text) return file_text.error();
  auto file = facet::parse_seals_file(*file_text);
  if (!file) return file.error().with_context("sealsFile");
  upload.file = std::move(*file);
  return upload;
}

Result<StoredArtifact> seal_artifact(const dsse::Envelope& envelope,
                                     const facet::VerifiedSeal& verified,
                                     const admission::ImageReference& reference, bool approve) {
  auto envelope_json = dsse::serialize(envelope);
  if (!envelope_json) return envelope_json.error();
  auto sealed_at = facet::parse_time(verified.seal.sealed_at);
  if (!sealed_at) return sealed_at.error();
  StoredArtifact artifact;
  artifact.id = store::artifact_id(*envelope_json);
  artifact.kind = ArtifactKind::kSeal;
  artifact.image_digest = reference.digest;
  artifact.repository = reference.repository();
  artifact.facet_id = verified.seal.manifest.facet_id;
  artifact.seal_id = verified.seal.seal_id;
  artifact.approved = approve;
  artifact.created_at_seconds = *sealed_at;
  artifact.envelope_json = std::move(*envelope_json);
  return artifact;
}

std::optional<ArtifactKind> kind_of_predicate(std::string_view predicate_type) {
  if (predicate_type == kVexPredicateType) return ArtifactKind::kVex;
  if (predicate_type == kSbomPredicateType) return ArtifactKind::kSbom;
  if (predicate_type == kFindingsPredicateType) return ArtifactKind::kFindings;
  return std::nullopt;
}

// Findings: SARIF 2.1.0 (an object with "runs"), or {"feedId"?, "findings": [..]}.
// The predicate parses with the provcache parser for its kind.
Status check_predicate(ArtifactKind kind, std::string_view predicate_json) {
  if (predicate_json.empty())
    return make_error(ErrorCode::kParse, "the statement has no predicate");
  switch (kind) {
    case ArtifactKind::kVex: {
      auto vex = provcache::parse_openvex(predicate_json);
      return vex ? ok_status() : Status(vex.error());
    }
    case ArtifactKind::kSbom: {
      auto sbom = provcache::parse_cyclonedx(predicate_json);
      return sbom ? ok_status() : Status(sbom.error());
    }
    case ArtifactKind::kFindings: {
      auto findings = provcache::parse_findings_predicate(predicate_json);
      return findings ? ok_status() : Status(findings.error());
    }
    case ArtifactKind::kSeal:
      break;
  }
  return make_error(ErrorCode::kInternal, "not an attestation kind");
}

// The one subject's image digest and the reference its scope is chosen by.
struct AttestationSubject {
  std::string image_digest;
  std::string normalized;  // repository@digest
};

Result<AttestationSubject> read_subject(const dsse::Statement& statement) {
  if (statement.subject.size() != 1) {
    return make_error(ErrorCode::kVerification,
                      "the statement must have exactly one subject (the image), not " +
                          std::to_string(statement.subject.size()));
  }
  const dsse::Subject& subject = statement.subject.front();
  const auto sha256 = subject.digest.find("sha256");
  if (sha256 == subject.digest.end()) {
    return make_error(ErrorCode::kVerification, "the subject has no sha256 digest");
  }
  if (subject.name.empty()) {
    return make_error(
        ErrorCode::kVerification,
        "the subject needs a name: the image repository the policy scope is chosen by");
  }
  auto reference = admission::parse_image_reference(subject.name);
  if (!reference) return reference.error().with_context("subject name");
  AttestationSubject result;
  result.image_digest = "sha256:" + sha256->second;
  if (reference->has_digest() && reference->digest != result.image_digest) {
    return make_error(ErrorCode::kVerification, "the subject name's digest " + reference->digest +
                                                    " is not its sha256 digest " +
                                                    result.image_digest);
  }
  result.normalized = reference->repository() + "@" + result.image_digest;
  return result;
}

nlohmann::json listing_json(const StoredArtifact& artifact) {
  return {{"id", artifact.id},
          {"kind", std::string(store::to_string(artifact.kind))},
          {"facetId", artifact.facet_id},
          {"sealId", artifact.seal_id},
          {"repository", artifact.repository},
          {"approved", artifact.approved},
          {"createdAt", artifact.created_at_seconds}};
}

bool stored_in(const std::vector<StoredArtifact>& artifacts, std::string_view id) {
  for (const StoredArtifact& artifact : artifacts) {
    if (artifact.id == id) return true;
  }
  return false;
}

}  // namespace

IngestionApi::IngestionApi(store::ArtifactStore& store, PolicySource policy, Clock now,
                           metrics::Registry* registry, std::shared_ptr<spdlog::logger> logger)
    : store_(store),
      policy_(std::move(policy)),
      now_(std::move(now)),
      registry_(registry),
      logger_(logger != nullptr ? std::move(logger) : spdlog::default_logger()) {}

void IngestionApi::add_routes(http::Router& router) {
  router.add("POST", std::string(kSealsPath),
             [this](const Request& request) { return counted("seals", post_seals(request)); });
  router.add_prefix("POST", std::string(kSealsPath) + "/",
                    [this](const Request& request, std::string_view rest) {
                      return counted("approve", seals_subpath(request, rest));
                    });
  router.add("POST", std::string(kAttestationsPath), [this](const Request& request) {
    return counted("attestations", post_attestation(request));
  });
  router.add_prefix("GET", std::string(kImagesPath),
                    [this](const Request& request, std::string_view rest) {
                      return counted("artifacts", images_subpath(request, rest));
                    });
}

http::Handler IngestionApi::handler() {
  http::Router router;
  add_routes(router);
  return router.handler();
}

Response IngestionApi::seals_subpath(const Request& request, std::string_view rest) {
  if (!rest.ends_with(kApproveSuffix) || rest.size() == kApproveSuffix.size()) {
    return http::error_response(404, "no such resource");
  }
  return approve_seal(request, rest.substr(0, rest.size() - kApproveSuffix.size()));
}

Response IngestionApi::images_subpath(const Request& request, std::string_view rest) {
  if (!rest.ends_with(kArtifactsSuffix) || rest.size() == kArtifactsSuffix.size()) {
    return http::error_response(404, "no such resource");
  }
  return get_artifacts(request, rest.substr(0, rest.size() - kArtifactsSuffix.size()));
}

Response IngestionApi::post_seals(const Request& request) {
  if (auto stop = refuse_mutation(request)) return *stop;
  auto upload = parse_seals_upload(request.body);
  if (!upload) return request_error_response(upload.error());
  bool malformed = false;
  auto reference = digest_reference(upload->image, &malformed);
  if (!reference) {
    return malformed ? request_error_response(reference.error())
                     : refused(reference.error().message);
  }
  if (reference->digest != upload->file.image_digest) {
    return refused("the image digest " + reference->digest +
                   " is not the seals file's imageDigest \"" + upload->file.image_digest + "\"");
  }
  const auto policy = policy_();
  if (policy == nullptr) return http::error_response(503, "no policy is loaded yet");
  auto verified = verify_in_scopes<std::vector<facet::VerifiedSeal>>(
      scopes_for_image(*policy, reference->normalized()), [&](const policy::Scope& scope) {
        return facet::verify_seals_file(upload->file, scope.trust_set, scope.signature_threshold);
      });
  if (!verified) return refused(verified.error().message);
  const auto& [scope, seals] = *verified;

  // Everything is checked before anything is written.
  std::vector<StoredArtifact> artifacts;
  std::vector<bool> created;
  for (std::size_t i = 0; i < seals.size(); ++i) {
    auto artifact = seal_artifact(upload->file.seals[i], seals[i], *reference, upload->approve);
    if (!artifact) return refused(artifact.error().message);
    auto existing = store_.seal_by_id(artifact->seal_id);
    if (!existing) return store_failure(existing.error());
    if (*existing && (*existing)->id != artifact->id) {
      return http::error_response(409, "seal " + artifact->seal_id +
                                           " is already stored as another envelope (" +
                                           (*existing)->id + ")");
    }
    created.push_back(!existing->has_value());
    artifacts.push_back(std::move(*artifact));
  }
  nlohmann::json stored = nlohmann::json::array();
  bool any_created = false;
  for (std::size_t i = 0; i < artifacts.size(); ++i) {
    if (Status put = store_.put(artifacts[i]); !put) return store_failure(put.error());
    any_created = any_created || created[i];
    stored.push_back({{"id", artifacts[i].id},
                      {"sealId", artifacts[i].seal_id},
                      {"facetId", artifacts[i].facet_id},
                      {"approved", artifacts[i].approved},
                      {"created", static_cast<bool>(created[i])}});
  }
  const nlohmann::json body = {{"imageDigest", reference->digest},
                               {"repository", reference->repository()},
                               {"scope", scope->name},
                               {"seals", std::move(stored)}};
  return http::json_response(any_created ? 201 : 200, body.dump());
}

Response IngestionApi::approve_seal(const Request& request, std::string_view seal_id) {
  if (auto stop = refuse_mutation(request)) return *stop;
  if (Status approved = store_.approve_seal(seal_id); !approved) {
    return store_failure(approved.error());
  }
  const nlohmann::json body = {{"sealId", seal_id}, {"approved", true}};
  return http::json_response(200, body.dump());
}

Response IngestionApi::post_attestation(const Request& request) {
  if (auto stop = refuse_mutation(request)) return *stop;
  auto envelope = dsse::parse_envelope(request.body);
  if (!envelope) return request_error_response(envelope.error());
  if (envelope->payload_type != dsse::kInTotoPayloadType) {
    return refused("the payload type must be " + std::string(dsse::kInTotoPayloadType) + ", not " +
                   envelope->payload_type);
  }
  // Read (strictly) before verifying: the subject chooses the keys.
  auto statement = dsse::parse_statement(as_string(envelope->payload));
  if (!statement) return refused(statement.error().message);
  const auto kind = kind_of_predicate(statement->predicate_type);
  if (!kind) return refused("unsupported predicateType \"" + statement->predicate_type + "\"");
  auto subject = read_subject(*statement);
  if (!subject) return refused(subject.error().message);

  const auto policy = policy_();
  if (policy == nullptr) return http::error_response(503, "no policy is loaded yet");
  auto verified = verify_in_scopes<dsse::VerifiedEnvelope>(
      scopes_for_image(*policy, subject->normalized), [&](const policy::Scope& scope) {
        return dsse::verify_envelope(*envelope, scope.trust_set, scope.signature_threshold,
                                     dsse::kInTotoPayloadType);
      });
  if (!verified) return refused(verified.error().message);
  if (Status predicate = check_predicate(*kind, statement->predicate_json); !predicate) {
    return refused("predicate: " + predicate.error().message);
  }

  auto envelope_json = dsse::serialize(*envelope);
  if (!envelope_json) return request_error_response(envelope_json.error());
  StoredArtifact artifact;
  artifact.id = store::artifact_id(*envelope_json);
  artifact.kind = *kind;
  artifact.image_digest = subject->image_digest;
  artifact.created_at_seconds = now_();
  artifact.envelope_json = std::move(*envelope_json);
  auto existing = store_.for_image(artifact.image_digest);
  if (!existing) return store_failure(existing.error());
  const bool created = !stored_in(*existing, artifact.id);
  if (created) {
    if (Status put = store_.put(artifact); !put) return store_failure(put.error());
  }
  const nlohmann::json body = {{"id", artifact.id},
                               {"kind", std::string(store::to_string(artifact.kind))},
                               {"imageDigest", artifact.image_digest},
                               {"scope", verified->first->name},
                               {"created", created}};
  return http::json_response(created ? 201 : 200, body.dump());
}

Response IngestionApi::get_artifacts(const Request& /*request*/, std::string_view image_digest) {
  auto id = digest::ContentId::parse(image_digest);
  if (!id || id->algorithm() != digest::Algorithm::kSha256) {
    return http::error_response(400, "expected an image digest \"sha256:<64 hex>\"");
  }
  auto artifacts = store_.for_image(image_digest);
  if (!artifacts) return store_failure(artifacts.error());
  nlohmann::json listed = nlohmann::json::array();
  for (const StoredArtifact& artifact : *artifacts) listed.push_back(listing_json(artifact));
  const nlohmann::json body = {{"imageDigest", image_digest}, {"artifacts", std::move(listed)}};
  return http::json_response(200, body.dump());
}

Response IngestionApi::store_failure(const Error& error) {
  std::string logged;
  Response response = store_error_response(error, &logged);
  if (!logged.empty()) logger_->error("ingestion API: artifact store: {}", logged);
  if (response.status == 503) logger_->warn("ingestion API: {}", error.describe());
  return response;
}

Response IngestionApi::counted(std::string_view endpoint, Response response) {
  if (registry_ != nullptr) {
    registry_
        ->counter("ingestion_api_requests_total", "Ingestion API requests by endpoint and status",
                  {{"endpoint", std::string(endpoint)}, {"code", std::to_string(response.status)}})
        .inc();
  }
  return response;
}

}  // namespace zastava::api
