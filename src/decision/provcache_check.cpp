// Step 5 of the pipeline: the provcache decision for one image's VeriKey.
//
// The VeriKey covers every input a cached verdict depends on: the image
// digest, the hash of its (newest valid) SBOM, the set of its valid VEX
// statements, the scope's policy hash and signer set hash, and the time
// window. A verdict cached before any of them changed is therefore never
// found after the change. Besides, an entry from an older feed epoch than the
// scope's is treated as a miss, and a revoked signer set never allows.

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "decision/image_checks.hpp"
#include "provcache/evidence_evaluation.hpp"
#include "provcache/invalidation.hpp"
#include "provcache/verikey.hpp"

namespace zastava::decision::detail {
namespace {

const policy::RevokedSigner* revocation_of(const policy::Scope& scope) {
  const auto& revoked = scope.provcache.revoked_signers;
  const auto it =
      std::lower_bound(revoked.begin(), revoked.end(), scope.signer_set_hash,
                       [](const policy::RevokedSigner& signer, const std::string& hash) {
                         return signer.signer_set_hash < hash;
                       });
  return it != revoked.end() && it->signer_set_hash == scope.signer_set_hash ? &*it : nullptr;
}

Result<std::string> veri_key_of(const ImageRun& run) {
  std::vector<provcache::VexDocument> documents;
  documents.reserve(run.vex.size());
  for (const auto& check : run.vex) documents.push_back(*check->vex);
  auto vex_set = provcache::vex_hash_set_hash(provcache::vex_statement_hashes(documents));
  if (!vex_set) return vex_set.error();
  provcache::VeriKeyInputs key;
  key.source_hash = run.digest();
  key.sbom_hash = run.sbom ? run.sbom->sbom_hash : std::string(provcache::kEmptySbomHash);
  key.vex_hash_set_hash = std::move(*vex_set);
  key.merge_policy_hash = run.scope().policy_hash;
  key.signer_set_hash = run.scope().signer_set_hash;
  key.evaluated_at_seconds = run.input.time.now_seconds;
  key.bucket_seconds = run.scope().provcache.time_window_bucket_seconds;
  return provcache::compute_verikey(key);
}

// The verdict document's reasons, for a denial message.
std::string verdict_reasons(const std::string& verdict_json) {
  const auto document = nlohmann::json::parse(verdict_json, nullptr, false);
  if (document.is_discarded() || !document.contains("reasons")) return {};
  std::string out;
  for (const auto& reason : document["reasons"]) {
    if (!reason.is_string()) continue;
    if (!out.empty()) out += "; ";
    out += reason.get<std::string>();
  }
  return out;
}

std::string breakdown(const provcache::TrustScore& trust) {
  std::string out;
  for (const provcache::TrustComponent& component : trust.components) {
    if (!out.empty()) out += ", ";
    out += component.name + " " + std::to_string(static_cast<int>(component.points + 0.5)) + "/" +
           std::to_string(static_cast<int>(component.weight));
  }
  return out;
}

// Applies a decision (a hit, or a fresh evaluation) to the image.
void apply_decision(ImageRun& run, const provcache::ProvcacheEntry& entry,
                    const provcache::TrustScore* trust) {
  ImageReport& report = run.check.report;
  report.provcache_verdict = entry.verdict();
  report.trust_score = entry.decision.trust_score;
  if (report.provcache_verdict != "allow") {
    std::string why = verdict_reasons(entry.verdict_json);
    report.violations.push_back(run.violation(
        ViolationKind::kProvcacheDenied, "",
        "provcache verdict " +
            (report.provcache_verdict.empty() ? "unknown" : report.provcache_verdict) +
            (why.empty() ? "" : ": " + why)));
  }
  const int minimum = run.scope().provcache.min_trust_score;
  if (entry.decision.trust_score < minimum) {
    std::string detail = "trust score " + std::to_string(entry.decision.trust_score) +
                         " below minTrustScore " + std::to_string(minimum);
    if (trust != nullptr) detail += " (" + breakdown(*trust) + ")";
    report.violations.push_back(run.violation(ViolationKind::kProvcacheDenied, "", detail));
  }
}

// What signed the image: the distinct trusted keys behind its valid seals.
provcache::SignerTrustInputs signer_trust(const ImageRun& run) {
  std::set<std::string> keyids;
  for (const auto& seal : run.valid_seals)
    keyids.insert(seal->seal->keyids.begin(), seal->seal->keyids.end());
  provcache::SignerTrustInputs signers;
  signers.verified_trusted_signers = keyids.size();
  signers.required_signers = std::max<std::uint64_t>(1, run.scope().signature_threshold);
  // The keys are the policy's current ones; key age is not recorded, so they
  // count as within their rotation period.
  signers.keys_within_rotation_period = keyids.size();
  return signers;
}

void evaluate_miss(ImageRun& run, const std::string& veri_key) {
  const policy::Scope& scope = run.scope();
  provcache::EvidenceEvaluationRequest request;
  request.image_digest = run.digest();
  if (run.sbom) request.sbom_json = run.sbom->predicate_json;
  for (const auto& check : run.vex) request.vex_json.push_back(check->predicate_json);
  for (const auto& check : run.findings) request.findings.push_back(check->findings);
  for (const auto& [keyid, key] : scope.trust_set.keys()) request.signer_keyids.push_back(keyid);
  request.signers = signer_trust(run);
  request.policy_hash = scope.policy_hash;
  request.feed_epoch = scope.provcache.feed_epoch;
  request.ttl_policy = scope.provcache.ttl;
  request.evaluated_at_seconds = run.input.time.now_seconds;
  request.time_window_bucket_seconds = scope.provcache.time_window_bucket_seconds;
  auto evaluation = provcache::evaluate_evidence(request);
  if (!evaluation) {
    run.fail("provcache evaluation failed: " + evaluation.error().message);
    return;
  }
  if (evaluation->entry.veri_key() != veri_key) {
    run.fail("provcache evaluation produced VeriKey " + evaluation->entry.veri_key() +
             ", expected " + veri_key);
    return;
  }
  run.check.report.provcache = ProvcacheResult::kEvaluated;
  apply_decision(run, evaluation->entry, &evaluation->trust);
  if (run.input.dry_run || revocation_of(scope) != nullptr) return;  // no side effects
  if (run.decider.steady_now() >= run.input.time.deadline) {
    run.check.report.notes.push_back("provcache decision not cached: deadline exceeded");
    return;
  }
  const provcache::EvidenceManifest manifest = provcache::manifest_of(evaluation->evidence);
  Status stored = run.decider.provcache().put_evidence(manifest, evaluation->evidence.chunks());
  if (stored) stored = run.decider.provcache().put(evaluation->entry);
  if (!stored) {
    run.check.report.notes.push_back("provcache decision not cached: " + stored.error().message);
  }
}

void handle_miss(ImageRun& run, const std::string& veri_key) {
  switch (run.scope().provcache.on_miss) {
    case policy::OnMiss::kDeny:
      run.check.report.provcache = ProvcacheResult::kMiss;
      run.check.report.violations.push_back(
          run.violation(ViolationKind::kProvcacheDenied, "",
                        "no provcache decision for VeriKey " + veri_key + " (onMiss deny)"));
      return;
    case policy::OnMiss::kWarn:
      run.check.report.provcache = ProvcacheResult::kMiss;
      run.check.warnings.push_back("container \"" + run.input.container.name + "\" image " +
                                   run.input.container.image +
                                   ": no provcache decision yet (onMiss warn)");
      return;
    case policy::OnMiss::kEvaluate:
      evaluate_miss(run, veri_key);
      return;
  }
}

// An entry from a feed epoch older than the scope's is stale: a miss.
bool stale_feed(const policy::Scope& scope, const provcache::ProvcacheEntry& entry) {
  return !scope.provcache.feed_epoch.empty() &&
         provcache::compare_feed_epochs(entry.feed_epoch, scope.provcache.feed_epoch) < 0;
}

}  // namespace

void check_provcache(ImageRun& run) {
  const policy::Scope& scope = run.scope();
  if (!scope.provcache.enabled) return;
  if (const policy::RevokedSigner* revoked = revocation_of(scope)) {
    run.check.report.violations.push_back(
        run.violation(ViolationKind::kProvcacheDenied, "",
                      "signer set " + scope.signer_set_hash + " is revoked" +
                          (revoked->reason.empty() ? "" : ": " + revoked->reason)));
  }
  auto veri_key = veri_key_of(run);
  if (!veri_key) {
    run.fail("provcache VeriKey: " + veri_key.error().message);
    return;
  }
  run.check.report.veri_key = *veri_key;
  if (run.past_deadline("the provcache lookup")) {
    run.check.report.provcache = ProvcacheResult::kUnavailable;
    return;
  }
  auto lookup = run.decider.provcache().get(*veri_key, run.input.time.now_seconds);
  if (!lookup) {
    run.check.report.provcache = ProvcacheResult::kUnavailable;
    run.fail("provcache store unavailable: " + lookup.error().message);
    return;
  }
  if (lookup->entry && !stale_feed(scope, *lookup->entry)) {
    run.check.report.provcache = ProvcacheResult::kHit;
    apply_decision(run, *lookup->entry, nullptr);
    return;
  }
  handle_miss(run, *veri_key);
}

}  // namespace zastava::decision::detail
