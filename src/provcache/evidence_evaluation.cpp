#include "provcache/evidence_evaluation.hpp"

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "provcache/cyclonedx.hpp"
#include "provcache/evaluate.hpp"
#include "provcache/findings.hpp"
#include "provcache/openvex.hpp"

namespace zastava::provcache {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

// The documents the gate reads, and the evidence they make.
struct Inputs {
  std::optional<Sbom> sbom;
  std::vector<VexDocument> vex;
  std::vector<Finding> findings;
  nlohmann::json evidence;
};

Result<nlohmann::json> parse_document(std::string_view text, const std::string& name) {
  auto json = json::parse_strict(text);
  if (!json) return json.error().with_context(name);
  return std::move(*json);
}

Status add_findings(const FindingsDocument& document, const std::string& name, Inputs& inputs,
                    nlohmann::json& evidence) {
  auto json = parse_document(document.text, name);
  if (!json) return json.error();
  auto findings = json->is_array() ? parse_findings_list(document.text, document.feed_id)
                                   : parse_sarif(document.text);
  if (!findings) return findings.error().with_context(name);
  for (Finding& finding : *findings) inputs.findings.push_back(std::move(finding));
  evidence.push_back(std::move(*json));
  return ok_status();
}

Result<Inputs> read_inputs(const EvidenceEvaluationRequest& request) {
  Inputs inputs;
  nlohmann::json sbom_evidence = nlohmann::json::object();
  if (request.sbom_json) {
    auto json = parse_document(*request.sbom_json, "sbom");
    if (!json) return json.error();
    auto sbom = parse_cyclonedx(*request.sbom_json);
    if (!sbom) return sbom.error().with_context("sbom");
    inputs.sbom = std::move(*sbom);
    sbom_evidence = std::move(*json);
  }
  nlohmann::json vex_evidence = nlohmann::json::array();
  for (std::size_t i = 0; i < request.vex_json.size(); ++i) {
    const std::string name = "vex[" + std::to_string(i) + "]";
    auto json = parse_document(request.vex_json[i], name);
    if (!json) return json.error();
    auto vex = parse_openvex(request.vex_json[i]);
    if (!vex) return vex.error().with_context(name);
    inputs.vex.push_back(std::move(*vex));
    vex_evidence.push_back(std::move(*json));
  }
  nlohmann::json findings_evidence = nlohmann::json::array();
  for (std::size_t i = 0; i < request.findings.size(); ++i) {
    const std::string name = "findings[" + std::to_string(i) + "]";
    if (Status added = add_findings(request.findings[i], name, inputs, findings_evidence); !added) {
      return added.error();
    }
  }
  inputs.evidence = nlohmann::json{{"findings", std::move(findings_evidence)},
                                   {"sbom", std::move(sbom_evidence)},
                                   {"vex", std::move(vex_evidence)}};
  return inputs;
}

SbomCompletenessInputs sbom_completeness(const std::optional<Sbom>& sbom) {
  SbomCompletenessInputs out;
  if (!sbom) return out;
  out.components_total = sbom->components.size();
  for (const auto& component : sbom->components) {
    if (!component.purl.empty() && !component.version.empty()) ++out.with_purl_and_version;
    if (component.has_licenses) ++out.with_license;
    if (component.has_hashes) ++out.with_hash;
  }
  return out;
}

// A finding is covered when VEX changed its status, justified when waived.
VexCoverageInputs vex_coverage(const GateResult& with_vex, const GateResult& without_vex) {
  std::map<std::pair<std::string, std::string>, std::string> status_without;
  for (const auto& finding : without_vex.findings) {
    status_without[{finding.vulnerability_id, finding.component_purl}] = finding.status;
  }
  VexCoverageInputs out;
  out.findings_total = with_vex.findings.size();
  for (const auto& finding : with_vex.findings) {
    const auto before = status_without.find({finding.vulnerability_id, finding.component_purl});
    const bool changed = before == status_without.end() || before->second != finding.status;
    if (finding.waived || changed) ++out.covered_by_statement;
    if (finding.waived) ++out.covered_with_justification;
  }
  return out;
}

const Sbom* sbom_of(const Inputs& inputs) {
  return inputs.sbom ? &*inputs.sbom : nullptr;
}

Result<TrustScore> trust_score_of(const EvidenceEvaluationRequest& request, const Inputs& inputs,
                                  const GateResult& gate) {
  TrustInputs trust;
  trust.sbom = sbom_completeness(inputs.sbom);
  trust.vex = vex_coverage(gate, evaluate_gate(sbom_of(inputs), {}, inputs.findings));
  trust.policy.evaluated_at_seconds = request.evaluated_at_seconds;
  // Unknown policy age: as old as stale, so it earns no freshness points.
  trust.policy.policy_updated_at_seconds = request.policy_updated_at_seconds.value_or(
      request.evaluated_at_seconds - trust.policy.stale_days * kSecondsPerDay);
  trust.signers = request.signers;
  return compute_trust_score(trust);
}

Result<std::string> veri_key_of(const EvidenceEvaluationRequest& request, const Inputs& inputs,
                                const std::string& signer_set) {
  auto vex_set = vex_hash_set_hash(vex_statement_hashes(inputs.vex));
  if (!vex_set) return vex_set.error();
  VeriKeyInputs key;
  key.source_hash = request.image_digest;
  key.sbom_hash = inputs.sbom ? inputs.sbom->canonical_hash : std::string(kEmptySbomHash);
  key.vex_hash_set_hash = std::move(*vex_set);
  key.merge_policy_hash = request.policy_hash;
  key.signer_set_hash = signer_set;
  key.evaluated_at_seconds = request.evaluated_at_seconds;
  key.bucket_seconds = request.time_window_bucket_seconds;
  return compute_verikey(key);
}

Status check_content_id(std::string_view what, std::string_view value) {
  if (auto parsed = digest::ContentId::parse(value); !parsed) {
    return parsed.error().with_context(std::string(what) + " '" + std::string(value) + "'");
  }
  return ok_status();
}

}  // namespace

Result<EvidenceEvaluation> evaluate_evidence(const EvidenceEvaluationRequest& request) {
  if (Status ok = check_content_id("image digest", request.image_digest); !ok) return ok.error();
  if (Status ok = check_content_id("policy hash", request.policy_hash); !ok) return ok.error();
  auto inputs = read_inputs(request);
  if (!inputs) return inputs.error();
  GateResult gate = evaluate_gate(sbom_of(*inputs), inputs->vex, inputs->findings);
  auto trust = trust_score_of(request, *inputs, gate);
  if (!trust) return trust.error().with_context("trust score");
  auto signer_set = signer_set_hash(request.signer_keyids);
  if (!signer_set) return signer_set.error().with_context("signer key ids");
  auto veri_key = veri_key_of(request, *inputs, *signer_set);
  if (!veri_key) return veri_key.error().with_context("VeriKey");

  auto evidence_json = json::canonicalize(inputs->evidence);
  if (!evidence_json) return evidence_json.error().with_context("evidence");
  auto evidence =
      ChunkedEvidence::split(as_bytes(*evidence_json), std::string(kEvidenceContentType));
  if (!evidence) return evidence.error().with_context("evidence");
  auto verdict = json::canonicalize(verdict_document(gate));
  if (!verdict) return verdict.error().with_context("verdict");
  auto decision =
      build_decision_digest(*veri_key, gate, evidence->proof_root(), trust->score,
                            request.evaluated_at_seconds, request.ttl_seconds, request.ttl_policy);
  if (!decision) return decision.error().with_context("decision");

  ProvcacheEntry entry;
  entry.decision = std::move(*decision);
  entry.verdict_json = std::move(*verdict);
  entry.source_hash = request.image_digest;
  entry.policy_hash = request.policy_hash;
  entry.signer_set_hash = std::move(*signer_set);
  entry.feed_epoch = request.feed_epoch;
  entry.updated_at_seconds = request.evaluated_at_seconds;
  return EvidenceEvaluation{std::move(entry), std::move(*evidence), std::move(gate),
                            std::move(*trust)};
}

Result<FindingsDocument> parse_findings_predicate(std::string_view predicate_json) {
  auto document = json::parse_strict(predicate_json);
  if (!document) return document.error();
  if (!document->is_object()) {
    return make_error(ErrorCode::kParse, "a findings predicate must be a JSON object");
  }
  if (document->contains("runs")) {
    auto sarif = parse_sarif(predicate_json);
    if (!sarif) return sarif.error();
    return FindingsDocument{std::string(predicate_json), ""};
  }
  const auto list = document->find("findings");
  if (list == document->end() || !list->is_array()) {
    return make_error(ErrorCode::kParse,
                      "a findings predicate is SARIF 2.1.0 or {\"findings\":[..]}");
  }
  FindingsDocument out{list->dump(), std::string(kDefaultFindingsFeed)};
  if (const auto given = document->find("feedId"); given != document->end()) {
    if (!given->is_string()) return make_error(ErrorCode::kParse, "\"feedId\" must be a string");
    out.feed_id = given->get<std::string>();
  }
  auto parsed = parse_findings_list(out.text, out.feed_id);
  if (!parsed) return parsed.error();
  return out;
}

}  // namespace zastava::provcache
