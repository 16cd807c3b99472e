#include "decision/evidence_verifier.hpp"

#include <string_view>
#include <utility>

#include "dsse/envelope.hpp"
#include "dsse/in_toto.hpp"
#include "dsse/verification.hpp"
#include "provcache/cyclonedx.hpp"
#include "provcache/evidence_evaluation.hpp"
#include "provcache/findings.hpp"
#include "provcache/verikey.hpp"

namespace zastava::decision {
namespace {

SealCheck verify_seal_artifact(const store::StoredArtifact& artifact, const policy::Scope& scope) {
  auto envelope = dsse::parse_envelope(artifact.envelope_json);
  if (!envelope) return {nullptr, "facet seal envelope: " + envelope.error().message};
  auto verified = facet::verify_seal(*envelope, scope.trust_set, scope.signature_threshold);
  if (!verified) return {nullptr, verified.error().message};
  if (verified->seal.image_digest != artifact.image_digest) {
    return {nullptr, "facet seal " + verified->seal.seal_id + " is for image " +
                         verified->seal.image_digest + ", not " + artifact.image_digest};
  }
  if (verified->seal.manifest.facet_id != artifact.facet_id) {
    return {nullptr, "facet seal " + verified->seal.seal_id + " seals facet " +
                         verified->seal.manifest.facet_id + ", stored as " + artifact.facet_id};
  }
  return {std::make_shared<const facet::VerifiedSeal>(std::move(*verified)), {}};
}

bool subject_names(const dsse::Statement& statement, std::string_view image_digest) {
  const auto colon = image_digest.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string algorithm(image_digest.substr(0, colon));
  const std::string_view hex = image_digest.substr(colon + 1);
  for (const dsse::Subject& subject : statement.subject) {
    const auto it = subject.digest.find(algorithm);
    if (it != subject.digest.end() && it->second == hex) return true;
  }
  return false;
}

StatementCheck invalid(std::string why) {
  StatementCheck check;
  check.error = std::move(why);
  return check;
}

StatementCheck verify_statement_artifact(const store::StoredArtifact& artifact,
                                         const policy::Scope& scope) {
  const std::string what = std::string(store::to_string(artifact.kind)) + " statement";
  auto envelope = dsse::parse_envelope(artifact.envelope_json);
  if (!envelope) return invalid(what + " envelope: " + envelope.error().message);
  auto verified = dsse::verify_envelope(*envelope, scope.trust_set, scope.signature_threshold,
                                        dsse::kInTotoPayloadType);
  if (!verified) return invalid(what + " signature: " + verified.error().message);
  auto statement = dsse::parse_statement(as_string(verified->payload));
  if (!statement) return invalid(what + ": " + statement.error().message);
  if (!subject_names(*statement, artifact.image_digest)) {
    return invalid(what + ": no subject has digest " + artifact.image_digest);
  }
  if (statement->predicate_json.empty()) return invalid(what + ": no predicate");
  StatementCheck check;
  check.predicate_json = std::move(statement->predicate_json);
  if (artifact.kind == store::ArtifactKind::kVex) {
    auto vex = provcache::parse_openvex(check.predicate_json);
    if (!vex) return invalid(what + ": " + vex.error().message);
    check.vex = std::move(*vex);
  } else if (artifact.kind == store::ArtifactKind::kSbom) {
    auto sbom = provcache::parse_cyclonedx(check.predicate_json);
    if (!sbom) return invalid(what + ": " + sbom.error().message);
    check.sbom_hash = sbom->canonical_hash;
  } else if (artifact.kind == store::ArtifactKind::kFindings) {
    auto findings = provcache::parse_findings_predicate(check.predicate_json);
    if (!findings) return invalid(what + ": " + findings.error().message);
    check.findings = std::move(*findings);
  }
  check.valid = true;
  return check;
}

}  // namespace

std::string verification_key(const store::StoredArtifact& artifact, const policy::Scope& scope) {
  std::string key;
  key.reserve(artifact.id.size() + scope.signer_set_hash.size() + artifact.image_digest.size() +
              24);
  key += artifact.id;
  key += '|';
  key += scope.signer_set_hash;
  key += '|';
  key += std::to_string(scope.signature_threshold);
  key += '|';
  key += artifact.image_digest;
  return key;
}

EvidenceVerifier::EvidenceVerifier(std::size_t capacity)
    : seals_(capacity), statements_(capacity) {}

std::shared_ptr<const SealCheck> EvidenceVerifier::check_seal(const store::StoredArtifact& artifact,
                                                              const policy::Scope& scope) {
  std::string key = verification_key(artifact, scope);
  if (auto cached = seals_.find(key)) return cached;
  return seals_.insert(std::move(key),
                       std::make_shared<const SealCheck>(verify_seal_artifact(artifact, scope)));
}

std::shared_ptr<const StatementCheck> EvidenceVerifier::check_statement(
    const store::StoredArtifact& artifact, const policy::Scope& scope) {
  std::string key = verification_key(artifact, scope);
  if (auto cached = statements_.find(key)) return cached;
  return statements_.insert(std::move(key), std::make_shared<const StatementCheck>(
                                                verify_statement_artifact(artifact, scope)));
}

}  // namespace zastava::decision
